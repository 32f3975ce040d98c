"""Browser tests of BIF's administration: a target edit, an export, departments, types and API tokens."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlmodel import select

from quota_app.models import CountingRule, Department, PlacementType, Target


def _cell_id(live_server, department_code: str, type_code: str) -> str:
    with live_server.session() as session:
        department = session.exec(select(Department).where(Department.code == department_code)).one()
        placement_type = session.exec(select(PlacementType).where(PlacementType.code == type_code)).one()
        return f"{department.id}_{placement_type.id}"


def test_bif_edits_a_target_and_sees_its_history(
    page, live_server, browser_user, browser_login, assert_accessible
):
    browser_login(page, browser_user("bif"))
    page.goto("/targets/2025")
    assert_accessible(page)
    key = _cell_id(live_server, "SOF", "internship")
    page.fill(f"#value_{key}", "123")
    page.fill(f"#reference_{key}", "BR 11.12.2024, punkt 3")
    page.get_by_role("button", name="Gem måltal").click()
    page.wait_for_url("**/targets/2025")
    assert page.input_value(f"#value_{key}") == "123"
    assert page.get_by_role("status").first.is_visible()
    with live_server.session() as session:
        department_id, type_id = (int(x) for x in key.split("_"))
        target = session.exec(
            select(Target).where(
                Target.year == 2025, Target.department_id == department_id, Target.type_id == type_id
            )
        ).one()
        assert target.value == 123
    page.goto(f"/targets/history/{target.id}")
    assert "BR 11.12.2024, punkt 3" in page.content()
    assert_accessible(page)


def test_bif_downloads_the_targets_as_xlsx(page, browser_user, browser_login):
    browser_login(page, browser_user("bif"))
    page.goto("/targets/2025")
    with page.expect_download() as info:
        page.click("a[href$='targets-2025.xlsx']")
    path = info.value.path()
    sheet = load_workbook(io.BytesIO(Path(path).read_bytes())).active
    assert [c.value for c in sheet[1]] == ["year", "department", "type", "value", "decided_on", "reference"]
    assert sheet.max_row > 1


def test_admin_pages_and_rules_are_accessible(page, browser_user, browser_login, assert_accessible):
    browser_login(page, browser_user("admin"))
    for url in (
        "/admin/departments",
        "/admin/types",
        "/targets/2025/rules",
        "/targets/2025/municipality",
        "/targets/import",
    ):
        page.goto(url)
        assert_accessible(page)
    page.goto("/admin/departments")
    page.click("a[href^='/admin/departments/'] >> nth=0")
    assert_accessible(page)


def test_token_is_shown_once(page, browser_user, browser_login, assert_accessible):
    browser_login(page, browser_user("hr", "SOF"))
    page.goto("/tokens/")
    page.fill("#name", "Lønsystem")
    page.get_by_role("button", name="Opret nøgle").click()
    secret = page.locator("code").first.inner_text()
    assert secret.startswith("qk_")
    assert_accessible(page)
    page.goto("/tokens/")
    assert secret not in page.content()


def _no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_counting_rules_are_one_table_edited_at_once(
    page, live_server, browser_user, browser_login, assert_accessible
):
    browser_login(page, browser_user("bif"))
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/targets/2025/rules")
        table = page.get_by_role("table", name="Hvad der tæller med i 2025 pr. ordning")
        expect(table).to_be_visible()
        expect(table.get_by_role("columnheader")).to_have_text(
            ["Ordning", "åben", "besat", "i bero", "nedlagt", "Vægtning"]
        )
        assert _no_sideways_scroll(page), width
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    # Tick open for work placements and weight flex jobs by fte, in the same table; saved at once.
    page.get_by_label("Virksomhedspraktik: tæl åben").check()
    page.get_by_label("Fleksjob: vægtning").select_option("fte")
    page.get_by_role("button", name="Gem tælleregler").click()
    expect(page.get_by_role("status").first).to_contain_text("Tælleregler for 2025 gemt")
    expect(page.get_by_label("Virksomhedspraktik: tæl åben")).to_be_checked()
    expect(page.get_by_label("Fleksjob: vægtning")).to_have_value("fte")
    # A refusal (senior jobs counting nothing) names the type, keeps every choice and saves nothing.
    for status in ("åben", "besat", "i bero", "nedlagt"):
        page.get_by_label(f"Seniorjob: tæl {status}").uncheck()
    page.get_by_label("Virksomhedspraktik: tæl i bero").check()
    page.get_by_role("button", name="Gem tælleregler").click()
    expect(page.get_by_role("alert")).to_contain_text("Seniorjob: Vælg mindst én status, der tæller med.")
    expect(page.get_by_label("Virksomhedspraktik: tæl i bero")).to_be_checked()
    assert_accessible(page)
    with live_server.session() as session:
        internship = session.exec(select(PlacementType).where(PlacementType.code == "internship")).one()
        rule = session.exec(
            select(CountingRule).where(CountingRule.year == 2025, CountingRule.type_id == internship.id)
        ).one()
        assert rule.statuses == ("open", "filled")
