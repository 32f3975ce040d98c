"""What the forecast takes from the counting package (quota_app.reconcile), in one place.

The forecast starts from the figures counting gives (today's counted places, the targets, the rules, the
time to fill) and reads the same status intervals with the same SQL building blocks, so every number it
shows beside a counted one is that number.
"""

from __future__ import annotations

from ..reconcile.services import (
    NEEDS_TIMEZONE,
    days_from,
    holds_on,
    known_intervals,
    reconcile,
    scope,
    time_to_fill,
)
from ..reconcile.services import _departments as departments_by_code
from ..reconcile.services import _types as types_by_code

__all__ = [
    "NEEDS_TIMEZONE",
    "days_from",
    "departments_by_code",
    "holds_on",
    "known_intervals",
    "reconcile",
    "scope",
    "time_to_fill",
    "types_by_code",
]
