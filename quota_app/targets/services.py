"""Targets per year, department and type (every revision kept), municipality figures and counting rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from .. import converters
from ..audit import services as audit
from ..errors import DomainError, NotFound
from ..imports.files import ImportLimits, RowError, parse_date, read_table
from ..models import (
    STATUSES,
    WEIGHTINGS,
    CountingRule,
    Department,
    DepartmentHeadcount,
    MunicipalityTarget,
    PlacementType,
    Target,
    TargetRevision,
    User,
)
from ..texts import N_

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_VALUE = 1_000_000
REFERENCE_TOO_LONG = N_("Referencen må højst være 300 tegn.")


def largest_remainder(total: int, weights: dict, /) -> dict:
    """Split total in proportion to weights so the integer parts add up exactly (ties by key)."""
    weight_sum = sum(weights.values())
    if total == 0 or weight_sum == 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / weight_sum for k, w in weights.items()}
    parts = {k: int(v) for k, v in exact.items()}
    left = total - sum(parts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), str(k)))[:left]:
        parts[k] += 1
    return parts


def check_year(year: int) -> None:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(
            N_("Året skal være mellem %(low)d og %(high)d.", low=MIN_YEAR, high=MAX_YEAR), field="year"
        )


def _check_value(value: int, *, field_name: str = "value") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError(N_("Måltallet skal være et helt tal, 0 eller større."), field=field_name)
    if value > MAX_VALUE:
        raise DomainError(N_("Måltallet må højst være %(max)d.", max=MAX_VALUE), field=field_name)


def _check_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if len(reference) > 300:
        raise DomainError(REFERENCE_TOO_LONG, field="reference")
    return converters.clean_text(
        reference, field="reference", label=N_("Referencen"), max_length=None, cpr_guard=True
    )


def _department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(N_("Ukendt forvaltning."))
    return department


def _type(session: Session, type_id: int) -> PlacementType:
    placement_type = session.get(PlacementType, type_id)
    if placement_type is None:
        raise NotFound(N_("Ukendt ordning."))
    return placement_type


def get_target(session: Session, *, year: int, department_id: int, type_id: int) -> Target | None:
    return session.exec(
        select(Target).where(
            Target.year == year, Target.department_id == department_id, Target.type_id == type_id
        )
    ).first()


def _flush_audited(
    session: Session, row: Any, *, action: str, before: dict | None, actor: User | str, now: datetime
) -> None:
    """Flush a created or changed row and audit it (before: its snapshot before the change, None if new)."""
    session.flush()
    audit.record(
        session, actor=actor, action=action, entity=row, before=before, after=audit.snapshot(row), at=now
    )


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
    _check_value(value)
    reference = _check_reference(reference)
    _department(session, department_id)
    _type(session, type_id)
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
    _flush_audited(session, target, action="target.set", before=before, actor=actor, now=now)
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
            .order_by(TargetRevision.recorded_at, TargetRevision.id)
        ).all()
    )


def active_departments(session: Session) -> list[Department]:
    return list(
        session.exec(select(Department).where(Department.active).order_by(Department.sort, Department.id))
    )


def active_types(session: Session) -> list[PlacementType]:
    return list(
        session.exec(
            select(PlacementType).where(PlacementType.active).order_by(PlacementType.sort, PlacementType.id)
        )
    )


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


# --- Municipality-wide figures and headcounts ---


def set_municipality_target(
    session: Session,
    *,
    year: int,
    type_id: int,
    value: int,
    decided_on: date | None,
    reference: str,
    actor: User | str,
    now: datetime,
) -> MunicipalityTarget:
    """Create or change the municipality-wide target of a year and type (audited)."""
    check_year(year)
    _check_value(value)
    reference = _check_reference(reference)
    _type(session, type_id)
    row = session.exec(
        select(MunicipalityTarget).where(
            MunicipalityTarget.year == year, MunicipalityTarget.type_id == type_id
        )
    ).first()
    if row is not None and (row.value, row.decided_on, row.reference) == (value, decided_on, reference):
        return row
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = MunicipalityTarget(year=year, type_id=type_id, value=value)
        session.add(row)
    row.value, row.decided_on, row.reference = value, decided_on, reference
    _flush_audited(session, row, action="municipality_target.set", before=before, actor=actor, now=now)
    return row


def municipality_targets(session: Session, *, year: int) -> dict[int, MunicipalityTarget]:
    rows = session.exec(select(MunicipalityTarget).where(MunicipalityTarget.year == year)).all()
    return {r.type_id: r for r in rows}


def set_headcount(
    session: Session, *, year: int, department_id: int, employees: int, actor: User | str, now: datetime
) -> DepartmentHeadcount:
    """Create or change a department's number of employees in a year (audited)."""
    check_year(year)
    if isinstance(employees, bool) or not isinstance(employees, int) or employees < 0:
        raise DomainError(N_("Antal ansatte skal være et helt tal, 0 eller større."), field="employees")
    _department(session, department_id)
    row = session.exec(
        select(DepartmentHeadcount).where(
            DepartmentHeadcount.year == year, DepartmentHeadcount.department_id == department_id
        )
    ).first()
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = DepartmentHeadcount(year=year, department_id=department_id, employees=employees)
        session.add(row)
    row.employees = employees
    _flush_audited(session, row, action="headcount.set", before=before, actor=actor, now=now)
    return row


