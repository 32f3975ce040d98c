"""The ceiling check of a place import (docs/compliance.md): every place whose history the file changes
(or that it moves to another unit) is checked together with the others at its workplace, as the pages
check one change; a refused place is a row error on its first row that fills it."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlmodel import Session, col

from ..compliance.check import Proposal, check_proposals
from ..models import Unit
from .files import ImportResult, RowError
from .place_plan import Existing, Plan
from .place_rows import STATUS_CODES, PlaceRows


def _unit_ids(session: Session, places: dict[tuple[int, str], PlaceRows]) -> dict[tuple[int, str], int]:
    """The existing units the file names, by (department, folded name); a new unit has no headcount."""
    department_ids = {p.department_id for p in places.values() if p.unit}
    if not department_ids:
        return {}
    statement = sa.select(col(Unit.id), col(Unit.department_id), col(Unit.name)).where(
        col(Unit.department_id).in_(department_ids)
    )
    return {(d, name.casefold()): unit_id for unit_id, d, name in session.execute(statement)}


def ceiling_errors(
    session: Session,
    places: dict[tuple[int, str], PlaceRows],
    existing: dict[tuple[int, str], Existing],
    plan: Plan,
    result: ImportResult,
    *,
    now: datetime,
) -> None:
    """Add a row error for every place the file would take over its workplace's ceiling."""
    units = _unit_ids(session, places)
    proposals: list[Proposal] = []
    for key, place in places.items():
        old = existing.get(key)
        unit_id = units.get((place.department_id, place.unit.casefold())) if place.unit else None
        if unit_id is None and old is not None:
            unit_id = old.unit_id
        type_id = place.type_id if place.type_id is not None else (old.type_id if old else None)
        moved = old is not None and unit_id != old.unit_id
        if unit_id is None or type_id is None or (key not in plan and not moved):
            continue
        history = {day: status for day, (status, _id) in old.history.items()} if old else {}
        for day, status, _corrects, _note in plan.get(key, ()):
            history[day] = status
        if not history:
            continue
        changed = [day for day, *_ in plan.get(key, ())]
        proposals.append(
            Proposal(
                key=key,
                unit_id=unit_id,
                type_id=type_id,
                place_id=old.id if old else None,
                reference=place.reference,
                history=history,
                changed_from=min(history) if moved or not changed else min(changed),
            )
        )
    for refused, message in check_proposals(session, proposals, now=now).items():
        place = places[cast(tuple[int, str], refused)]  # a key given to a proposal above
        filling = sorted(row for _o, status, row, _n in place.events if STATUS_CODES[status] == "filled")
        result.errors.append(RowError(filling[0] if filling else place.first_row, message))
