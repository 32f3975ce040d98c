"""Gather a report's figures from the database (through the reconciliation services) into plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from quota_app.clock import local_date
from quota_app.errors import NotFound
from quota_app.forecast.summary import EarlyWarning, early_warning
from quota_app.formatting import period_name
from quota_app.models import AppText, Department, DepartmentComment, PlacementType
from quota_app.periods import Period, half_year_of
from quota_app.reconcile.ageing import open_places_longest
from quota_app.reconcile.figures import reconcile
from quota_app.reconcile.rules import PRO_RATA_RULE, fulfilment_change
from quota_app.reconcile.types import Method, OpenPlaceAge, Reconciliation, ReconciliationRow
from quota_app.reconcile.types import Totals as CountedTotals
from quota_app.settings import local_zone
from quota_app.texts import N_, title_and_name
from quota_app.vocabulary import STATUS_NAMES

from .compliance_section import compliance_section
from .data import (
    ConsolidatedReport,
    DepartmentColumn,
    DepartmentReport,
    Methods,
    OpenPlace,
    Position,
    RuleUsed,
    Standing,
    Totals,
    TrendPoint,
    TypeRow,
    TypeTrend,
)
from .early_warning import lag_lines, pace_lines, pace_year_end
from .verdict import verdict

LETTER_KEY = "report.letter"
SENDER_CODE = "BIF"  # BIF's mayor signs the letter
OPEN_LONGEST_LIMIT = 20
TREND_HALF_YEARS = 4
METHOD: Method = "point"

DEFAULT_LETTER = (
    "Kære {borgmester_titel} {borgmester_navn}\n\n"
    "Hermed sender jeg halvårsstatus for støttet beskæftigelse i {forvaltning} for {periode}. "
    "Københavns Kommune er som arbejdsplads forpligtet til at give plads til borgere, der har brug for "
    "en vej ind på arbejdsmarkedet, og Borgerrepræsentationen har fastsat måltal for hver forvaltning.\n\n"
    "På de følgende sider kan du se forvaltningens måltal og hvor mange pladser, der var besat, åbne og i "
    "bero ved periodens udgang, udviklingen over de seneste halvår, forvaltningens egen kommentar og de "
    "pladser, der har stået åbne længst. Jeg vil opfordre til, at der især bliver set på de længe åbne "
    "pladser, så de kan blive besat.\n\n"
    "Jeg ser frem til det fortsatte samarbejde."
)

STATUS_DA = {code: str.__str__(word) for code, word in STATUS_NAMES.items()}  # the PDF is Danish


@dataclass(frozen=True)
class _Department:
    id: int
    code: str
    name: str
    mayor_title: str
    mayor_name: str


@dataclass(frozen=True)
class _Type:
    code: str
    name: str
    measure: str


@dataclass(frozen=True)
class ReportContext:
    """Everything shared by the reports of one period and known-at: reconciled once, used for all."""

    period: Period
    known_at: datetime
    departments: tuple[_Department, ...]
    types: tuple[_Type, ...]
    current: Reconciliation
    previous: Reconciliation
    trend: tuple[tuple[Period, Reconciliation], ...]  # oldest first
    letter_template: str
    open_longest: dict[str, tuple[OpenPlaceAge, ...]]  # department code -> longest open first
    warning: EarlyWarning  # every department's projection from the period's end, pace and lag


def period_text(period: Period) -> str:
    """'2025-H1' -> '1. halvår 2025' (the shared formatting's period_name, in Danish: the PDF's language)."""
    return period_name(period)


def trend_periods(period: Period) -> tuple[Period, ...]:
    """The last four half-years up to the period's end, oldest first."""
    last = half_year_of(period.end)
    periods = [last]
    for _ in range(TREND_HALF_YEARS - 1):
        periods.append(periods[-1].previous())
    return tuple(reversed(periods))


