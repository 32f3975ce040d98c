"""Errors that services raise; views and the CLI turn them into messages and status codes."""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation, with a message for a person and optionally the field it concerns."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or the user may not know that it does."""

    status_code = 404


class Conflict(DomainError):
    """Someone else changed the thing since it was read."""

    status_code = 409
