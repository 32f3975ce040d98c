"""The overview: every active department and placement type reconciled with the adopted counting rules,
and with a what-if if one is chosen, and the places open longest across all departments (all cached, see
cache)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from ..reconcile.ageing import open_places_longest
from ..reconcile.types import OpenPlaceAge, Reconciliation, ReconciliationRow, RuleOverride
from .cache import data_fingerprint, labelled, reconcile_measure, reconciliation, remember
from .measure import DepartmentInfo, Measure, TypeInfo, active_departments, placement_types

OPEN_LONGEST = 20  # the places open longest the overview lists


@dataclass
class Overview:
    measure: Measure
    departments: list[DepartmentInfo]
    types: list[TypeInfo]
    adopted: Reconciliation
    what_if: Reconciliation | None = None
    overrides: tuple[RuleOverride, ...] = ()
    longest: list[OpenPlaceAge] = field(default_factory=list)  # open longest, all departments
    _cells: dict[tuple[str, str], ReconciliationRow] = field(default_factory=dict)
    _what_if_cells: dict[tuple[str, str], ReconciliationRow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._cells = {(r.department, r.type): r for r in self.adopted.rows}
        if self.what_if is not None:
            self._what_if_cells = {(r.department, r.type): r for r in self.what_if.rows}

    def cell(self, department: str, type_code: str) -> ReconciliationRow | None:
        return self._cells.get((department, type_code))

    def what_if_cell(self, department: str, type_code: str) -> ReconciliationRow | None:
        return self._what_if_cells.get((department, type_code))

    @property
    def overridden_types(self) -> set[str]:
        return {o.type_code for o in self.overrides}


def build_overview(
    session: Session, *, measure: Measure, overrides: Sequence[RuleOverride] = (), now: datetime
) -> Overview:
    """Reconcile every active department and type with the adopted rules, and with the what-if if any."""
    fingerprint = data_fingerprint(session)
    # The adopted figures and the places open longest are one cached result: the page's own.
    adopted, longest = remember(
        session,
        name="overview",
        params=(),
        measure=measure,
        now=now,
        fingerprint=fingerprint,
        compute=lambda: (
            reconcile_measure(session, measure=measure),
            open_places_longest(session, as_of=measure.day, known_at=measure.known_at, limit=OPEN_LONGEST),
        ),
    )
    what_if = (
        reconciliation(session, measure=measure, overrides=overrides, now=now, fingerprint=fingerprint)
        if overrides
        else None
    )
    return Overview(
        measure=measure,
        departments=active_departments(session),
        types=placement_types(session),
        adopted=labelled(adopted, measure),
        what_if=what_if,
        overrides=tuple(overrides),
        longest=longest,
    )
