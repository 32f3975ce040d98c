"""Registering a place: the place and its first status event (docs/counting.md §1)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from ..audit import services as audit
from ..compliance.check import Proposal, check_proposals
from ..errors import DomainError, NotFound
from ..models import Department, Place, PlacementType, Unit, User
from ..texts import N_
from .editing import origin_row
from .rules import _actor_id, _check_text, check_not_future, transition_problem, type_name
from .status_events import _add_event


def register_place(
    session: Session,
    *,
    department_id: int,
    type_code: str,
    reference: str,
    title: str = "",
    unit_id: int | None = None,
    fte: float = 1.0,
    status: str,
    effective_date: date,
    note: str = "",
    actor: User | str,
    now: datetime,
    source: str = "web",
) -> Place:
    """Create a place with its first status event."""
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(N_("Forvaltningen findes ikke."))
    placement_type = session.exec(select(PlacementType).where(PlacementType.code == type_code)).first()
    if placement_type is None:
        raise DomainError(N_("Ukendt ordning '%(code)s'.", code=type_code), field="type")
    if not placement_type.active:
        raise DomainError(
            N_("Ordningen %(name)s er ikke længere i brug.", name=type_name(placement_type)), field="type"
        )
    reference = _check_text(reference, "reference", required=True)
    title = _check_text(title, "title")
    note = _check_text(note, "note")
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None or unit.department_id != department.id:
            raise DomainError(N_("Enheden hører ikke til forvaltningen."), field="unit")
    if not (0 < fte <= 1):
        raise DomainError(N_("Årsværk (fte) skal være over 0 og højst 1."), field="fte")
    problem = transition_problem(None, status, effective_date)
    if problem:
        raise DomainError(problem, field="status")
    check_not_future(effective_date, now=now)
    duplicate = session.exec(
        select(Place.id).where(Place.department_id == department.id, Place.reference == reference)
    ).first()
    if duplicate is not None:
        raise DomainError(
            N_(
                "Der findes allerede en plads med referencen '%(reference)s' i %(department)s.",
                reference=reference,
                department=department.code,
            ),
            field="reference",
        )
    if status == "filled" and unit_id is not None:
        proposal = Proposal(
            key=reference,
            unit_id=unit_id,
            type_id=placement_type.id,
            place_id=None,
            reference=reference,
            history={effective_date: status},
            changed_from=effective_date,
        )
        refused = check_proposals(session, [proposal], now=now)
        if refused:
            raise DomainError(refused[reference], field="status")
    place = Place(
        department_id=department.id,
        unit_id=unit_id,
        type_id=placement_type.id,
        reference=reference,
        title=title,
        fte=fte,
        current_status=status,
        current_since=effective_date,
        created_at=now,
        created_by_id=_actor_id(actor),
    )
    session.add(place)
    session.flush()
    session.add(origin_row(place, source=source))  # its unit and fte from the start (editing.py)
    event = _add_event(session, place, status, effective_date, note=note, source=source, actor=actor, now=now)
    audit.flush_audited(session, place, action="place.create", before=None, actor=actor, now=now)
    audit.record(
        session, actor=actor, action="place.status", entity=event, after=audit.snapshot(event), at=now
    )
    return place
