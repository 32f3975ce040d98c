"""A clock the app reads instead of the wall clock, so tests can control time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from .settings import local_zone


class Clock:
    """The real clock: aware UTC now."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock that stands still until moved; for tests and reproducible runs."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def local_date(moment: datetime) -> date:
    """The date an aware moment falls on in the app's time zone (QUOTA_TIMEZONE): "today" for a service."""
    return moment.astimezone(local_zone()).date()
