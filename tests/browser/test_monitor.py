"""BIF's monitoring pages in a real browser: overview, what-if, drill-down, export; axe-core on each page."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlmodel import select

from quota_app.models import Department, Unit
from quota_app.places import registration, status_events

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OVERVIEW = "/monitor/?date=2025-09-30"


@pytest.fixture(scope="module")
def seeded(live_server) -> dict:  # type: ignore[no-untyped-def]
    """SOF: two filled and two open work placements (one open since March), one in a named unit."""
    now = live_server.clock.now()
    with live_server.session() as session:
        sof = session.exec(select(Department).where(Department.code == "SOF")).one()
        unit = session.exec(select(Unit).where(Unit.department_id == sof.id).order_by(Unit.name)).first()
        made = {}
        for reference, unit_id, history in (
            ("BR-FILLED-1", unit.id, [("open", date(2025, 1, 6)), ("filled", date(2025, 2, 3))]),
            ("BR-FILLED-2", None, [("filled", date(2025, 3, 3))]),
            ("BR-OPEN-OLD", unit.id, [("open", date(2025, 3, 3))]),
            ("BR-OPEN-NEW", None, [("open", date(2025, 9, 1))]),
        ):
            (first_status, first_day), *rest = history
            place = registration.register_place(
                session,
                department_id=sof.id,
                type_code="internship",
                reference=reference,
                title=f"Praktik {reference}",
                unit_id=unit_id,
                status=first_status,
                effective_date=first_day,
                actor="test",
                now=now,
            )
            for status, day in rest:
                status_events.record_status(
                    session, place_id=place.id, status=status, effective_date=day, actor="test", now=now
                )
            made[reference] = place.id
        session.commit()
        return {"unit": unit.name, "places": made}


def _cell(page: Page, department_code: str, column: int):  # type: ignore[no-untyped-def]
    row = page.locator("table.mon-matrix tbody tr", has=page.locator(f"text=({department_code})"))
    return row.locator("td").nth(column)


def test_overview(page, seeded, browser_user, browser_login, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto(OVERVIEW)
    expect(page.get_by_role("heading", level=1)).to_have_text("Overblik over kvoteopfyldelse")
    table = page.locator("table.mon-matrix")
    expect(table.locator("caption")).to_contain_text("Kvoteopfyldelse pr. forvaltning og ordning")
    sof_internship = _cell(page, "SOF", 0)
    expect(sof_internship.locator(".mon-figure a")).to_have_text("2")
    expect(sof_internship.locator(".mon-level-text")).to_have_text(
        re.compile("Under mål|Tæt på mål|Mål nået")
    )
    expect(page.locator(".mon-legend")).to_contain_text("under 90 %")
    assert_accessible(page)


def test_what_if_toggle_shows_both_figures(
    page, seeded, browser_user, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto(OVERVIEW)
    page.get_by_label("Tæl åbne virksomhedspraktik-pladser med").check()
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"whatif=internship"))
    cell = _cell(page, "SOF", 0)
    expect(cell.locator(".mon-label").first).to_have_text("Vedtaget")
    expect(cell.locator(".mon-label-whatif")).to_have_text("Hvad nu hvis")
    figures = cell.locator(".mon-figure a")
    expect(figures).to_have_count(2)
    expect(figures.nth(0)).to_have_text("2")
    expect(figures.nth(1)).to_have_text("4")
    expect(page.get_by_role("note")).to_contain_text("Reglen er ikke gemt")
    assert_accessible(page)
    figures.nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pladserne bag tallet")
    expect(page.locator("main")).to_contain_text("de der tæller med hvad-nu-hvis-reglen")
    for reference in seeded["places"]:
        expect(page.get_by_role("rowheader", name=reference)).to_be_visible()
    assert_accessible(page)


def test_drill_down_department_trend_unit_places(
    page, seeded, browser_user, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto(OVERVIEW)
    page.get_by_role("link", name="Socialforvaltningen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Socialforvaltningen")
    longest = page.locator("table", has=page.locator("caption", has_text="åbne længst"))
    expect(longest.locator("tbody tr").first).to_contain_text("BR-OPEN-OLD")
    expect(longest.locator("tbody tr").first).to_contain_text("over 90 dage")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Udvikling og ældste åbne – Virksomhedspraktik")).click()
    expect(page.locator("svg[role=img] title")).to_contain_text("Virksomhedspraktik i SOF")
    page.get_by_text("Vis tallene som tabel").click()
    expect(page.get_by_role("rowheader", name="30.09.2025")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Socialforvaltningen").click()
    page.get_by_role("link", name=seeded["unit"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(seeded["unit"])
    expect(page.get_by_role("rowheader", name="BR-FILLED-1")).to_be_visible()
    expect(page.get_by_role("rowheader", name="BR-OPEN-OLD")).to_be_visible()
    expect(page.get_by_role("rowheader", name="BR-OPEN-NEW")).to_have_count(0)
    assert_accessible(page)


def test_figures_are_reachable_by_keyboard(page, seeded, browser_user, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto(OVERVIEW)
    target = _cell(page, "SOF", 0).locator(".mon-figure a")
    for _ in range(200):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the SOF work-placement figure was never reached with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pladserne bag tallet")
    expect(page.get_by_role("rowheader", name="BR-FILLED-2")).to_be_visible()


def test_export_download(page, seeded, browser_user, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto(OVERVIEW + "&whatif=internship")
    with page.expect_download() as info:
        page.get_by_role("link", name="Hent som Excel (XLSX)").click()
    download = info.value
    assert download.suggested_filename == "kvoteopfyldelse-2025-09-30.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Forvaltning", "Ordning", "Tæller", "Måltal", "Optalt")
    sof = next(r for r in rows if r[0] == "SOF" and r[1] == "Virksomhedspraktik")
    assert sof[4] == 2 and sof[8] == 4
    with page.expect_download() as info:
        page.get_by_role("link", name="Hent som CSV").click()
    assert info.value.suggested_filename == "kvoteopfyldelse-2025-09-30.csv"
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("Forvaltning;Ordning;")


def test_bad_date_is_explained_next_to_the_form(
    page, seeded, browser_user, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto("/monitor/?known_at=nonsense")
    expect(page.get_by_role("alert")).to_contain_text("Ugyldigt tidspunkt")
    assert_accessible(page)


def test_english_overview(page, seeded, browser_user, browser_login, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto(OVERVIEW)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quota fulfilment overview")
    expect(page.locator(".mon-legend")).to_contain_text("Below target")
    assert_accessible(page)


def test_hr_is_refused(page, seeded, browser_user, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("hr", "SOF"))
    response = page.goto(OVERVIEW)
    assert response is not None and response.status == 403


def test_places_open_longest_across_departments_lead_to_each_places_history(
    page, seeded, browser_user, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(OVERVIEW)
        longest = page.get_by_role(
            "table", name=re.compile("De pladser i alle forvaltninger der har været åbne længst")
        )
        expect(longest.locator("tbody tr").first).to_contain_text("BR-OPEN-OLD")
        expect(longest.locator("tbody tr").first).to_contain_text("SOF")
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    page.set_viewport_size({"width": 1280, "height": 900})
    longest.get_by_role("link", name="BR-OPEN-OLD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plads BR-OPEN-OLD")
    assert_accessible(page)
    # The department's unit table adds up to the department: its total line is the department's.
    page.goto(OVERVIEW)
    page.get_by_role("link", name="Socialforvaltningen").click()
    units = page.get_by_role("table", name="Talt med pr. enhed og ordning, og pladser pr. status")
    expect(units.locator("tfoot")).to_contain_text("Forvaltningen i alt")
    expect(units.get_by_role("rowheader", name="Uden enhed")).to_be_visible()
    units.get_by_role("link", name="Uden enhed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pladser uden enhed")
    page.get_by_role("link", name="BR-FILLED-2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plads BR-FILLED-2")
