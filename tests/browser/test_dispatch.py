"""BIF's dispatch pages in a real browser: the menu, the schedule and ledger, the dry run before sending."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_bif_finds_the_dispatch_pages_and_sees_what_would_be_sent(
    page, browser_user, browser_login, assert_accessible
):
    browser_login(page, browser_user("bif"))
    page.get_by_role("navigation", name="Hovedmenu", exact=True).get_by_role(
        "link", name="Udsendelser"
    ).click()
    expect(page).to_have_url(re.compile(r"/udsendelser/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Udsendelser")
    expect(page.locator("main")).to_contain_text("Planlæggeren har ikke meldt sig endnu")
    expect(page.locator("main")).to_contain_text("0 8 15 2,8 *")
    assert_accessible(page)

    page.get_by_role("link", name="Send halvårsstatus nu").click()
    page.get_by_label("Periode").select_option("2025-H1")
    page.get_by_label("Forvaltning").select_option("SOF")
    page.get_by_role("button", name="Vis hvad der sendes").click()
    expect(page.get_by_role("heading", name="Det her sendes")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(
        1 if page.locator("main").inner_text().count("@") == 1 else 2
    )
    expect(page.get_by_role("button", name="Send nu")).to_be_visible()
    assert_accessible(page)


def test_hr_cannot_open_the_dispatch_pages(page, browser_user, browser_login):
    browser_login(page, browser_user("hr"))
    response = page.goto("/udsendelser/")
    assert response is not None and response.status == 403


def test_bif_sends_a_department_report_and_resends_it_after_confirmation(
    page, browser_user, browser_login, live_server, assert_accessible
):
    outbox = live_server.app.config["QUOTA_SETTINGS"].effective_outbox_path
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    browser_login(page, browser_user("bif"))
    page.goto("/udsendelser/send?period=2025-H1&department=KFF")
    page.get_by_role("button", name="Send nu").click()
    expect(page).to_have_url(re.compile(r"/udsendelser/\?period=2025-H1$"))
    expect(page.locator(".alert-success")).to_contain_text("2 sendt")
    new = set(outbox.glob("*.eml")) - before
    assert len(new) == 2  # no SMTP host configured: .eml files in the outbox
    assert_accessible(page)

    page.get_by_role("row").filter(has_text="borgmester.kff").get_by_role("link").first.click()
    expect(page.locator("main")).to_contain_text("halvaarsstatus-2025-H1-KFF.pdf")
    expect(page.locator("main")).to_contain_text("Kære Kultur- og Fritidsborgmester")
    assert_accessible(page)
    page.get_by_role("link", name="Send igen").click()
    expect(page.locator("main")).to_contain_text("Mailen er allerede sendt")
    assert_accessible(page)
    page.get_by_role("button", name="Ja, send igen").click()
    expect(page.locator(".alert-success")).to_contain_text("1 sendt")
    assert len(set(outbox.glob("*.eml")) - before) == 3
