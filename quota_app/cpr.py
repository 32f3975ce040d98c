"""The CPR guard (docs/domain.md §6, no personal data about citizens): refuse text holding a CPR-shaped number.

A CPR number is ddmmyy, an optional dash (or en dash or space), and four digits, not inside a longer
number. Since 2007 CPR numbers need not pass the modulus-11 check, so it is not used: any six digits
that make a calendar date (in the 1900s or 2000s) followed by four digits count. Digits are matched in
any script (full-width '０', Arabic-Indic '٠' ...) so the guard cannot be passed by writing them otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from .errors import DomainError
from .texts import N_, Text

# ASCII digits only: check() first maps every other decimal digit to its ASCII value.
_CPR_RE = re.compile(r"(?<![0-9])([0-9]{2})([0-9]{2})([0-9]{2})[-–\s]?([0-9]{4})(?![0-9])")

FIELD_DA = {
    "title": N_("Titlen"),
    "note": N_("Bemærkningen"),
    "reason": N_("Begrundelsen"),
    "reference": N_("Referencen"),
}


def _ascii_digits(text: str) -> str:
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.decimal(char, None) is not None else char
        for char in text
    )


# Six decimal digits in a row, in any script: text without them cannot hold a CPR number (a quick scan first).
_SIX_DIGITS = re.compile(r"\d{6}")


def find_cpr(text: str | None) -> str | None:
    """Return the first CPR-shaped number in text (its first six digits), or None."""
    if not text or _SIX_DIGITS.search(text) is None:
        return None
    for match in _CPR_RE.finditer(_ascii_digits(text)):
        day, month, year = (int(match.group(i)) for i in (1, 2, 3))
        if _plausible_birth_date(day, month, year):
            return match.group(0)[:6]
    return None


def check(text: str | None, *, field: str, label: str | Text | None = None) -> None:
    """Refuse text that contains something shaped like a CPR number (ddmmyy-xxxx or ddmmyyxxxx)."""
    start = find_cpr(text)
    if start is not None:
        name = label or FIELD_DA.get(field, field.capitalize())
        raise DomainError(
            N_(
                "%(field)s ligner et CPR-nummer (%(start)s-…). "
                "Skriv ikke personoplysninger om borgere i pladsens oplysninger.",
                field=name,
                start=start,
            ),
            field=field,
        )


def _plausible_birth_date(day: int, month: int, year: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
            return True
        except ValueError:
            continue
    return False
