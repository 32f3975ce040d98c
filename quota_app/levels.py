"""Fulfilment levels: how far a figure is from its target, in the thresholds and words every view uses
(the monitoring pages, the reports' PDF and HTML, the report mail). Colour only repeats the word.

The distance from the target is written by `gap_words` ("mangler 3", "2 over") wherever it is a phrase:
the overview, the verdict of the report's first page, its HTML twin and the mail.

Choices where the issue is silent: below target under 90 %, near target from 90 % to under 100 %, at
target from 100 %; "none" where there is no target.
"""

from __future__ import annotations

from .formatting import Decimal
from .texts import N_, Text

NEAR_FROM = 90.0  # below target under this percentage
AT_FROM = 100.0  # at target from this percentage
LEVELS = ("below", "near", "at", "none")
LEVEL_WORDS = {
    "below": N_("Under mål"),
    "near": N_("Tæt på mål"),
    "at": N_("Mål nået"),
    "none": N_("Intet måltal"),
}


GAP_WORDS = {"short": N_("mangler %(n)s"), "over": N_("%(n)s over")}


def gap_words(gap: float | None) -> Text | str:
    """How far a figure is from its target, in the words every view uses: 'mangler 3' (short of it) or
    '2 over' (above it; '0 over' when it is exactly met); '–' without a target."""
    if gap is None:
        return "–"
    key, size = ("short", gap) if gap > 0 else ("over", -gap)
    return N_(GAP_WORDS[key].msgid, n=Decimal(size))


def fulfilment_level(pct: float | None) -> str:
    """Return 'below', 'near', 'at' or 'none' (no target) for a fulfilment percentage."""
    if pct is None:
        return "none"
    if pct >= AT_FROM:
        return "at"
    if pct >= NEAR_FROM:
        return "near"
    return "below"