def gather_context(session: Session, *, period: Period, known_at: datetime) -> ReportContext:
    """Reconcile the period, the previous one and the trend half-years once, for all departments."""
    departments = tuple(
        _Department(d.id, d.code, d.name, d.mayor_title, d.mayor_name)
        for d in session.exec(
            select(Department)
            .where(col(Department.active) == True)  # noqa: E712
            .order_by(col(Department.sort), col(Department.code))
        ).all()
    )
    cache: dict[Period, Reconciliation] = {}

    def reconciled(p: Period) -> Reconciliation:
        if p not in cache:
            cache[p] = reconcile(session, period=p, method=METHOD, known_at=known_at)
        return cache[p]

    current = reconciled(period)
    previous = reconciled(period.previous())
    trend = tuple((p, reconciled(p)) for p in trend_periods(period))
    type_codes = {row.type for row in current.rows}
    types = tuple(
        _Type(t.code, t.name_da, t.measure)
        for t in session.exec(
            select(PlacementType).order_by(col(PlacementType.sort), col(PlacementType.code))
        ).all()
        if t.code in type_codes or t.active
    )
    # One query for every department costs about what one department does.
    open_longest: dict[str, list[OpenPlaceAge]] = {d.code: [] for d in departments}
    for place in open_places_longest(
        session, as_of=current.as_of, known_at=known_at, limit=OPEN_LONGEST_LIMIT, per_department=True
    ):
        kept = open_longest.get(place.department)
        if kept is not None:
            kept.append(place)
    letter = session.get(AppText, LETTER_KEY)
    # The early warning for every department at once: one fit of the model, the lag of the period's events.
    warning = early_warning(
        session, as_of=period.end, known_at=known_at, zone=local_zone(), lag_period=period
    )
    return ReportContext(
        period=period,
        known_at=known_at,
        departments=departments,
        types=types,
        current=current,
        previous=previous,
        trend=trend,
        letter_template=letter.value if letter is not None and letter.value.strip() else DEFAULT_LETTER,
        open_longest={code: tuple(places) for code, places in open_longest.items()},
        warning=warning,
    )


def fill_letter(template: str, *, period: str, department: str, mayor_title: str, mayor_name: str) -> str:
    """Fill the four placeholders; anything else in braces is left as the author wrote it. Title and name
    side by side say the title once, when the name already starts with it."""
    values = {
        "{borgmester_titel} {borgmester_navn}": title_and_name(mayor_title, mayor_name),
        "{periode}": period,
        "{forvaltning}": department,
        "{borgmester_titel}": mayor_title,
        "{borgmester_navn}": mayor_name,
    }
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


def _rows_by_key(result: Reconciliation) -> dict[tuple[str, str], ReconciliationRow]:
    return {(row.department, row.type): row for row in result.rows}


def _change(now: float | None, before: float | None, digits: int = 2) -> float | None:
    if now is None or before is None:
        return None
    return round(now - before, digits)


def _type_rows(context: ReportContext, department_code: str | None) -> tuple[TypeRow, ...]:
    """Rows per type for one department, or for the municipality (department_code None)."""
    rows = []
    current: Mapping[Any, CountedTotals | ReconciliationRow]  # by type code, or by (department, type)
    previous: Mapping[Any, CountedTotals | ReconciliationRow]
    if department_code is None:
        current, previous = context.current.by_type, context.previous.by_type
    else:
        current, previous = _rows_by_key(context.current), _rows_by_key(context.previous)
    for kind in context.types:
        key: Any = (
            kind.code if department_code is None else (department_code, kind.code)
        )  # as current is keyed
        now, before = current.get(key), previous.get(key)
        if now is None:
            rows.append(TypeRow(kind.code, kind.name, kind.measure, None, 0, 0, 0, 0, None, None, None))
            continue
        rows.append(
            TypeRow(
                type_code=kind.code,
                type_name=kind.name,
                measure=kind.measure,
                target=now.target,
                filled=now.filled,
                open=now.open,
                paused=now.paused,
                counted=now.counted,
                fulfilment_pct=now.fulfilment_pct,
                change_pct_points=fulfilment_change(
                    (now.counted, now.target), (before.counted, before.target) if before else None
                ),
                change_counted=_change(now.counted, before.counted if before else None),
                target_pro_rata=getattr(now, "target_pro_rata", None),
                fulfilment_pro_rata_pct=getattr(now, "fulfilment_pro_rata_pct", None),
            )
        )
    return tuple(rows)


def _totals(result: Reconciliation, department_code: str | None) -> Totals:
    found = result.municipality if department_code is None else result.by_department.get(department_code)
    if found is None:
        return Totals(None, 0.0, None)
    return Totals(found.target, found.counted, found.fulfilment_pct)


def _standings(context: ReportContext) -> tuple[Standing, ...]:
    """All departments, best overall fulfilment first; equal fulfilment shares a rank."""
    entries = []
    for department in context.departments:
        totals = _totals(context.current, department.code)
        entries.append((department, totals))
    entries.sort(key=lambda e: (e[1].fulfilment_pct is None, -(e[1].fulfilment_pct or 0.0), e[0].code))
    standings: list[Standing] = []
    for index, (department, totals) in enumerate(entries, start=1):
        if totals.fulfilment_pct is None:
            rank = None
        elif standings and standings[-1].fulfilment_pct == totals.fulfilment_pct:
            rank = standings[-1].rank
        else:
            rank = index
        standings.append(
            Standing(
                rank, department.code, department.name, totals.target, totals.counted, totals.fulfilment_pct
            )
        )
    return tuple(standings)


def _rule_description(statuses: Sequence[str], weighting: str, measure: str) -> str:
    weight = "vægtet med årsværk (fte)" if weighting == "fte" else "hver plads tæller 1"
    if measure == "flow":
        return f"forløb påbegyndt i perioden (overgange til besat), {weight}"
    counted = " og ".join(STATUS_DA.get(s, s) for s in statuses) or "ingen"
    return f"tæller {counted} på skæringsdatoen, {weight}"


