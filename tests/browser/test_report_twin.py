"""A report's HTML twin in a real browser: the mayor's link opens it without signing in, it passes axe and does
not scroll sideways at 1280 and 390 px, in Danish and English, with the same numbers as the PDF; BIF makes
and revokes links on the archived report's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from quota_app.dispatch.report_links import issue_link
from quota_app.periods import parse_period
from reports.services import build_archived_report
from tests.browser.conftest import check_at_each_width, screenshot_path
from tests.reports.pdfs import all_text

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def archived(live_server) -> dict:  # type: ignore[no-untyped-def]
    """SOF's and the municipality's 2025-H1 reports archived with their data; a link to SOF's."""
    with live_server.session() as session:
        now = live_server.clock.now()
        entries = {
            code: build_archived_report(
                session,
                period=parse_period("2025-H1"),
                department_code=code,
                known_at=now,
                actor="test",
                now=now,
            )
            for code in ("SOF", None)
        }
        _link, secret = issue_link(session, archive_id=entries["SOF"].id, actor="test", now=now)
        session.commit()
        return {
            "SOF": (entries["SOF"].id, all_text(entries["SOF"].pdf)),
            "KK": (entries[None].id, all_text(entries[None].pdf)),
            "secret": secret,
        }


def test_the_mayors_link_opens_the_report_without_sign_in(page, archived, assert_accessible):  # type: ignore[no-untyped-def]
    page.goto(f"/rapport/{archived['secret']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Halvårsstatus for støttet beskæftigelse")
    verdict = page.get_by_role("region", name="Resultatet kort")
    expect(verdict).to_contain_text("Under mål")
    expect(verdict).to_contain_text("Forvaltningen bedes")
    pdf = archived["SOF"][1]
    first = verdict.locator("p").first.inner_text()
    assert first in pdf  # the verdict reads as on the PDF's first page
    row = page.get_by_role("table", name="Status pr. ordning").get_by_role("row").nth(1)
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    assert " ".join(cells[:7]) in pdf  # name, target, filled, open, paused, counted, fulfilment
    check_at_each_width(page, assert_accessible)
    page.screenshot(path=screenshot_path("report-twin-390"), full_page=True)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("region", name="The answer in brief")).to_contain_text("Below target")
    check_at_each_width(page, assert_accessible)


def test_bif_makes_and_revokes_links_and_sees_the_consolidated_report(  # type: ignore[no-untyped-def]
    page, browser, live_server, archived, browser_user, browser_login, assert_accessible
):
    browser_login(page, browser_user("bif"))
    page.goto("/rapporter/?period=2025-H1")
    archive = page.get_by_role("table", name="Endelige rapporter for 1. halvår 2025")
    archive.get_by_role("link", name=re.compile(r"^Vis som webside KK")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Københavns Kommune")
    expect(page.get_by_role("region", name=re.compile("Forvaltningerne side om side"))).to_be_visible()
    check_at_each_width(page, assert_accessible)

    page.goto(f"/rapporter/arkiv/{archived['SOF'][0]}")
    links = page.get_by_role("table", name="Rapportens links")
    expect(links.get_by_role("row")).to_have_count(2)
    page.get_by_role("button", name="Lav et nyt link").click()
    new = page.get_by_text(re.compile(r"/rapport/[A-Za-z0-9_-]{43}$"))
    expect(new).to_be_visible()
    check_at_each_width(page, assert_accessible)
    address = new.inner_text()
    page.goto(f"/rapporter/arkiv/{archived['SOF'][0]}")
    expect(page.get_by_text(address)).to_have_count(0)  # shown once
    revoke = page.get_by_role("button", name=re.compile("^Træk tilbage"))
    for remaining in (1, 0):  # the mayor's link, then the new one
        revoke.first.click()
        expect(page.get_by_role("status")).to_contain_text("Linket er trukket tilbage")
        expect(revoke).to_have_count(remaining)
    expect(page.get_by_role("table", name="Rapportens links")).not_to_contain_text("Virker")
    check_at_each_width(page, assert_accessible)

    anonymous = browser.new_context(base_url=live_server.url)
    try:
        other = anonymous.new_page()
        for secret in (archived["secret"], address.rsplit("/", 1)[1]):
            assert other.goto(f"/rapport/{secret}").status == 404
    finally:
        anonymous.close()
