"""Figures agree everywhere (issue 12, point 7): for the demo data and for random histories, the overview,
a department's page, its units' pages, the CSV and XLSX downloads, the API and the PDF reports show the
same numbers, read back as people read them (Danish text parsed), for a half-year on its last day, a
half-year's average and a single date. The units add up to their department, a flow type's half-year
share and its fulfilment are the same everywhere, and the PDF's change since the previous half-year is
the change of the unrounded fulfilments."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from quota_app.demo.services import load_demo
from quota_app.models import (
    STATUSES,
    CountingRule,
    Department,
    Place,
    PlacementType,
    Target,
    Unit,
)
from quota_app.monitor.cache import RESULTS
from quota_app.periods import Period
from quota_app.reconcile.ageing import open_places_longest
from quota_app.reconcile.rules import fulfilment_change
from reports import services as reports
from tests.conftest import T0
from tests.factories import example, insert_place
from tests.reports.pdfs import all_text

from .sources import (
    DECIMALS,
    Figures,
    Key,
    from_api,
    from_consolidated_pdf,
    from_csv,
    from_department,
    from_department_pdf,
    from_overview,
    from_unit,
    from_xlsx,
)

KNOWN_AT = "2025-09-30T10:00:00Z"  # T0, the app clock's now


@dataclass(frozen=True)
class Asked:
    web: str  # the monitor pages' query
    api: str  # /api/v1/reconcile's query
    day: date  # the measuring date
    report: Period | None = None  # the PDFs are half-yearly, on the period's last day


MEASURES = (
    Asked("period=2025-H1&method=point", "period=2025-H1&method=point", date(2025, 6, 30), Period(2025, 1)),
    Asked("period=2025-H1&method=average", "period=2025-H1&method=average", date(2025, 6, 30)),
    Asked("date=2025-09-30", "as_of=2025-09-30", date(2025, 9, 30)),
)


# --- comparing -------------------------------------------------------------------------------------------


def _tolerance(source: str) -> float:
    """Half a unit of the last decimal the source, or the API it is compared with, shows."""
    return 0.5 * 10 ** -min(DECIMALS[source], DECIMALS["api"]) + 1e-9


def assert_agrees(
    source: str, found: dict[Key, Figures], reference: dict[Key, Figures], *, every_key: bool = False
) -> None:
    """Every figure the source shows is the reference's, as far as the source shows decimals; with
    every_key the source shows every department, type and total the reference has."""
    if every_key:
        assert set(found) == set(reference), (source, set(reference) ^ set(found))
    for key, figures in found.items():
        assert key in reference, (source, key)
        for name, value in figures.items():
            expected = reference[key].get(name)
            where = (source, key, name, value, expected)
            if expected is None:
                assert value is None, where
            else:
                assert value is not None and abs(value - expected) <= _tolerance(source), where


@dataclass
class Reader:
    client: object
    auth: dict[str, str]
    type_codes: dict[str, str]  # Danish name -> code
    type_names: dict[str, str]  # code -> Danish name
    departments: dict[str, str]  # code -> name

    def get(self, url: str, **kw: object) -> object:
        response = self.client.get(url, **kw)  # type: ignore[attr-defined]
        assert response.status_code == 200, (url, response.status_code)
        return response


def reader(session: Session, client, auth: dict[str, str]) -> Reader:  # type: ignore[no-untyped-def]
    types = session.exec(select(PlacementType).where(PlacementType.active)).all()
    departments = session.exec(select(Department).where(Department.active)).all()
    return Reader(
        client,
        auth,
        {t.name_da: t.code for t in types},
        {t.code: t.name_da for t in sorted(types, key=lambda t: (t.sort, t.code))},
        {d.code: d.name for d in sorted(departments, key=lambda d: (d.sort, d.code))},
    )


def check_everything(session: Session, read: Reader, asked: Asked, *, departments: list[str]) -> None:
    """Read every source for one measure and check it against the API's figures; the pages and PDFs of
    these departments (the overview, the downloads and the consolidated report cover them all)."""
    api = read.get(f"/api/v1/reconcile?{asked.api}&known_at={KNOWN_AT}", headers=read.auth).json  # type: ignore[attr-defined]
    reference = from_api(api)
    query = f"{asked.web}&known_at={KNOWN_AT}"

    overview, longest = from_overview(read.get(f"/monitor/?{query}").get_data(as_text=True), read.type_codes)  # type: ignore[attr-defined]
    assert_agrees("page", overview, reference, every_key=True)
    expected_longest = open_places_longest(session, as_of=asked.day, known_at=T0, limit=20)
    assert longest == [p.reference for p in expected_longest]
    assert_agrees(
        "csv",
        from_csv(read.get(f"/monitor/export.csv?{query}").get_data(), read.type_codes),
        reference,
        every_key=True,
    )  # type: ignore[attr-defined]
    assert_agrees(
        "xlsx",
        from_xlsx(read.get(f"/monitor/export.xlsx?{query}").get_data(), read.type_codes),
        reference,
        every_key=True,
    )  # type: ignore[attr-defined]

    for code in departments:
        html = read.get(f"/monitor/department/{code}?{query}").get_data(as_text=True)  # type: ignore[attr-defined]
        found, units = from_department(html, code, read.type_codes)
        assert_agrees("page", found, reference)
        assert {t for d, t in found if d == code and t} == set(read.type_names)
        check_units(read, units, found, code)

    if asked.report is not None:
        check_reports(session, read, asked.report, reference, departments)


def check_units(read: Reader, units: list[dict], department: dict[Key, Figures], code: str) -> None:
    """The units (and the places without a unit) add up to the department; each unit's page shows its line."""
    lines, total = units[:-1], units[-1] if units else None
    if not lines:
        return
    slack = (len(lines) + 1) * _tolerance("page")
    for type_code in read.type_names:
        shown = sum(u["figures"][type_code]["counted"] for u in lines)
        assert abs(shown - department[(code, type_code)]["counted"]) <= slack, (code, type_code)  # type: ignore[operator]
    for key in ("counted", "open", "filled", "paused"):
        shown = sum(u["figures"][None][key] for u in lines)
        assert abs(shown - total["figures"][None][key]) <= slack, (code, key)  # type: ignore[index]
        by_type = sum(department[(code, t)][key] for t in read.type_names if key in department[(code, t)])  # type: ignore[misc]
        assert abs(by_type - total["figures"][None][key]) <= slack, (code, key)  # type: ignore[index]
    for line in lines:
        page = from_unit(read.get(line["href"]).get_data(as_text=True), read.type_codes)  # type: ignore[attr-defined]
        for type_code in read.type_names:
            assert page[type_code]["counted"] == line["figures"][type_code]["counted"], (
                line["name"],
                type_code,
            )
        assert page[None] == line["figures"][None], line["name"]