def _methods(context: ReportContext) -> Methods:
    rules = []
    for kind in context.types:
        statuses, weighting = context.current.rules.get(kind.code, ((), "headcount"))
        rules.append(RuleUsed(kind.name, _rule_description(statuses, weighting, kind.measure)))
    method = (
        "Opgjort på én dag: periodens sidste dag."
        if context.current.method == "point"
        else "Gennemsnit over alle periodens dage."
    )
    pro_rata = any(row.target_pro_rata is not None for row in context.current.rows)
    return Methods(
        rules=tuple(rules),
        method=method,
        measuring_date=context.current.as_of,
        period_start=context.period.start,
        period_end=context.period.end,
        known_at=context.known_at.astimezone(local_zone()),
        pro_rata_rule=str(PRO_RATA_RULE) if pro_rata else "",
    )


def _trend(context: ReportContext, department_code: str) -> tuple[TypeTrend, ...]:
    lookups = [(p, _rows_by_key(result)) for p, result in context.trend]
    trend = []
    for kind in context.types:
        points = []
        for p, rows in lookups:
            row = rows.get((department_code, kind.code))
            points.append(TrendPoint(p.label, row.counted if row else 0.0, row.target if row else None))
        trend.append(TypeTrend(kind.code, kind.name, tuple(points)))
    return tuple(trend)


def gather_department_report(
    session: Session,
    *,
    period: Period,
    department_code: str,
    known_at: datetime,
    context: ReportContext | None = None,
) -> DepartmentReport:
    """Return a department's report data for the period as known at known_at."""
    context = context or gather_context(session, period=period, known_at=known_at)
    by_code = {d.code: d for d in context.departments}
    department = by_code.get(department_code)
    if department is None:
        raise NotFound(N_("Ukendt forvaltning '%(code)s'.", code=department_code))
    sender = by_code.get(SENDER_CODE)
    comment = session.exec(
        select(DepartmentComment).where(
            DepartmentComment.period == period.label, DepartmentComment.department_id == department.id
        )
    ).first()
    type_names = {t.code: t.name for t in context.types}
    standings = _standings(context)
    own_rows = [row for row in context.current.rows if row.department == department.code]
    own = next(s for s in standings if s.department_code == department_code)
    text_of_period = period_text(period)
    return DepartmentReport(
        period=period.label,
        period_text=text_of_period,
        department_code=department.code,
        department_name=department.name,
        mayor_title=department.mayor_title,
        mayor_name=department.mayor_name,
        sender_title=sender.mayor_title if sender else "",
        sender_name=sender.mayor_name if sender else "",
        letter_date=local_date(known_at),
        letter_text=fill_letter(
            context.letter_template,
            period=text_of_period,
            department=department.name,
            mayor_title=department.mayor_title,
            mayor_name=department.mayor_name,
        ),
        rows=_type_rows(context, department.code),
        totals=_totals(context.current, department.code),
        trend=_trend(context, department.code),
        comment=comment.text if comment is not None else "",
        open_longest=tuple(
            OpenPlace(
                reference=place.reference,
                unit=place.unit or "",
                type_name=type_names.get(place.type, place.type),
                title=place.title,
                open_since=place.open_since,
                days_open=place.days_open,
            )
            for place in context.open_longest.get(department.code, ())
        ),
        position=Position(rank=own.rank, of=len(standings), standings=standings),
        methods=_methods(context),
        verdict=verdict(own_rows, context.current.by_department.get(department.code), type_names),
        lag=lag_lines(context.warning, type_names, department.code),
        pace=pace_lines(context.warning, type_names, department.code, period=period),
        pace_year_end=pace_year_end(period),
        compliance=compliance_section(
            session, department_id=department.id, as_of=period.end, known_at=known_at
        ),
    )


def gather_consolidated_report(
    session: Session, *, period: Period, known_at: datetime, context: ReportContext | None = None
) -> ConsolidatedReport:
    """Return the municipality's report data: every department side by side, and the totals."""
    context = context or gather_context(session, period=period, known_at=known_at)
    ranks = {s.department_code: s.rank for s in _standings(context)}
    return ConsolidatedReport(
        period=period.label,
        period_text=period_text(period),
        type_names=tuple((t.code, t.name) for t in context.types),
        departments=tuple(
            DepartmentColumn(
                department_code=d.code,
                department_name=d.name,
                rows=_type_rows(context, d.code),
                totals=_totals(context.current, d.code),
                rank=ranks.get(d.code),
            )
            for d in context.departments
        ),
        municipality_rows=_type_rows(context, None),
        municipality_totals=_totals(context.current, None),
        methods=_methods(context),
    )
