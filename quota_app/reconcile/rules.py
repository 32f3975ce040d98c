"""What a count covers and how a cell counts: the departments and types asked for, the counting rule of each
type in a year (adopted, default or what-if), the year's targets, the counted-figure rule, and how a figure
compares with its target (fulfilment, a flow type's half-year share of its target, the change since the
previous half-year)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, col, select

from ..errors import DomainError
from ..models import STATUSES, WEIGHTINGS, CountingRule, Department, PlacementType, Target
from ..periods import Period
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


# --- against the target (docs/counting.md §5) ----------------------------------------------------------

# The pro-rata rule as it is stated to readers, once: the pages' methods text and the reports' methods box.
PRO_RATA_RULE = N_(
    "Forløbsordninger (jobrotation) tæller forløb påbegyndt i perioden. For et halvår vises derfor også "
    "halvårets andel af årets måltal (måltal × halvårets dage / årets dage, én decimal) og opfyldelsen af "
    "den (talt med / andelen × 100, regnet uden afrunding). Opfyldelse, status og mangler måles som for de "
    "andre ordninger mod årets måltal."
)


def fulfilment(counted: float, target: int | float | None) -> float | None:
    """counted / target × 100, unrounded; None without a target or with target 0."""
    if not target:
        return None
    return counted / target * 100


def fulfilment_pct(counted: float, target: int | float | None) -> float | None:
    """Fulfilment as shown and stored: one decimal (None without a target or with target 0)."""
    exact = fulfilment(counted, target)
    return None if exact is None else round(exact, 1)


def pro_rata_target(target: int | None, *, measure: str, period: Period | None) -> float | None:
    """A flow type's share of its annual target for a half-year, unrounded: target × the half-year's days /
    the year's days. None for stock types, a single date, a whole year, or without a target."""
    if measure != "flow" or target is None or period is None or period.half is None:
        return None
    return target * period.days / Period(period.year).days


def fulfilment_change(
    now: tuple[float, int | None] | None, before: tuple[float, int | None] | None
) -> float | None:
    """The change in fulfilment, in percentage points and one decimal, from (counted, target) before to
    (counted, target) now: computed from the unrounded fulfilments, rounded once. None when either lacks
    a fulfilment."""
    if now is None or before is None:
        return None
    a, b = fulfilment(*now), fulfilment(*before)
    if a is None or b is None:
        return None
    return round(a - b, 1)


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
    return session.exec(select(Department).order_by(col(Department.sort), col(Department.code))).all()


def all_types(session: Session) -> Sequence[PlacementType]:
    statement = select(PlacementType).order_by(col(PlacementType.sort), col(PlacementType.code))
    return session.exec(statement).all()


def departments_by_code(session: Session, codes: Sequence[str] | None) -> list[Department]:
    """The departments with these codes, or the active ones (codes None); DomainError for an unknown code."""
    return pick_by_code(all_departments(session), codes, what="forvaltning", field="department")


def types_by_code(session: Session, codes: Sequence[str] | None) -> list[PlacementType]:
    """The placement types with these codes, or the active ones (codes None); DomainError for an unknown code."""
    return pick_by_code(all_types(session), codes, what="ordning", field="type")


def type_ids(session: Session) -> list[int]:
    """Every placement type's id, retired ones too."""
    return [t.id for t in all_types(session)]


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
        [d.id for d in (departments if department_codes is not None else every_department)],
        [t.id for t in (types if type_codes is not None else every_type)],
    )


# --- rules and targets ---------------------------------------------------------------------------------


def counting_rules(
    session: Session, *, year: int, types: Iterable[PlacementType], overrides: Sequence[RuleOverride] = ()
) -> dict[str, Rule]:
    """Return the rule per type code for a year: adopted rule, else the default (docs/counting.md §3); what-ifs win."""
    types = list(types)
    adopted = {
        r.type_id: r for r in session.exec(select(CountingRule).where(col(CountingRule.year) == year)).all()
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
        what_if = by_code.get(t.code)
        if what_if is not None:
            statuses = tuple(what_if.counted_statuses)
            weighting = what_if.weighting or weighting
        rules[t.code] = Rule(tuple(statuses), weighting)
    return rules


def targets_of_year(session: Session, year: int) -> dict[tuple[int, int], int]:
    """The year's targets per (department id, type id)."""
    rows = session.exec(
        select(col(Target.department_id), col(Target.type_id), col(Target.value)).where(
            col(Target.year) == year
        )
    )
    return {(d, t): v for d, t, v in rows}
