"""The one way the app writes numbers, percentages, dates, times and periods for people, in Danish (`da`, the
default) or English (`en`), built on Babel's CLDR data. The web pages (Jinja filters in `quota_app.web`),
the mail (`quota_app.mail.templates`), the PDF (`reports.render.formatting`) and the exports call these;
nothing else formats a figure for a reader. No Flask: the language is an argument.

The rules (docs/architecture.md, "Numbers, dates and periods"):

- numbers: the language's decimal and group symbols (CLDR): 1.234,5 (da), 1,234.5 (en); at most `digits`
  decimals, trailing zero decimals dropped unless `fixed`; a figure that rounds to zero is never "-0".
- counts: whole numbers without decimals, fte-weighted figures with one (22,5).
- percentages: always one decimal (81,0 %), in the language's CLDR percent pattern; Danish puts a space
  before the sign (CLDR's non-breaking space is written as an ordinary space, so the same text reads the
  same in a page, a plain-text mail, a PDF and a CSV cell).
- changes: signed, +3,0 / -2,5 / 0.
- dates: 30.06.2025 in both languages; times 08.00 (da) / 08:00 (en); a moment 30.06.2025 kl. 08.00 /
  30.06.2025 at 08:00, in the app's time zone when one is given.
- periods: "1. halvår 2026" / "1st half 2026"; a whole year "2026". Inputs, URLs, the API and JSON keep the
  code, `2026-H1` (`Period.label`).
- missing values are "–".

`Decimal`, `Percent`, `DayAndMonth` and `PeriodName` carry a value as a message parameter
(`quota_app.texts.Text`): Danish as their str value (what the CLI prints and tests compare), and rendered in
the reader's language by the web layer (`quota_app.web.localized`) and the mail.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_decimal, format_percent

from .errors import DomainError
from .periods import Period, parse_period
from .texts import DANISH, Text, Translate, danish_date

ENGLISH = "en"
LANGUAGES = (DANISH, ENGLISH)
MISSING = "–"
DATE_PATTERN = "dd.MM.yyyy"  # 30.06.2025 in every language, as people here write dates
# The time of day: CLDR's short time for Danish (HH.mm); English pages use the 24-hour clock of British
# English (HH:mm), as the app's schedules do, not CLDR's American "h:mm a".
TIME_LOCALE = {DANISH: "da", ENGLISH: "en_GB"}
AT = {DANISH: "%(date)s kl. %(time)s", ENGLISH: "%(date)s at %(time)s"}
HALF_YEAR = {DANISH: "%(half)s. halvår %(year)s", ENGLISH: "%(half)s half %(year)s"}
ORDINAL = {1: "1st", 2: "2nd"}


def language_of(language: str | None) -> str:
    """A supported language code for a locale string ('da_DK' -> 'da', 'en_GB' -> 'en'); Danish otherwise."""
    code = str(language or DANISH).replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else DANISH


# --- numbers --------------------------------------------------------------------------------------------


def number(
    value: float | int | None,
    language: str = DANISH,
    *,
    digits: int = 1,
    fixed: bool = False,
    grouping: bool = True,
) -> str:
    """A figure with at most `digits` decimals ('1.234,5' da, '1,234.5' en; exactly `digits` when fixed);
    '–' for None. grouping=False leaves out the thousands separator (CSV cells for Excel)."""
    if value is None:
        return MISSING
    return _number(value, language_of(language), digits, fixed, grouping)


@lru_cache(maxsize=16384)
def _number(value: float | int, language: str, digits: int, fixed: bool, grouping: bool) -> str:
    """number() for a supported language, remembered: a page writes the same few figures many times, and
    Babel parses its pattern and locale on every call (tens of microseconds each)."""
    fraction = ("0" if fixed else "#") * digits
    pattern = "#,##0" + ("." + fraction if digits > 0 else "")
    value = _no_negative_zero(value, digits)
    return format_decimal(value, format=pattern, locale=language, group_separator=grouping)


def decimal(value: float | int, language: str = DANISH, *, digits: int = 1) -> str:
    """A number with at most digits decimals, e.g. '40,5' (da) or '40.5' (en); whole numbers without."""
    return number(value, language, digits=digits)


def count(value: float | int | None, language: str = DANISH) -> str:
    """A count: whole numbers without decimals ('1.001'), fte-weighted figures with one ('22,5', '5,0')."""
    if value is None:
        return MISSING
    return number(value, language, digits=0 if float(value).is_integer() else 1, fixed=True)


@cache
def _percent_pattern(language: str) -> str:
    """The language's CLDR percent pattern with one fixed decimal: '#,##0.0 %' (da), '#,##0.0%' (en)."""
    pattern: str = Locale.parse(language).percent_formats[None].pattern
    return pattern.replace("#,##0", "#,##0.0", 1).replace("\u00a0", " ")


def percent(value: float | None, language: str = DANISH) -> str:
    """A percentage (81.04 means 81,04 %) with one decimal, always: '81,0 %' (da), '81.0%' (en); '–' for None."""
    if value is None:
        return MISSING
    return _percent(value, language_of(language))


@lru_cache(maxsize=16384)
def _percent(value: float, language: str) -> str:
    """percent() for a supported language, remembered (see _number)."""
    return format_percent(
        _no_negative_zero(value, 1) / 100, format=_percent_pattern(language), locale=language
    )