def check_reports(
    session: Session, read: Reader, period: Period, reference: dict[Key, Figures], codes: list[str]
) -> None:
    """The department reports and the consolidated report show the same figures; the change since the
    previous half-year is that of the unrounded fulfilments."""
    previous = from_api(
        read.get(
            f"/api/v1/reconcile?period={period.previous().label}&known_at={KNOWN_AT}", headers=read.auth
        ).json  # type: ignore[attr-defined]
    )
    for code in codes:
        text = all_text(
            reports.build_department_report(session, period=period, department_code=code, known_at=T0)
        )
        found, changes = from_department_pdf(text, code, read.type_names)
        assert_agrees("pdf", found, reference)
        for type_code, change in changes.items():
            now, before = reference[(code, type_code)], previous.get((code, type_code))
            expected = fulfilment_change(
                (now["counted"], now["target"]),
                (before["counted"], before["target"]) if before else None,  # type: ignore[arg-type]
            )
            assert change["pct_points"] == expected or (
                expected is not None and abs(change["pct_points"] - expected) < 1e-9  # type: ignore[operator]
            ), (code, type_code, change, expected)
            counted_change = now["counted"] - before["counted"] if before else None  # type: ignore[operator]
            assert counted_change is None or abs(change["counted"] - counted_change) <= _tolerance("pdf"), (
                code,
                type_code,
            )  # type: ignore[operator]
    text = all_text(reports.build_consolidated_report(session, period=period, known_at=T0))
    consolidated = from_consolidated_pdf(text, read.departments, list(read.type_names))
    assert_agrees("pdf", consolidated, reference, every_key=True)


@pytest.fixture
def read(session, client, login, make_user, make_token) -> Reader:  # type: ignore[no-untyped-def]
    user = make_user("bif")
    login(user)
    return reader(session, client, {"Authorization": f"Bearer {make_token(user)}"})


