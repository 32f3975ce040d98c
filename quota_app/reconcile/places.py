"""Which places: those behind a figure (docs/counting.md §6), and the one query that lists places with their
department, unit and placement type (the places pages, exports, the API, the overview's lists, the mails)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from ..errors import DomainError
from ..models import STATUSES, Department, Place, PlacementType, Unit
from ..texts import N_
from .dates import flow_start_of
from .queries import holds_on, known_intervals, scope, starts_within
from .rules import counting_rules, departments_by_code, types_by_code
from .types import RuleOverride


def place_listing(*columns: Any) -> Any:
    """Select columns from the places joined with their department and placement type, and their unit if
    they have one; the caller adds its conditions and order."""
    return (
        select(*columns)
        .select_from(Place)
        .join(Department, Department.id == Place.department_id)
        .join(PlacementType, PlacementType.id == Place.type_id)
        .outerjoin(Unit, Unit.id == Place.unit_id)
    )


def place_ids_query(
    *,
    known_at: datetime,
    as_of: date,
    department_ids: Sequence[int],
    type_ids: Sequence[int],
    statuses: Sequence[str],
    starts_from: date | None = None,
) -> sa.Select[Any]:
    """Return the ids of the places in one of statuses on as_of, as known at known_at; with starts_from,
    those filled (from another status, or first) from starts_from to as_of instead: a flow type's starts."""

    def conditions(t: sa.Table) -> Sequence[Any]:
        scoped = scope(t, department_ids=department_ids, type_ids=type_ids, statuses=statuses)
        if starts_from is None:
            return (*scoped, holds_on(t, as_of))
        return (*scoped, *starts_within(t, starts_from, as_of))

    ids = known_intervals(known_at, lambda t: (t.c.place_id,), conditions, name="place_ids")
    return sa.select(ids.c.place_id).distinct().order_by(ids.c.place_id)


def places_behind(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    department_codes: Sequence[str],
    type_codes: Sequence[str],
    status: str | None = None,
    overrides: Sequence[RuleOverride] = (),
    flow_from: date | None = None,
) -> list[int]:
    """Return the ids (ascending) of the places behind a figure over departments and types.

    With a status: the places in it on as_of. Without (status None): those counted, as reconcile counts
    them. A stock type counts the places in its rule's statuses on as_of (the adopted rule of as_of's
    year, or the type's what-if in overrides); a flow type counts those filled (from another status, or as
    their first event) from flow_from (the period's first day; default 1 January of as_of's year) to as_of.
    """
    departments = departments_by_code(session, department_codes)
    types = types_by_code(session, type_codes)
    if status is not None and status not in STATUSES:
        raise DomainError(N_("Ukendt status: %(statuses)s.", statuses=status), field="status")
    wanted = {t.code for t in types}
    rules = counting_rules(
        session, year=as_of.year, types=types, overrides=[o for o in overrides if o.type_code in wanted]
    )

    def counts(ptype: PlacementType) -> tuple[str, ...] | None:
        """The statuses on as_of that the type's figure lists, or None for a flow type's starts."""
        if status is not None:
            return (status,)
        return None if ptype.measure == "flow" else rules[ptype.code].statuses

    # One query per set of statuses (the flow types' starts apart), over every department at once.
    type_ids_by_statuses: dict[tuple[str, ...] | None, list[int]] = defaultdict(list)
    for ptype in types:
        type_ids_by_statuses[counts(ptype)].append(ptype.id)
    ids: set[int] = set()
    for statuses, type_ids in type_ids_by_statuses.items():
        if statuses == ():
            continue  # a rule that counts nothing
        query = place_ids_query(
            known_at=known_at,
            as_of=as_of,
            department_ids=[d.id for d in departments],
            type_ids=type_ids,
            statuses=["filled"] if statuses is None else list(statuses),
            starts_from=(flow_from or flow_start_of(as_of)) if statuses is None else None,
        )
        ids.update(int(pid) for (pid,) in session.execute(query))
    return sorted(ids)
