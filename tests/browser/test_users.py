"""An administrator's whole job in a real browser: create a user, who gets a mailed link (a real SMTP server on
loopback), chooses a password with it and signs in; find the user, send a new link, deactivate them.
Every page is checked with axe at 1280 and 390 px, in Danish and English, without sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_at_each_width, close_context
from tests.dispatch.support import SmtpServer

PASSWORD = "my own long passphrase"
LINK_RE = re.compile(r"http://127\.0\.0\.1:\d+/sign-in/[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_settings(smtp: SmtpServer) -> dict:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_timeout": 5.0}


def mailed_link(smtp: SmtpServer, address: str) -> str:
    (*_earlier, received) = smtp.to(address)
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    match = LINK_RE.search(text)
    assert match, text
    return match.group(0)


def test_an_administrator_gives_a_new_colleague_access_and_takes_it_away(
    page, live_server, browser_user, browser_login, assert_accessible, smtp
):
    admin = browser_user("admin")
    browser_login(page, admin)
    check_at_each_width(page, assert_accessible)  # the start page, with the schedules in words
    expect(page.locator("main")).to_contain_text("15. februar og 15. august kl. 08.00")
    page.get_by_role("navigation", name="Hovedmenu", exact=True).get_by_role("link", name="Brugere").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brugere")
    check_at_each_width(page, assert_accessible)

    page.get_by_role("link", name="Opret bruger").click()
    check_at_each_width(page, assert_accessible)
    page.get_by_role("button", name="Opret og send link").click()  # nothing filled in
    expect(page.locator("[data-module=error-summary]")).to_contain_text("Skriv brugerens e-mailadresse.")
    check_at_each_width(page, assert_accessible)
    page.fill("#email", "ny.kollega@kk.dk")
    page.fill("#name", "Ny Kollega")
    page.select_option("#role", "hr")
    page.select_option("#department", label="SOF – Socialforvaltningen")
    page.get_by_role("button", name="Opret og send link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny Kollega")
    expect(page.locator(".kk-flashes")).to_contain_text("ny.kollega@kk.dk er oprettet og har fået et link")
    check_at_each_width(page, assert_accessible)
    link = mailed_link(smtp, "ny.kollega@kk.dk")
    assert link.startswith(live_server.url + "/sign-in/")

    # The colleague, in their own browser, follows the mailed link.
    colleague = page.context.browser.new_context(base_url=live_server.url, locale="da-DK")
    mine = colleague.new_page()
    try:
        mine.goto(link)
        expect(mine.get_by_role("heading", level=1)).to_have_text("Vælg adgangskode")
        expect(mine.locator("main")).to_contain_text("ny.kollega@kk.dk")
        check_at_each_width(mine, assert_accessible)
        mine.fill("#password", PASSWORD)
        mine.fill("#confirm", PASSWORD + " typo")
        mine.get_by_role("button", name="Gem adgangskode").click()
        expect(mine.locator("#confirm-error")).to_contain_text("ikke ens")
        check_at_each_width(mine, assert_accessible)
        mine.fill("#password", PASSWORD)
        mine.fill("#confirm", PASSWORD)
        mine.get_by_role("button", name="Gem adgangskode").click()
        expect(mine).to_have_url(re.compile(r"/login$"))
        expect(mine.locator(".kk-flashes")).to_contain_text("Din adgangskode er gemt")
        mine.fill("#email", "ny.kollega@kk.dk")
        mine.fill("#password", PASSWORD)
        mine.get_by_role("button", name="Log ind").click()
        expect(mine.get_by_role("heading", level=1)).to_contain_text("Velkommen, Ny Kollega")
        mine.goto(link)  # used up
        expect(mine.locator("main")).to_contain_text("Linket kan ikke bruges")
        check_at_each_width(mine, assert_accessible)

        # The administrator finds the colleague and sends a new link, then deactivates them.
        page.goto("/admin/users")
        page.fill("#q", "kollega")
        page.get_by_role("button", name="Vis", exact=True).click()
        expect(page.get_by_role("status").last).to_have_text("1 bruger fundet")
        page.get_by_role("link", name="Ny Kollega").click()
        expect(page.locator("main")).to_contain_text("blev brugt")
        page.get_by_role("button", name="Send link til at vælge adgangskode").click()
        expect(page.locator(".kk-flashes")).to_contain_text("Et nyt link er sendt til ny.kollega@kk.dk")
        assert mailed_link(smtp, "ny.kollega@kk.dk") != link
        page.get_by_role("button", name="Deaktivér brugeren").click()
        expect(page.locator(".kk-flashes")).to_contain_text("Brugeren er deaktiveret.")
        expect(page.get_by_role("button", name="Genaktivér brugeren")).to_be_visible()
        check_at_each_width(page, assert_accessible)
        # Their session has ended, and the new link no longer works.
        mine.goto("/")
        expect(mine).to_have_url(re.compile(r"/login\?next="))
        mine.goto(mailed_link(smtp, "ny.kollega@kk.dk"))
        expect(mine.locator("main")).to_contain_text("Linket kan ikke bruges")
    finally:
        close_context(colleague)


def test_the_user_pages_in_english(page, browser_user, browser_login, assert_accessible):
    admin = browser_user("admin")
    browser_login(page, admin)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("February 15 and August 15 at 08:00")
    check_at_each_width(page, assert_accessible)
    for url, heading in (
        ("/admin/users", "Users"),
        ("/admin/users/new", "Create user"),
        (f"/admin/users/{admin.id}", admin.name),
        ("/sign-in/no-such-link", "Choose a password"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_at_each_width(page, assert_accessible)