# --- the demo data ---------------------------------------------------------------------------------------


@pytest.fixture
def demo(session: Session, clock) -> None:  # type: ignore[no-untyped-def]
    load_demo(session, seed=7, places=160, now=clock.now())
    session.commit()


@pytest.mark.parametrize("asked", MEASURES, ids=lambda a: a.web)
def test_the_demo_datas_figures_agree_everywhere(session, demo, read, asked) -> None:  # type: ignore[no-untyped-def]
    assert session.exec(select(Place.id)).first() is not None
    check_everything(session, read, asked, departments=list(read.departments))


# --- random histories ------------------------------------------------------------------------------------

FIRST = date(2024, 6, 1)
BASE = datetime(2024, 6, 1, 8, tzinfo=UTC)
TYPES = ("internship", "utility_job", "flex_job", "job_rotation", "wage_subsidy")
DEPARTMENTS = ("SOF", "BIF")


@dataclass(frozen=True)
class Spec:
    department: str
    type_code: str
    unit: int | None  # an index into the department's units, or None
    fte: float
    events: tuple[tuple[str, date, datetime, datetime | None], ...]


@st.composite
def events(draw: st.DrawFn) -> tuple[str, date, datetime, datetime | None]:
    day = FIRST + timedelta(days=draw(st.integers(0, 480)))
    recorded = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
        days=draw(st.integers(0, 40)), hours=9
    )
    voided = draw(st.none() | st.none() | st.integers(0, 30))
    return (
        draw(st.sampled_from(STATUSES)),
        day,
        recorded,
        None if voided is None else recorded + timedelta(days=voided),
    )


specs = st.builds(
    Spec,
    department=st.sampled_from(DEPARTMENTS),
    type_code=st.sampled_from(TYPES),
    unit=st.none() | st.integers(0, 1),
    fte=st.sampled_from((0.5, 0.8, 1.0)),
    events=st.lists(events(), min_size=1, max_size=5).map(tuple),
)
targets = st.dictionaries(
    st.tuples(st.sampled_from((2024, 2025)), st.sampled_from(DEPARTMENTS), st.sampled_from(TYPES)),
    st.integers(0, 9),
    max_size=12,
)


@contextmanager
def uncached_example(session: Session) -> Iterator[None]:
    """One Hypothesis example in a savepoint rolled back afterwards, with no cached figures from another
    (a rolled-back example's ids come again, so the cache's fingerprint could match)."""
    RESULTS.clear()
    try:
        with example(session):
            yield
    finally:
        RESULTS.clear()


@pytest.fixture
def units(session: Session, reference: dict) -> dict[str, list[int]]:
    """Two units in SOF, one in BIF; flex jobs weighted by fte in 2024 and 2025."""
    made: dict[str, list[int]] = {}
    for code, names in (("SOF", ("Nord", "Syd")), ("BIF", ("Jobcenter",))):
        for name in names:
            unit = Unit(department_id=reference["departments"][code].id, name=name)
            session.add(unit)
            session.flush()
            made.setdefault(code, []).append(unit.id)  # type: ignore[arg-type]
    for rule in session.exec(
        select(CountingRule).where(CountingRule.type_id == reference["types"]["flex_job"].id)
    ):
        rule.weighting = "fte"
    session.commit()
    return made


@settings(
    max_examples=6,
    deadline=None,
    # Each example runs in its own savepoint of the test's transaction, rolled back at its end.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(places=st.lists(specs, min_size=1, max_size=12), goals=targets)
def test_random_histories_agree_everywhere(session, reference, units, read, places, goals) -> None:  # type: ignore[no-untyped-def]
    with uncached_example(session):
        for n, spec in enumerate(places):
            choices = units[spec.department]
            insert_place(
                session,
                reference,
                department=spec.department,
                type_code=spec.type_code,
                events=spec.events,
                place_reference=f"R-{n:03d}",
                title=f"Plads {n}",
                fte=spec.fte,
                unit_id=None if spec.unit is None else choices[spec.unit % len(choices)],
            )
        for (year, code, type_code), value in goals.items():
            session.add(
                Target(
                    year=year,
                    department_id=reference["departments"][code].id,
                    type_id=reference["types"][type_code].id,
                    value=value,
                    updated_at=BASE,
                )
            )
        session.flush()
        for asked in MEASURES:
            check_everything(session, read, asked, departments=list(DEPARTMENTS))