def headcounts(session: Session, *, year: int) -> dict[int, int]:
    rows = session.exec(select(DepartmentHeadcount).where(DepartmentHeadcount.year == year)).all()
    return {r.department_id: r.employees for r in rows}


def derive_department_targets(
    session: Session,
    *,
    year: int,
    type_id: int,
    decided_on: date | None = None,
    reference: str = "",
    actor: User | str,
    now: datetime,
) -> dict[int, int]:
    """Split the municipality figure over the active departments by headcount (largest remainder)."""
    municipal = municipality_targets(session, year=year).get(type_id)
    if municipal is None:
        raise DomainError(
            N_("Der er intet kommunalt måltal for %(year)d for denne ordning.", year=year), field="type"
        )
    counts = headcounts(session, year=year)
    weights = {d.id: counts.get(d.id, 0) for d in active_departments(session)}
    if not weights or sum(weights.values()) == 0:
        raise DomainError(
            N_("Der er ingen antal ansatte for %(year)d: indtast dem først.", year=year), field="headcount"
        )
    parts = largest_remainder(municipal.value, weights)
    reference = reference or municipal.reference or f"Fordelt efter antal ansatte {year}"
    for department_id, value in sorted(parts.items()):
        set_target(
            session,
            year=year,
            department_id=department_id,
            type_id=type_id,
            value=value,
            decided_on=decided_on or municipal.decided_on,
            reference=reference,
            actor=actor,
            now=now,
        )
    return parts


@dataclass(frozen=True)
class SumWarning:
    type_id: int
    type_code: str
    municipality_value: int
    department_sum: int

    @property
    def difference(self) -> int:
        return self.department_sum - self.municipality_value


def sum_warnings(session: Session, *, year: int) -> list[SumWarning]:
    """Return the types whose department targets do not add up to the municipality-wide figure."""
    municipal = municipality_targets(session, year=year)
    if not municipal:
        return []
    sums: dict[int, int] = {}
    for target in targets_for_year(session, year=year).values():
        sums[target.type_id] = sums.get(target.type_id, 0) + target.value
    warnings = []
    for type_id, row in sorted(municipal.items()):
        if sums.get(type_id, 0) != row.value:
            placement_type = session.get(PlacementType, type_id)
            warnings.append(SumWarning(type_id, placement_type.code, row.value, sums.get(type_id, 0)))
    return warnings


# --- Counting rules ---


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
    placement_type = _type(session, type_id)
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
    _flush_audited(session, rule, action="counting_rule.set", before=before, actor=actor, now=now)
    return rule


# --- Import (docs/files.md §4: year;department;type;value;decided_on;reference) ---

TARGET_COLUMNS = ("year", "department", "type", "value", "decided_on", "reference")
REQUIRED_COLUMNS = ("year", "department", "type", "value")


@dataclass
class TargetImportResult:
    rows_read: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_int(text: str, what: str) -> int:
    cleaned = text.strip().replace(".", "").replace(" ", "")
    if not cleaned.lstrip("-").isdigit():
        raise DomainError(N_("%(what)s '%(text)s' er ikke et helt tal.", what=what, text=text))
    return int(cleaned)


