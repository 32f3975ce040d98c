"""Counting rules per year and placement type: which statuses count and how places are weighted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from ..audit import services as audit
from ..audit.services import flush_audited
from ..errors import DomainError
from ..models import STATUSES, WEIGHTINGS, CountingRule, User
from ..texts import N_
from .checks import check_year, require_type


def rules_for_year(session: Session, *, year: int) -> dict[int, CountingRule]:
    rows = session.exec(select(CountingRule).where(CountingRule.year == year)).all()
    return {r.type_id: r for r in rows}


def set_counting_rule(
    session: Session,
    *,
    year: int,
    type_id: int,
    counted_statuses: Iterable[str],
    weighting: str,
    actor: User | str,
    now: datetime,
) -> CountingRule:
    """Set which statuses count (stock types) and the weighting of a year and type (audited)."""
    check_year(year)
    placement_type = require_type(session, type_id)
    statuses = [s for s in STATUSES if s in set(counted_statuses)]
    unknown = set(counted_statuses) - set(STATUSES)
    if unknown:
        raise DomainError(
            N_("Ukendt status: %(statuses)s.", statuses=", ".join(sorted(unknown))), field="counted_statuses"
        )
    if weighting not in WEIGHTINGS:
        raise DomainError(N_("Vægtning skal være 'headcount' eller 'fte'."), field="weighting")
    if placement_type.measure == "flow":
        statuses = []  # flow types count starts (fills), whatever is ticked
    elif not statuses:
        raise DomainError(N_("Vælg mindst én status, der tæller med."), field="counted_statuses")
    rule = session.exec(
        select(CountingRule).where(CountingRule.year == year, CountingRule.type_id == type_id)
    ).first()
    before = audit.snapshot(rule) if rule is not None else None
    if rule is None:
        rule = CountingRule(year=year, type_id=type_id)
        session.add(rule)
    rule.counted_statuses = ",".join(statuses)
    rule.weighting = weighting
    flush_audited(session, rule, action="counting_rule.set", before=before, actor=actor, now=now)
    return rule
