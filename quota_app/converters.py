"""One set of converters for every input: URLs, forms, the API, the CLI and file cells (no Flask here).

Each converter takes what a person or a program sent (usually text) and returns a value or raises
`ConversionError` (a DomainError with the field and a message for a person). The rules hold everywhere:

- digits are ASCII only: '²', '٣' or full-width '３' are refused (Python's int() and str.isdigit() accept
  some of them);
- ids are 1..2147483647 (PostgreSQL's integer), so a lookup never overflows the database;
- dates are ISO (2025-06-30) or Danish (30.06.2025, 3.6.2025, 30-06-2025), from 2000-01-01 on, and not
  after a given latest day where a past date is required;
- text is stripped, bounded in length, and never holds NUL or other control characters (tab and line
  breaks only where several lines are allowed); personal text can be checked for CPR numbers.

Flask URL converters (`web_converters`), WTForms fields and click parameter types are thin wrappers.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from . import cpr
from .errors import DomainError
from .periods import Period
from .periods import parse_period as _parse_period
from .texts import N_, Text

MAX_ID = 2_147_483_647  # PostgreSQL integer (int4)
MIN_INT = -MAX_ID - 1
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_NUMBER_LENGTH = 30  # longer digit strings are refused before int() sees them
MAX_DATE_LENGTH = 40
MAX_PAGE = 1_000_000

_INT = re.compile(r"[+-]?[0-9]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DANISH_DATE = re.compile(r"([0-9]{1,2})([-.])([0-9]{1,2})\2([0-9]{4})")
_TIMESTAMP = re.compile(r"[0-9T:.+\- Zz]+")
TRUE_WORDS = frozenset({"1", "true", "on", "yes", "y", "ja", "j", "sand"})
FALSE_WORDS = frozenset({"0", "false", "off", "no", "n", "nej", "falsk", ""})


class ConversionError(DomainError):
    """An input that is not a value of its kind: the web answers 400/422 with the message."""


def _shown(value: Any, limit: int = 40) -> str:
    """The value as it may appear in a message: printable and short."""
    text = "".join(c if c.isprintable() else "�" for c in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_of(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value if value is not None else "").strip()


# --- numbers ---


def parse_int(value: Any, *, field: str = "number", low: int = MIN_INT, high: int = MAX_ID) -> int:
    """An integer in [low, high] from ASCII digits (an optional sign), or an int (never a bool)."""
    if isinstance(value, bool):
        raise ConversionError(not_an_integer(value, low, high), field=field)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _text_of(value)
        if len(text) > MAX_NUMBER_LENGTH or not _INT.fullmatch(text):
            raise ConversionError(not_an_integer(value, low, high), field=field)
        number = int(text)
    if not low <= number <= high:
        raise ConversionError(not_an_integer(value, low, high), field=field)
    return number


def not_an_integer(value: Any, low: int, high: int) -> Text:
    return N_(
        "'%(value)s' er ikke et helt tal mellem %(low)d og %(high)d.", value=_shown(value), low=low, high=high
    )


def parse_id(value: Any, *, field: str = "id") -> int:
    """A database id: 1..2147483647 (callers looking something up answer 404 when this fails)."""
    return parse_int(value, field=field, low=1, high=MAX_ID)


def is_id(value: Any) -> bool:
    try:
        parse_id(value)
    except ConversionError:
        return False
    return True


_DECIMAL = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)")


def parse_decimal(value: Any, *, field: str = "number") -> float:
    """A finite number with a decimal comma or point (1, 0,5, 0.5), ASCII digits only."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _text_of(value)
        if len(text) > MAX_NUMBER_LENGTH or not _DECIMAL.fullmatch(text):
            raise ConversionError(N_("'%(value)s' er ikke et tal.", value=_shown(value)), field=field)
        number = float(text.replace(",", "."))
    if number != number or number in (float("inf"), float("-inf")):
        raise ConversionError(N_("'%(value)s' er ikke et tal.", value=_shown(value)), field=field)
    return number


def int_or(value: Any, default: Any, *, low: int = MIN_INT, high: int = MAX_ID) -> Any:
    """The integer, or default when value is not one in [low, high] (lenient filters, pagination)."""
    try:
        return parse_int(value, low=low, high=high)
    except ConversionError:
        return default


def optional_id(value: Any, *, field: str = "id") -> int | None:
    """None for an empty value, else an id (ConversionError when it is not one)."""
    return None if _text_of(value) == "" else parse_id(value, field=field)


_P_NUMBER = re.compile(r"[0-9]{10}")


def parse_p_number(value: Any, *, field: str = "p_number") -> str:
    """A workplace's P-number (produktionsenhedsnummer): ten ASCII digits; spaces between them are dropped."""
    text = "".join(_text_of(value).split())
    if not _P_NUMBER.fullmatch(text):
        raise ConversionError(
            N_("P-nummeret '%(value)s' skal være 10 cifre.", value=_shown(value)), field=field
        )
    return text


def optional_p_number(value: Any, *, field: str = "p_number") -> str | None:
    """None for an empty value, else a P-number (ConversionError when it is not one)."""
    return None if _text_of(value) == "" else parse_p_number(value, field=field)


# --- dates, periods, timestamps ---


def is_iso_date(value: Any) -> bool:
    """True when value is text of the ISO form 2025-06-30 (ASCII digits; the day itself not checked)."""
    return isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()) is not None


