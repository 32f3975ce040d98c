"""Errors that services raise; views and the CLI turn them into messages and status codes.

The message is a `quota_app.texts.Text` (made with `N_`): a str holding the Danish text, which the web
layer renders in the reader's language with `quota_app.web.localized`. Plain str messages still work
(they are shown as they are).
"""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation, with a message for a person and optionally the field it concerns."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message  # the Danish text; a Text also knows its msgid and parameters
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or the user may not know that it does."""

    status_code = 404


class Conflict(DomainError):
    """Someone else changed the thing since it was read."""

    status_code = 409
