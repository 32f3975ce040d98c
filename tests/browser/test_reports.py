"""The report page in a real browser: BIF's list, the period chooser, archiving, HR's scope, accessibility."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_bif_lists_every_department_and_downloads_a_final_report(
    page, browser_user, browser_login, assert_accessible
):
    browser_login(page, browser_user("bif"))
    page.get_by_role("navigation", name="Hovedmenu", exact=True).get_by_role("link", name="Rapporter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Halvårsstatus for støttet beskæftigelse")
    expect(page.locator("#period")).to_have_value("2025-H1")
    table = page.get_by_role("table", name="Forvaltninger")
    expect(table.get_by_role("row")).to_have_count(1 + 7 + 1)
    expect(table).to_contain_text("Økonomiforvaltningen (ØKF)")
    assert_accessible(page)
    page.screenshot(path=screenshot_path("reports-bif"), full_page=True)

    with page.expect_download() as download:
        table.get_by_role("button", name="Hent som endelig SOF").click()
    assert download.value.suggested_filename == "halvaarsstatus-2025-H1-SOF.pdf"
    page.goto("/rapporter/?period=2025-H1")
    expect(page.get_by_role("table", name="Endelige rapporter for 1. halvår 2025")).to_contain_text("SOF")
    assert_accessible(page)


def test_a_bad_period_is_explained_next_to_the_field(page, browser_user, browser_login, assert_accessible):
    browser_login(page, browser_user("bif"))
    page.goto("/rapporter/")
    page.fill("#period", "2025-H3")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator("#period-error")).to_contain_text("Ugyldig periode")
    expect(page.locator("#period")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_hr_sees_only_their_own_department(page, browser_user, browser_login, assert_accessible):
    browser_login(page, browser_user("hr", "SOF"))
    page.goto("/rapporter/")
    table = page.get_by_role("table", name="Forvaltninger")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("Socialforvaltningen (SOF)")
    expect(page.get_by_role("button", name="Hent som endelig SOF")).to_have_count(0)
    assert_accessible(page)
    response = page.request.get("/rapporter/2025-H1/BUF.pdf")
    assert response.status == 404
    own = page.request.get("/rapporter/2025-H1/SOF.pdf")
    assert own.status == 200 and own.headers["content-type"] == "application/pdf"


def test_the_page_in_english(page, browser_user, browser_login, assert_accessible):
    browser_login(page, browser_user("bif"))
    page.goto("/rapporter/?period=2025-H2")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Half-yearly status for supported employment")
    expect(page.locator("#period")).to_have_value("2025-H2")
    expect(page.get_by_role("button", name="Download as final SOF")).to_be_visible()
    assert_accessible(page)
