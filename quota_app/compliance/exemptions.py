"""BIF's exemptions of a workplace from the ceiling: a reference, a period (both days included), a reason.

An exemption is never changed; one recorded at T counts for what is known at T and later."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .. import converters
from ..audit import services as audit
from ..errors import DomainError
from ..models import ComplianceExemption, User
from ..texts import N_
from .headcounts import require_unit

_EXEMPTION = ComplianceExemption.__table__


class Exemption(NamedTuple):
    unit_id: int
    reference: str
    valid_from: date
    valid_to: date

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


def record_exemption(
    session: Session,
    *,
    unit_id: int,
    reference: str,
    valid_from: date,
    valid_to: date,
    reason: str,
    actor: User | str,
    now: datetime,
) -> ComplianceExemption:
    """Record that a workplace may exceed its ceiling from valid_from to valid_to (audited)."""
    require_unit(session, unit_id)
    reference = converters.clean_text(
        reference, field="reference", label=N_("Referencen"), max_length=100, required=True, cpr_guard=True
    )
    reason = converters.clean_text(
        reason,
        field="reason",
        label=N_("Begrundelsen"),
        max_length=2000,
        required=True,
        multiline=True,
        cpr_guard=True,
    )
    valid_from = converters.parse_date(valid_from, field="valid_from")
    valid_to = converters.parse_date(valid_to, field="valid_to")
    if valid_to < valid_from:
        raise DomainError(
            N_("Perioden skal slutte samme dag som den begynder eller senere."), field="valid_to"
        )
    row = ComplianceExemption(
        unit_id=unit_id,
        reference=reference,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason,
        recorded_at=now,
        recorded_by_id=actor.id if isinstance(actor, User) else None,
    )
    session.add(row)
    audit.flush_audited(session, row, action="compliance_exemption.create", before=None, actor=actor, now=now)
    return row


def exemptions(
    session: Session, *, unit_ids: Collection[int], known_at: datetime, ending_from: date | None = None
) -> dict[int, list[Exemption]]:
    """The exemptions of the units known at known_at (those ending on ending_from or later), by unit."""
    if not unit_ids:
        return {}
    statement = sa.select(
        _EXEMPTION.c.unit_id, _EXEMPTION.c.reference, _EXEMPTION.c.valid_from, _EXEMPTION.c.valid_to
    ).where(_EXEMPTION.c.unit_id.in_(list(unit_ids)), _EXEMPTION.c.recorded_at <= known_at)
    if ending_from is not None:
        statement = statement.where(_EXEMPTION.c.valid_to >= ending_from)
    by_unit: dict[int, list[Exemption]] = {}
    for row in session.execute(statement.order_by(_EXEMPTION.c.valid_from, _EXEMPTION.c.id)):
        by_unit.setdefault(row.unit_id, []).append(Exemption(*row))
    return by_unit


def covering(found: list[Exemption], day: date) -> Exemption | None:
    return next((e for e in found if e.covers(day)), None)


def unit_exemptions(session: Session, *, unit_id: int) -> list[ComplianceExemption]:
    return list(
        session.exec(
            select(ComplianceExemption)
            .where(col(ComplianceExemption.unit_id) == unit_id)
            .order_by(col(ComplianceExemption.valid_from).desc(), col(ComplianceExemption.id).desc())
        ).all()
    )
