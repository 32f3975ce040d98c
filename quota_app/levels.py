"""Fulfilment levels: how far a figure is from its target, in the thresholds and words every view uses
(the monitoring pages, the reports' PDF and HTML, the report mail). Colour only repeats the word.

Choices where the issue is silent: below target under 90 %, near target from 90 % to under 100 %, at
target from 100 %; "none" where there is no target.
"""

from __future__ import annotations

from .texts import N_

NEAR_FROM = 90.0  # below target under this percentage
AT_FROM = 100.0  # at target from this percentage
LEVELS = ("below", "near", "at", "none")
LEVEL_WORDS = {
    "below": N_("Under mål"),
    "near": N_("Tæt på mål"),
    "at": N_("Mål nået"),
    "none": N_("Intet måltal"),
}


def fulfilment_level(pct: float | None) -> str:
    """Return 'below', 'near', 'at' or 'none' (no target) for a fulfilment percentage."""
    if pct is None:
        return "none"
    if pct >= AT_FROM:
        return "at"
    if pct >= NEAR_FROM:
        return "near"
    return "below"
