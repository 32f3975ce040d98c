"""The proportionality rule: the ceiling of a workplace's covered places, and the rule's settings per year.

ceiling(n) = max(minimum, min(n, low_limit) // per_place_low + max(0, n - low_limit) // per_place_high):
by default one place per five ordinary employees of the first 50, one more per ten beyond, at least one.
A year without settings of its own has the default (internship and wage subsidy covered).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from ..audit import services as audit
from ..errors import DomainError
from ..models import DEFAULT_COVERED_TYPES, ComplianceRule, PlacementType, User
from ..texts import N_

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PARAMETER = 10_000


@dataclass(frozen=True)
class Rule:
    """A year's rule: the covered type codes and the ceiling's parameters."""

    covered: tuple[str, ...] = tuple(DEFAULT_COVERED_TYPES.split(","))
    per_place_low: int = 5
    low_limit: int = 50
    per_place_high: int = 10
    minimum: int = 1

    def ceiling(self, employees: int) -> int:
        """The most filled covered places a workplace with this many ordinary employees may have."""
        low = min(employees, self.low_limit) // self.per_place_low
        high = max(0, employees - self.low_limit) // self.per_place_high
        return max(self.minimum, low + high)


DEFAULT_RULE = Rule()


def ceiling(employees: int, rule: Rule = DEFAULT_RULE) -> int:
    return rule.ceiling(employees)


def rule_of(row: ComplianceRule) -> Rule:
    return Rule(
        covered=row.type_codes,
        per_place_low=row.per_place_low,
        low_limit=row.low_limit,
        per_place_high=row.per_place_high,
        minimum=row.minimum,
    )


class RuleBook:
    """Every year's rule and the placement types' ids, read once (two small tables)."""

    def __init__(self, session: Session) -> None:
        self.rules = {row.year: rule_of(row) for row in session.exec(select(ComplianceRule)).all()}
        self.type_ids = {t.code: t.id for t in session.exec(select(PlacementType)).all()}
        self.type_codes = {type_id: code for code, type_id in self.type_ids.items()}

    def rule(self, year: int) -> Rule:
        return self.rules.get(year, DEFAULT_RULE)

    def covered_ids(self, year: int) -> frozenset[int]:
        return frozenset(self.type_ids[c] for c in self.rule(year).covered if c in self.type_ids)

    def ever_covered_from(self, year: int) -> frozenset[int]:
        """The types covered in any year from `year` on (a stored rule's or the default's)."""
        ids = set(self.covered_ids(year)) | set(self.covered_ids(MAX_YEAR + 1))
        for stored in self.rules:
            if stored >= year:
                ids |= self.covered_ids(stored)
        return frozenset(ids)

    def later_years(self, year: int) -> list[int]:
        return sorted(y for y in self.rules if y > year)


def rule_for_year(session: Session, *, year: int) -> Rule:
    row = session.exec(select(ComplianceRule).where(ComplianceRule.year == year)).first()
    return DEFAULT_RULE if row is None else rule_of(row)


def _check_parameter(value: int, field: str, *, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_PARAMETER:
        raise DomainError(
            N_("Værdien skal være et helt tal fra %(low)d til %(high)d.", low=low, high=MAX_PARAMETER),
            field=field,
        )


def set_rule(
    session: Session,
    *,
    year: int,
    covered_types: Iterable[str],
    per_place_low: int,
    low_limit: int,
    per_place_high: int,
    minimum: int,
    actor: User | str,
    now: datetime,
) -> ComplianceRule:
    """Set a year's rule (BIF): the covered types and the ceiling's parameters (audited)."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(
            N_("Året skal være mellem %(low)d og %(high)d.", low=MIN_YEAR, high=MAX_YEAR), field="year"
        )
    _check_parameter(per_place_low, "per_place_low", low=1)
    _check_parameter(per_place_high, "per_place_high", low=1)
    _check_parameter(low_limit, "low_limit", low=0)
    _check_parameter(minimum, "minimum", low=0)
    known = {t.code: t for t in session.exec(select(PlacementType)).all()}
    codes = list(dict.fromkeys(c.strip() for c in covered_types if c.strip()))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DomainError(N_("Ukendt ordning '%(code)s'.", code=", ".join(unknown)), field="covered_types")
    if not codes:
        raise DomainError(N_("Vælg mindst én ordning, som reglen gælder."), field="covered_types")
    ordered = [t.code for t in sorted(known.values(), key=lambda t: (t.sort, t.id)) if t.code in codes]
    row = session.exec(select(ComplianceRule).where(ComplianceRule.year == year)).first()
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = ComplianceRule(year=year, updated_at=now)
        session.add(row)
    row.covered_types = ",".join(ordered)
    row.per_place_low, row.low_limit = per_place_low, low_limit
    row.per_place_high, row.minimum = per_place_high, minimum
    row.updated_at = now
    row.updated_by_id = actor.id if isinstance(actor, User) else None
    audit.flush_audited(session, row, action="compliance_rule.set", before=before, actor=actor, now=now)
    return row
