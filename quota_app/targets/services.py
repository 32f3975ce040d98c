"""A department's target per year and placement type: set, look up, its revisions and who recorded them,
copying a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from ..audit import services as audit
from ..audit.services import flush_audited
from ..errors import DomainError, NotFound
from ..models import AuditEntry, CountingRule, Department, PlacementType, Target, TargetRevision, User
from ..texts import N_
from .checks import check_reference, check_value, check_year, require_department, require_type
from .counting_rules import set_counting_rule


def get_target(session: Session, *, year: int, department_id: int, type_id: int) -> Target | None:
    return session.exec(
        select(Target).where(
            Target.year == year, Target.department_id == department_id, Target.type_id == type_id
        )
    ).first()


def set_target(
    session: Session,
    *,
    year: int,
    department_id: int,
    type_id: int,
    value: int,
    decided_on: date | None,
    reference: str,
    actor: User | str,
    now: datetime,
) -> Target:
    """Create or change a target; every change keeps a TargetRevision and an audit entry.

    Saving the same value, decision date and reference again changes nothing (no new revision).
    """
    check_year(year)
    check_value(value)
    reference = check_reference(reference)
    require_department(session, department_id)
    require_type(session, type_id)
    actor_id = actor.id if isinstance(actor, User) else None
    target = get_target(session, year=year, department_id=department_id, type_id=type_id)
    if target is not None and (target.value, target.decided_on, target.reference) == (
        value,
        decided_on,
        reference,
    ):
        return target
    before = audit.snapshot(target) if target is not None else None
    if target is None:
        target = Target(year=year, department_id=department_id, type_id=type_id, value=value, updated_at=now)
        session.add(target)
    target.value = value
    target.decided_on = decided_on
    target.reference = reference
    target.updated_at = now
    target.updated_by_id = actor_id
    session.flush()
    session.add(
        TargetRevision(
            target_id=target.id,
            value=value,
            decided_on=decided_on,
            reference=reference,
            recorded_at=now,
            recorded_by_id=actor_id,
        )
    )
    flush_audited(session, target, action="target.set", before=before, actor=actor, now=now)
    return target


def targets_for_year(session: Session, *, year: int) -> dict[tuple[int, int], Target]:
    """Return the year's targets by (department id, type id)."""
    rows = session.exec(select(Target).where(Target.year == year)).all()
    return {(t.department_id, t.type_id): t for t in rows}


def target_history(session: Session, *, target_id: int) -> list[TargetRevision]:
    """Return every revision of a target, oldest first."""
    if session.get(Target, target_id) is None:
        raise NotFound(N_("Måltallet findes ikke."))
    return list(
        session.exec(
            select(TargetRevision)
            .where(TargetRevision.target_id == target_id)
            .order_by(col(TargetRevision.recorded_at), col(TargetRevision.id))
        ).all()
    )


@dataclass(frozen=True)
class Author:
    """Who recorded a revision: a user's name and e-mail, or the audit log's label ("cli", "system", ...)."""

    name: str
    email: str
    label: str = ""


def revision_authors(session: Session, revisions: list[TargetRevision]) -> dict[int, Author]:
    """Return who recorded each revision (by revision id): the user, or else the actor the audit log names
    for the same target at the same moment (imports and the command line record no user)."""
    user_ids = {r.recorded_by_id for r in revisions if r.recorded_by_id is not None}
    users: dict[int | None, User] = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()}
        if user_ids
        else {}
    )
    target_ids = {str(r.target_id) for r in revisions}
    labels: dict[tuple[Any, ...], str] = {}
    for entry in session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.action == "target.set",
            AuditEntry.entity_type == "target",
            col(AuditEntry.entity_id).in_(target_ids),
        )
        .order_by(col(AuditEntry.id))
    ).all():
        after = entry.after or {}
        labels[(entry.entity_id, entry.at, after.get("value"), after.get("reference"))] = entry.actor_label
    authors = {}
    for revision in revisions:
        user = users.get(revision.recorded_by_id)
        if user is not None:
            authors[revision.id] = Author(user.name, user.email)
        else:
            key = (str(revision.target_id), revision.recorded_at, revision.value, revision.reference)
            authors[revision.id] = Author("", "", labels.get(key, "system"))
    return authors


def active_departments(session: Session) -> list[Department]:
    return list(
        session.exec(
            select(Department)
            .where(col(Department.active))
            .order_by(col(Department.sort), col(Department.id))
        )
    )


def active_types(session: Session) -> list[PlacementType]:
    return list(
        session.exec(
            select(PlacementType)
            .where(col(PlacementType.active))
            .order_by(col(PlacementType.sort), col(PlacementType.id))
        )
    )


def grid(
    session: Session, *, year: int
) -> tuple[list[Department], list[PlacementType], dict[tuple[int, int], Target]]:
    """A year's grid: the active departments and types, and the cells of retired ones that still hold a
    target for the year (after the active ones), with the year's targets by (department id, type id)."""
    departments = active_departments(session)
    types = active_types(session)
    targets = targets_for_year(session, year=year)
    department_ids = {d.id for d in departments}
    type_ids = {t.id for t in types}
    for department_id, type_id in targets:
        if department_id not in department_ids:
            departments.append(session.get_one(Department, department_id))
            department_ids.add(department_id)
        if type_id not in type_ids:
            types.append(session.get_one(PlacementType, type_id))
            type_ids.add(type_id)
    return departments, types, targets


def copy_year(session: Session, *, from_year: int, to_year: int, actor: User | str, now: datetime) -> int:
    """Copy last year's targets (and rules) into cells of to_year that have none; return the count."""
    check_year(from_year)
    check_year(to_year)
    if from_year == to_year:
        raise DomainError(N_("Der kan ikke kopieres fra et år til samme år."), field="from_year")
    source = targets_for_year(session, year=from_year)
    if not source:
        raise DomainError(
            N_("Der er ingen måltal for %(year)d at kopiere.", year=from_year), field="from_year"
        )
    existing = targets_for_year(session, year=to_year)
    copied = 0
    for key, target in sorted(source.items()):
        if key in existing:
            continue
        set_target(
            session,
            year=to_year,
            department_id=target.department_id,
            type_id=target.type_id,
            value=target.value,
            decided_on=None,
            reference=f"Kopieret fra {from_year}",
            actor=actor,
            now=now,
        )
        copied += 1
    have_rules = {r.type_id for r in session.exec(select(CountingRule).where(CountingRule.year == to_year))}
    for rule in session.exec(select(CountingRule).where(CountingRule.year == from_year)).all():
        if rule.type_id not in have_rules:
            set_counting_rule(
                session,
                year=to_year,
                type_id=rule.type_id,
                counted_statuses=rule.statuses,
                weighting=rule.weighting,
                actor=actor,
                now=now,
            )
    audit.record(
        session,
        actor=actor,
        action="target.copy_year",
        entity_type="target",
        after={"from_year": from_year, "to_year": to_year, "copied": copied},
        at=now,
    )
    return copied
