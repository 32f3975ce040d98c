"""What one cell of an imported file says: a date, a number, or a formula we refuse (never evaluated)."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from .. import converters
from ..errors import DomainError
from ..texts import N_

_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_date(text: Any) -> date:
    """Parse 2025-06-30, 30-06-2025 or 30.06.2025 (2000-2100, ASCII digits); DomainError otherwise."""
    return converters.parse_date(text)


def parse_decimal(text: Any) -> float:
    """Parse a number with a decimal comma or point; DomainError otherwise."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        raw = str(text or "").strip().replace("\u00a0", "").replace(" ", "")
        if "," in raw and "." in raw:
            # The last separator is the decimal one; the other groups thousands.
            thousands = "." if raw.rfind(",") > raw.rfind(".") else ","
            raw = raw.replace(thousands, "")
        raw = raw.replace(",", ".")
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", raw):
            raise DomainError(not_a_number(str(text or "").strip()), field="number")
        value = float(raw)
    if math.isnan(value) or math.isinf(value):
        raise DomainError(not_a_number(text), field="number")
    return value


def not_a_number(text: Any) -> str:
    return N_("'%(value)s' er ikke et tal.", value=text)


def looks_like_formula(value: str) -> bool:
    """Whether a cell would start a formula in a spreadsheet (a plain signed number does not)."""
    if not value or not value.startswith(FORMULA_STARTS):
        return False
    return not (value[0] in "+-" and _NUMBER.fullmatch(value))
