"""What a count covers and how a cell counts: the departments and types asked for, the counting rule of each
type in a year (adopted, default or what-if), the year's targets, and the counted-figure rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from ..errors import DomainError
from ..models import STATUSES, WEIGHTINGS, CountingRule, Department, PlacementType, Target
from ..reference import PLACEMENT_TYPES
from ..texts import N_
from .types import RuleOverride

DEFAULT_RULES = {t.code: tuple(s for s in t.counted_statuses.split(",") if s) for t in PLACEMENT_TYPES}
NEEDS_TIMEZONE = N_("Tidspunktet (known_at) skal have en tidszone.")
# What pick_by_code says about codes it does not know, per kind of row.
UNKNOWN_CODES: dict[str, Callable[[str], str]] = {
    "forvaltning": lambda codes: N_("Ukendt forvaltning: %(codes)s.", codes=codes),
    "ordning": lambda codes: N_("Ukendt ordning: %(codes)s.", codes=codes),
}
C = TypeVar("C", Department, PlacementType)


@dataclass(frozen=True)
class Rule:
    """A type's counting rule as applied: the statuses that count (none for flow types) and the weighting."""

    statuses: tuple[str, ...]
    weighting: str


def counted_figure(rule: Rule, *, measure: str, by_status: Mapping[str, float], starts: float) -> float:
    """What a cell counts (docs/counting.md §4): a flow type its starts, a stock type the sum of its places
    in the statuses its rule counts."""
    if measure == "flow":
        return starts
    return sum(by_status.get(s, 0.0) for s in rule.statuses)


# --- departments and types -----------------------------------------------------------------------------


def pick_by_code(rows: Sequence[C], codes: Sequence[str] | None, *, what: str, field: str) -> list[C]:
    """The active rows if no codes are given, else the rows with those codes (DomainError for an unknown code)."""
    if codes is None:
        return [r for r in rows if r.active]
    by_code = {r.code: r for r in rows}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise DomainError(UNKNOWN_CODES[what](", ".join(unknown)), field=field)
    wanted = set(codes)
    return [r for r in rows if r.code in wanted]


def all_departments(session: Session) -> Sequence[Department]:
    return session.exec(sa.select(Department).order_by(Department.sort, Department.code)).scalars().all()


def all_types(session: Session) -> Sequence[PlacementType]:
    statement = sa.select(PlacementType).order_by(PlacementType.sort, PlacementType.code)
    return session.exec(statement).scalars().all()


def departments_by_code(session: Session, codes: Sequence[str] | None) -> list[Department]:
    """The departments with these codes, or the active ones (codes None); DomainError for an unknown code."""
    return pick_by_code(all_departments(session), codes, what="forvaltning", field="department")


def types_by_code(session: Session, codes: Sequence[str] | None) -> list[PlacementType]:
    """The placement types with these codes, or the active ones (codes None); DomainError for an unknown code."""
    return pick_by_code(all_types(session), codes, what="ordning", field="type")


def type_ids(session: Session) -> list[int]:
    """Every placement type's id, retired ones too."""
    return [t.id for t in all_types(session)]  # type: ignore[misc]


def scope_ids(
    session: Session, department_codes: Sequence[str] | None, type_codes: Sequence[str] | None
) -> tuple[list[Department], list[PlacementType], list[int], list[int]]:
    """The departments and types to report (the active ones unless codes are given) and the ids of
    those to count (all of them, retired ones too, unless codes are given)."""
    every_department, every_type = all_departments(session), all_types(session)
    departments = pick_by_code(every_department, department_codes, what="forvaltning", field="department")
    types = pick_by_code(every_type, type_codes, what="ordning", field="type")
    return (
        departments,
        types,
        [d.id for d in (departments if department_codes is not None else every_department)],  # type: ignore[misc]
        [t.id for t in (types if type_codes is not None else every_type)],  # type: ignore[misc]
    )


# --- rules and targets ---------------------------------------------------------------------------------


def counting_rules(
    session: Session, *, year: int, types: Iterable[PlacementType], overrides: Sequence[RuleOverride] = ()
) -> dict[str, Rule]:
    """Return the rule per type code for a year: adopted rule, else the default (docs/counting.md §3); what-ifs win."""
    types = list(types)
    adopted = {
        r.type_id: r
        for r in session.exec(sa.select(CountingRule).where(CountingRule.year == year)).scalars().all()
    }
    by_code = {o.type_code: o for o in overrides}
    known = {t.code for t in types}
    for override in overrides:
        if override.type_code not in known:
            raise DomainError(N_("Ukendt ordning i regel: %(code)s.", code=override.type_code), field="count")
        bad = [s for s in override.counted_statuses if s not in STATUSES]
        if bad:
            raise DomainError(
                N_(
                    "Ukendt status i regel for %(code)s: %(statuses)s (brug %(known)s).",
                    code=override.type_code,
                    statuses=", ".join(bad),
                    known=", ".join(STATUSES),
                ),
                field="count",
            )
        if override.weighting is not None and override.weighting not in WEIGHTINGS:
            raise DomainError(
                N_("Ukendt vægtning: %(weighting)s.", weighting=override.weighting), field="count"
            )
    rules: dict[str, Rule] = {}
    for t in types:
        rule = adopted.get(t.id)
        statuses = rule.statuses if rule else DEFAULT_RULES.get(t.code, ("filled",))
        weighting = rule.weighting if rule else "headcount"
        override = by_code.get(t.code)
        if override is not None:
            statuses = tuple(override.counted_statuses)
            weighting = override.weighting or weighting
        rules[t.code] = Rule(tuple(statuses), weighting)
    return rules


def targets_of_year(session: Session, year: int) -> dict[tuple[int, int], int]:
    """The year's targets per (department id, type id)."""
    rows = session.exec(
        sa.select(Target.department_id, Target.type_id, Target.value).where(Target.year == year)
    )
    return {(d, t): v for d, t, v in rows}
