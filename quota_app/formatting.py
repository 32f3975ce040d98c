"""Numbers and dates written the way the reader's language writes them (Babel), as message parameters.

A `quota_app.texts.Text` renders its date parameters as 30.06.2025 in every language. Where a sentence
people act on wants "31. december" (Danish) or "December 31" (English), or a decimal comma, pass one of
these instead: each is a Text whose Danish value is what the CLI prints and tests compare, and which the
web layer (`quota_app.web.localized`) renders in the reader's language like any other parameter.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_skeleton
from babel.numbers import format_decimal

from .texts import DANISH, Text, Translate


def day_and_month(day: date, language: str = DANISH) -> str:
    """The day and month name, e.g. '31. december' (da) or 'December 31' (en)."""
    return format_skeleton("dMMMM", day, locale=language)


def decimal(value: float | int, language: str = DANISH, *, digits: int = 1) -> str:
    """A number with at most digits decimals, e.g. '40,5' (da) or '40.5' (en); whole numbers without."""
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=language)


class DayAndMonth(Text):
    """A date as a message parameter, written as day_and_month() writes it in the reader's language."""

    day: date

    def __new__(cls, day: date) -> DayAndMonth:
        self = str.__new__(cls, day_and_month(day))
        self.msgid, self.params, self.day = "", {}, day
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.day,)

    def render(self, translate: Translate | None = None, *, language: str = DANISH) -> str:
        return day_and_month(self.day, language)

    def __repr__(self) -> str:
        return f"DayAndMonth({self.day!r})"


class Decimal(Text):
    """A number as a message parameter, written as decimal() writes it in the reader's language."""

    value: float | int
    digits: int

    def __new__(cls, value: float | int, digits: int = 1) -> Decimal:
        self = str.__new__(cls, decimal(value, digits=digits))
        self.msgid, self.params, self.value, self.digits = "", {}, value, digits
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.value, self.digits)

    def render(self, translate: Translate | None = None, *, language: str = DANISH) -> str:
        return decimal(self.value, language, digits=self.digits)

    def __repr__(self) -> str:
        return f"Decimal({self.value!r}, {self.digits!r})"
