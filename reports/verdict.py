"""The verdict a department's report opens with: its total against the target, met or not, how many places
short, and the placement types furthest behind. The figures are the counting package's (its totals and
gaps); the words are the renderers' and the mail's."""

from __future__ import annotations

from collections.abc import Iterable

from quota_app.levels import AT_FROM, fulfilment_level
from quota_app.reconcile.types import ReconciliationRow, Totals

from .data import Behind, Verdict

BEHIND_NAMED = 3  # the issue asks for "the two or three types furthest behind"


def verdict(rows: Iterable[ReconciliationRow], totals: Totals | None, type_names: dict[str, str]) -> Verdict:
    """The verdict on a department's rows and totals (type_names: code -> the name the report uses)."""
    behind = sorted(
        (
            row
            for row in rows
            if row.target and row.fulfilment_pct is not None and row.fulfilment_pct < AT_FROM
        ),
        key=lambda row: (row.fulfilment_pct, -(row.gap or 0.0), type_names.get(row.type, row.type)),
    )[:BEHIND_NAMED]
    named = tuple(
        Behind(
            type_name=type_names.get(row.type, row.type),
            target=row.target or 0,  # never 0 or None: filtered above
            counted=row.counted,
            fulfilment_pct=row.fulfilment_pct or 0.0,  # never None: filtered above
            short=max(row.gap or 0.0, 0.0),
        )
        for row in behind
    )
    if totals is None or totals.target is None:
        return Verdict("none", None, totals.counted if totals else 0.0, None, None, named)
    level = fulfilment_level(totals.fulfilment_pct)
    short = 0.0 if level == "at" else max(totals.gap or 0.0, 0.0)
    return Verdict(level, totals.fulfilment_pct, totals.counted, totals.target, short, named)