def change(value: float | None, language: str = DANISH, *, digits: int = 1, suffix: str = "") -> str:
    """A signed change ('+3,0', '-2,5'); '0' when it rounds to nothing; '–' for None."""
    if value is None:
        return MISSING
    if round(value, digits) == 0:
        return f"0{suffix}"
    sign = "+" if value > 0 else "-"
    return f"{sign}{number(abs(value), language, digits=digits, fixed=True)}{suffix}"


def _no_negative_zero(value: float | int, digits: int) -> float | int:
    return 0 if round(value, digits) == 0 else value


# --- dates and times ------------------------------------------------------------------------------------


def date_text(day: date | None, language: str = DANISH) -> str:
    """A date as people here write it, 30.06.2025, in every language; '–' for None."""
    return MISSING if day is None else danish_date(day)


def day_and_month(day: date, language: str = DANISH) -> str:
    """The day and month name, e.g. '31. december' (da) or 'December 31' (en)."""
    return format_skeleton("dMMMM", day, locale=language_of(language))


def month_name(day: date, language: str = DANISH) -> str:
    """The month and year of a date: 'juni 2025' (da), 'June 2025' (en)."""
    return format_skeleton("yMMMM", day, locale=language_of(language))


def excel_date(day: date) -> str:
    """A date in a CSV for Danish Excel (docs/files.md): 30-06-2025."""
    return format_date(day, "dd-MM-yyyy", locale=DANISH)


def excel_timestamp(moment: datetime, zone: tzinfo | None = None) -> str:
    """A moment in a CSV for Danish Excel (docs/files.md): 30-06-2025 08:00, in zone when given."""
    if zone is not None:
        moment = moment.astimezone(zone)
    return format_datetime(moment, "dd-MM-yyyy HH:mm", locale=DANISH)


def excel_number(value: float | int) -> str:
    """A number in a CSV for Danish Excel (docs/files.md): decimal comma, no thousands separator, at most
    two decimals ('1234,5')."""
    return number(value, DANISH, digits=2, grouping=False)


def time_text(moment: datetime, language: str = DANISH, zone: tzinfo | None = None) -> str:
    """The time of day: '08.00' (da), '08:00' (en); in zone when given (moment must then be aware)."""
    if zone is not None:
        moment = moment.astimezone(zone)
    return format_time(moment, "short", locale=TIME_LOCALE[language_of(language)])


def timestamp(moment: datetime | None, language: str = DANISH, zone: tzinfo | None = None) -> str:
    """A moment: '30.06.2025 kl. 08.00' (da), '30.06.2025 at 08:00' (en); in zone when given; '–' for None."""
    if moment is None:
        return MISSING
    if zone is not None:
        moment = moment.astimezone(zone)
    language = language_of(language)
    day = format_date(moment.date(), DATE_PATTERN, locale=language)
    return AT[language] % {"date": day, "time": time_text(moment, language)}


# --- periods --------------------------------------------------------------------------------------------


def period_name(period: Period | str | None, language: str = DANISH) -> str:
    """'2026-H1' -> '1. halvår 2026' (da), '1st half 2026' (en); a year stays '2026'; '–' for None.

    Takes a Period or its code; a code that is no period is shown as it is."""
    if period is None:
        return MISSING
    if isinstance(period, str):
        try:
            period = parse_period(period)
        except DomainError:
            return str(period)
    if not period.half:
        return str(period.year)
    language = language_of(language)
    half = str(period.half) if language == DANISH else ORDINAL[period.half]
    return HALF_YEAR[language] % {"half": half, "year": period.year}


# --- the same as message parameters ---------------------------------------------------------------------


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


class Percent(Text):
    """A percentage as a message parameter, sign included ('81,0 %' / '81.0%'), as percent() writes it."""

    value: float

    def __new__(cls, value: float) -> Percent:
        self = str.__new__(cls, percent(value))
        self.msgid, self.params, self.value = "", {}, value
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.value,)

    def render(self, translate: Translate | None = None, *, language: str = DANISH) -> str:
        return percent(self.value, language)

    def __repr__(self) -> str:
        return f"Percent({self.value!r})"


class PeriodName(Text):
    """A period as a message parameter, written as period_name() writes it ('1. halvår 2026')."""

    code: str

    def __new__(cls, period: Period | str) -> PeriodName:
        code = period.label if isinstance(period, Period) else str(period)
        self = str.__new__(cls, period_name(code))
        self.msgid, self.params, self.code = "", {}, code
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.code,)

    def render(self, translate: Translate | None = None, *, language: str = DANISH) -> str:
        return period_name(self.code, language)

    def __repr__(self) -> str:
        return f"PeriodName({self.code!r})"


class TimeOfDay(Text):
    """A moment's time of day as a message parameter ('08.00' / '08:00'), as time_text() writes it; the
    moment must already be in the zone to show."""

    moment: datetime

    def __new__(cls, moment: datetime) -> TimeOfDay:
        self = str.__new__(cls, time_text(moment))
        self.msgid, self.params, self.moment = "", {}, moment
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.moment,)

    def render(self, translate: Translate | None = None, *, language: str = DANISH) -> str:
        return time_text(self.moment, language)

    def __repr__(self) -> str:
        return f"TimeOfDay({self.moment!r})"