def parse_date(
    value: Any,
    *,
    field: str = "date",
    earliest: date | None = EARLIEST_DATE,
    latest: date | None = LATEST_DATE,
) -> date:
    """A date from 2025-06-30, 30.06.2025, 3.6.2025 or 30-06-2025 (or a date), within [earliest, latest]."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text_of(value)
        parsed: date | None = None
        if len(text) <= MAX_DATE_LENGTH:
            try:
                if match := _ISO_DATE.fullmatch(text):
                    parsed = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                elif match := _DANISH_DATE.fullmatch(text):
                    parsed = date(int(match.group(4)), int(match.group(3)), int(match.group(1)))
                else:
                    raise ConversionError(
                        N_(
                            "'%(value)s' er ikke en dato: brug 2025-06-30, 30-06-2025 eller 30.06.2025.",
                            value=_shown(text),
                        ),
                        field=field,
                    )
            except ValueError:
                parsed = None
        if parsed is None:
            raise ConversionError(N_("'%(value)s' er ikke en gyldig dato.", value=_shown(text)), field=field)
        day = parsed
    if earliest is not None and day < earliest:
        raise ConversionError(
            N_(
                "Datoen %(date)s er for tidlig: den første mulige dato er %(earliest)s.",
                date=day,
                earliest=earliest,
            ),
            field=field,
        )
    if latest is not None and day > latest:
        raise ConversionError(
            N_("Datoen %(date)s ligger efter %(latest)s.", date=day, latest=latest),
            field=field,
        )
    return day


def optional_date(value: Any, **kwargs: Any) -> date | None:
    return None if _text_of(value) == "" else parse_date(value, **kwargs)


def parse_period(value: Any, *, field: str = "period") -> Period:
    """A period: '2025', '2025-H1' or '2025-H2' (years 2000-2100, ASCII digits)."""
    text = _text_of(value)
    try:
        return _parse_period(text[:20] if len(text) > 20 else text)
    except DomainError as exc:
        raise ConversionError(exc.message, field=field) from exc


def parse_timestamp(value: Any, *, field: str = "known_at") -> datetime:
    """An ISO 8601 timestamp with an offset ('...+02:00' or '...Z') as aware UTC, years 2000-2100."""
    text = _text_of(value)
    parsed: datetime | None = None
    if len(text) <= 40 and _TIMESTAMP.fullmatch(text):
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None:
        raise ConversionError(
            N_(
                "Ugyldigt tidspunkt '%(text)s': brug ISO 8601 med tidszone, fx 2025-08-15T08:00:00+02:00.",
                text=_shown(text),
            ),
            field=field,
        )
    if parsed.tzinfo is None:
        raise ConversionError(
            N_(
                "Tidspunktet '%(text)s' mangler tidszone: skriv fx +02:00 eller Z til sidst.",
                text=_shown(text),
            ),
            field=field,
        )
    if not EARLIEST_DATE.year <= parsed.year <= LATEST_DATE.year:
        raise ConversionError(
            N_("Tidspunktet '%(text)s' ligger uden for årene 2000-2100.", text=_shown(text)), field=field
        )
    return parsed.astimezone(UTC)


# --- booleans ---


def parse_bool(value: Any, *, field: str = "flag") -> bool:
    """True for 1/true/on/yes/ja, False for 0/false/off/no/nej/empty; anything else is refused."""
    if isinstance(value, bool):
        return value
    word = _text_of(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConversionError(N_("'%(value)s' er hverken ja eller nej.", value=_shown(value)), field=field)


# --- text ---


# Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F) and lone surrogates (Cs), as
# character classes: one scan in C instead of a category look-up per character (imports check every cell).
_CONTROL_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character text must not hold (NUL, other control characters, lone surrogates), or None."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL_SINGLE_LINE).search(text)
    return None if found is None else found.group()


def clean_text(
    value: Any,
    *,
    field: str = "text",
    label: str | Text | None = None,
    max_length: int | None = 300,
    required: bool = False,
    multiline: bool = False,
    cpr_guard: bool = False,
) -> str:
    """Stripped text, at most max_length characters, without control characters; optionally CPR-checked."""
    if value is not None and not isinstance(value, str):
        raise ConversionError(N_("Feltet '%(name)s' skal være tekst.", name=field), field=field)
    text = (value or "").strip()
    name = label or field
    if required and not text:
        raise ConversionError(N_("%(field)s skal udfyldes.", field=name), field=field)
    if max_length is not None and len(text) > max_length:
        raise ConversionError(
            N_("%(field)s må højst være %(max)d tegn.", field=name, max=max_length), field=field
        )
    bad = control_character(text, multiline=multiline)
    if bad is not None:
        raise ConversionError(
            N_(
                "%(field)s indeholder et ugyldigt tegn (kode %(code)s).", field=name, code=f"U+{ord(bad):04X}"
            ),
            field=field,
        )
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if cpr_guard:
        cpr.check(text, field=field, label=label)
    return text


def parse_iso_date(text: str) -> date:
    """An ISO date (2025-06-30), 2000-2100, as the command line takes it (docs/cli.md); DomainError otherwise."""
    if not is_iso_date(text):
        raise DomainError(
            N_("Ugyldig dato '%(text)s': brug ÅÅÅÅ-MM-DD, fx 2025-06-30.", text=text), field="date"
        )
    return parse_date(text)
