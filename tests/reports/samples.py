"""Hand-built report data, so the renderer is tested without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from reports.data import (
    Behind,
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
    Verdict,
)

TYPES = (
    ("internship", "Virksomhedspraktik", "stock", 40, 31.0, 6.0, 2.0),
    ("utility_job", "Nytteindsats", "stock", 12, 7.0, 3.0, 0.0),
    ("flex_job", "Fleksjob", "stock", 25, 22.5, 1.0, 0.0),
    ("senior_job", "Seniorjob", "stock", 8, 8.0, 0.0, 1.0),
    ("job_rotation", "Jobrotation", "flow", 10, 4.0, 0.0, 0.0),
    ("wage_subsidy", "Løntilskud", "stock", 1234, 1001.0, 17.0, 3.0),
)
KNOWN_AT = datetime(2025, 8, 15, 6, 0, tzinfo=UTC)


def type_rows() -> tuple[TypeRow, ...]:
    rows = []
    for code, name, measure, target, filled, open_, paused in TYPES:
        counted = filled + open_ if code == "utility_job" else filled
        rows.append(
            TypeRow(
                type_code=code,
                type_name=name,
                measure=measure,
                target=target,
                filled=filled,
                open=open_,
                paused=paused,
                counted=counted,
                fulfilment_pct=round(counted / target * 100, 1),
                change_pct_points=-2.5 if code == "internship" else 3.0,
                change_counted=-1.0 if code == "internship" else 2.0,
            )
        )
    return tuple(rows)


def methods() -> Methods:
    return Methods(
        rules=tuple(RuleUsed(name, "besat, pr. plads") for _c, name, *_ in TYPES),
        method="Opgjort på én dag (periodens sidste dag).",
        measuring_date=date(2025, 6, 30),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 6, 30),
        known_at=KNOWN_AT.astimezone(ZoneInfo("Europe/Copenhagen")),
    )


def verdict(rows: tuple[TypeRow, ...]) -> Verdict:
    """Below target: the three types with the lowest fulfilment behind (as reports.verdict picks them)."""
    target = sum(r.target or 0 for r in rows)
    counted = sum(r.counted for r in rows)
    behind = sorted((r for r in rows if r.fulfilment_pct < 100), key=lambda r: r.fulfilment_pct)[:3]
    return Verdict(
        level="below",
        fulfilment_pct=round(counted / target * 100, 1),
        counted=counted,
        target=target,
        short=target - counted,
        behind=tuple(
            Behind(r.type_name, r.target, r.counted, r.fulfilment_pct, r.target - r.counted) for r in behind
        ),
    )


def department_report(**changes) -> DepartmentReport:  # type: ignore[no-untyped-def]
    rows = type_rows()
    target = sum(r.target or 0 for r in rows)
    counted = sum(r.counted for r in rows)
    standings = (
        Standing(1, "BIF", "Beskæftigelses- og Integrationsforvaltningen", 100, 95.0, 95.0),
        Standing(2, "SOF", "Socialforvaltningen", target, counted, round(counted / target * 100, 1)),
        Standing(3, "ØKF", "Økonomiforvaltningen", 50, 20.0, 40.0),
    )
    report = DepartmentReport(
        period="2025-H1",
        period_text="1. halvår 2025",
        department_code="SOF",
        department_name="Socialforvaltningen",
        mayor_title="Socialborgmester",
        mayor_name="Søren Østergård Åberg",
        sender_title="Beskæftigelses- og Integrationsborgmester",
        sender_name="Jens-Kristian Lütken",
        letter_date=date(2025, 8, 15),
        letter_text="Kære Socialborgmester Søren Østergård Åberg\n\nHer er halvårsstatus for 1. halvår 2025.",
        rows=rows,
        totals=Totals(target, counted, round(counted / target * 100, 1)),
        trend=tuple(
            TypeTrend(
                code,
                name,
                tuple(
                    TrendPoint(p, float(i * 2), target)
                    for i, p in enumerate(("2023-H2", "2024-H1", "2024-H2", "2025-H1"))
                ),
            )
            for code, name, _m, target, *_ in TYPES
        ),
        comment="Vi mangler praktikpladser i Borgercenter Voksne.",
        open_longest=tuple(
            OpenPlace(
                reference=f"SOF-{i:05d}",
                unit="Borgercenter Børn og Unge",
                type_name="Virksomhedspraktik",
                title="Praktik i køkken",
                open_since=date(2025, 6, 30) - timedelta(days=400 - i),
                days_open=400 - i,
            )
            for i in range(5)
        ),
        position=Position(rank=2, of=3, standings=standings),
        methods=methods(),
        verdict=verdict(rows),
    )
    return replace(report, **changes)


def consolidated_report() -> ConsolidatedReport:
    rows = type_rows()
    columns = tuple(
        DepartmentColumn(code, name, rows, Totals(100, 80.0, 80.0), rank)
        for rank, (code, name) in enumerate(
            (
                ("ØKF", "Økonomiforvaltningen"),
                ("SOF", "Socialforvaltningen"),
                ("BIF", "Beskæftigelses- og Integrationsforvaltningen"),
            ),
            start=1,
        )
    )
    return ConsolidatedReport(
        period="2025-H1",
        period_text="1. halvår 2025",
        type_names=tuple((c, n) for c, n, *_ in TYPES),
        departments=columns,
        municipality_rows=rows,
        municipality_totals=Totals(3000, 2400.0, 80.0),
        methods=methods(),
    )