def import_targets(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: User | str,
    now: datetime,
    dry_run: bool = False,
    limits: ImportLimits | None = None,
) -> TargetImportResult:
    """Import targets (year;department;type;value;decided_on;reference): all or nothing, idempotent.

    Every row is validated before anything is written; with any error nothing is written and every bad
    row is reported. Rows equal to the current target change nothing.
    """
    table = read_table(data, filename, limits)
    named = [c for c in table.header if c]
    doubled = sorted({c for c in named if named.count(c) > 1})
    unknown = [c for c in named if c not in TARGET_COLUMNS]
    if doubled or unknown:  # a second column of a name, or one we do not read, would be silently ignored
        raise DomainError(
            N_(
                "Overskriften har kolonner, der står der to gange eller er ukendte: %(columns)s.",
                columns=", ".join(doubled + unknown),
            )
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in table.header]
    if missing:
        raise DomainError(N_("Filen mangler kolonnen/kolonnerne: %(columns)s.", columns=", ".join(missing)))
    index = {name: table.header.index(name) for name in TARGET_COLUMNS if name in table.header}
    departments = {d.code.casefold(): d for d in session.exec(select(Department)).all()}
    types: dict[str, PlacementType] = {}
    for t in session.exec(select(PlacementType)).all():
        for name in (t.code, t.name_da, t.name_en):
            types[name.casefold()] = t
    result = TargetImportResult()
    planned: dict[tuple[int, int, int], tuple[int, int, date | None, str]] = {}
    for row_number, cells in table.rows:
        result.rows_read += 1
        if isinstance(cells, RowError):  # the reader found the row itself broken
            result.errors.append(cells)
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            position = index.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        problems: list[str] = []
        year = value = None
        decided_on = None
        try:
            year = _parse_int(cell("year"), N_("Året"))
            check_year(year)
        except DomainError as exc:
            problems.append(exc.message)
        department = departments.get(cell("department").casefold())
        if department is None:
            problems.append(N_("Ukendt forvaltning '%(code)s'.", code=cell("department")))
        placement_type = types.get(cell("type").casefold())
        if placement_type is None:
            problems.append(N_("Ukendt ordning '%(code)s'.", code=cell("type")))
        try:
            value = _parse_int(cell("value"), N_("Måltallet"))
            _check_value(value)
        except DomainError as exc:
            problems.append(exc.message)
        if cell("decided_on"):
            try:
                decided_on = parse_date(cell("decided_on"))
            except DomainError as exc:
                problems.append(exc.message)
        reference = cell("reference")
        if len(reference) > 300:
            problems.append(REFERENCE_TOO_LONG)
        if not problems:
            key = (year, department.id, placement_type.id)
            if key in planned and planned[key][1:] != (value, decided_on, reference):
                problems.append(
                    N_(
                        "Rækken modsiger række %(row)d (%(department)s, %(type)s, %(year)d).",
                        row=planned[key][0],
                        department=department.code,
                        type=placement_type.code,
                        year=year,
                    )
                )
            planned.setdefault(key, (row_number, value, decided_on, reference))
        for message in problems:
            result.errors.append(RowError(row_number, message))
    if result.rows_read == 0:
        raise DomainError(N_("Filen indeholder ingen rækker med måltal."))
    if result.errors:
        return result
    for (year, department_id, type_id), (_row, value, decided_on, reference) in planned.items():
        existing = get_target(session, year=year, department_id=department_id, type_id=type_id)
        if existing is not None and (existing.value, existing.decided_on, existing.reference) == (
            value,
            decided_on,
            reference,
        ):
            result.unchanged += 1
            continue
        if existing is None:
            result.created += 1
        else:
            result.changed += 1
        if not dry_run:
            set_target(
                session,
                year=year,
                department_id=department_id,
                type_id=type_id,
                value=value,
                decided_on=decided_on,
                reference=reference,
                actor=actor,
                now=now,
            )
    result.unchanged += result.rows_read - len(planned)  # repeated identical rows
    if not dry_run:
        audit.record(
            session,
            actor=actor,
            action="target.import",
            entity_type="target",
            after={
                "filename": filename,
                "rows": result.rows_read,
                "created": result.created,
                "changed": result.changed,
            },
            at=now,
        )
    return result
