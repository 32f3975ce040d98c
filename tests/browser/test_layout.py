"""Layout for every role in a real browser (issue 12, point 13): no page scrolls sideways at 1280 or 390 px,
the menu marks exactly one item, lists page with the DKFDS pagination, dates are typed in the DKFDS date
picker as dd.mm.åååå, and the monitor's "as known at" keeps its value across submits.

Every page is found as a person finds it: from the start page, following the links in the menu and on the
pages (one page per address pattern, downloads and sign-out left out).
"""

from __future__ import annotations

import re
from collections import deque
from datetime import date
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from quota_app.models import Department, Place
from quota_app.places import registration, status_events
from tests.browser.conftest import WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MAX_PAGES = 45  # per role: every address pattern the role reaches, with room to spare
SKIP = re.compile(r"\.(csv|xlsx|pdf)\b|/logout|/language|/api/v1/|/static/|download=|/rapport/|/login")
ACTIVE = "nav.nav .mainmenu li.active"


@pytest.fixture(scope="module")
def seeded(live_server) -> dict:  # type: ignore[no-untyped-def]
    """Enough SOF places for the place list to have two pages, one with a long title and reference."""
    now = live_server.clock.now()
    with live_server.session() as session:
        sof = session.exec(select(Department).where(Department.code == "SOF")).one()
        first = None
        for n in range(55):
            place = registration.register_place(
                session,
                department_id=sof.id,
                type_code="internship" if n % 3 else "flex_job",
                reference=f"LAYOUT-{n:03d}"
                + ("-MED-EN-MEGET-LANG-REFERENCE-UDEN-MELLEMRUM" if n == 0 else ""),
                title="Køkkenmedhjælper i det centrale produktionskøkken på Sundholm, aften og weekend"
                if n == 0
                else f"Plads {n}",
                unit_id=None,
                status="open",
                effective_date=date(2025, 3, 3),
                actor="test",
                now=now,
            )
            if n % 2:
                status_events.record_status(
                    session,
                    place_id=place.id,
                    status="filled",
                    effective_date=date(2025, 5, 5),
                    actor="test",
                    now=now,
                )
            first = first or place.id
        session.commit()
    return {"place": first}


def _address(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _pattern(url: str) -> str:
    """One page per kind: /places/12 and /places/13 are the same page; query strings aside."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def _overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _links(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("header nav.nav a[href], main a[href]", "els => els.map(e => e.href)")
    return [h for h in hrefs if h.startswith(origin) and not SKIP.search(h) and "#" not in h]


def _walk(page: Page, origin: str) -> list[str]:
    """Visit the role's pages breadth first from the start page; on each, check both widths and the menu.
    Returns the addresses visited."""
    seen_patterns: set[str] = set()
    queue = deque([origin + "/"])
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        pattern = _pattern(url)
        if pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = page.goto(url)
        if (
            response is None
            or response.status != 200
            or "text/html" not in response.headers.get("content-type", "")
        ):
            continue
        visited.append(_address(page.url))
        active = page.locator(ACTIVE).count()
        if active > 1:
            problems.append(f"{_address(page.url)}: {active} menu items marked")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            overflow = _overflow(page)
            if overflow > 0:
                problems.append(f"{_address(page.url)} scrolls sideways by {overflow}px at {width}px")
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        queue.extend(link for link in _links(page, origin) if _pattern(link) not in seen_patterns)
    assert not problems, "\n".join(problems)
    return visited


@pytest.mark.parametrize(("role", "department"), [("hr", "SOF"), ("bif", None), ("admin", None)])
def test_no_page_of_a_role_scrolls_sideways_and_one_menu_item_is_marked(  # type: ignore[no-untyped-def]
    live_server, page, seeded, browser_user, browser_login, role, department
) -> None:
    browser_login(page, browser_user(role, department))
    visited = _walk(page, live_server.url)
    assert len(visited) >= 6, visited  # the walk really went through the role's pages
    # Each menu item's own page marks that item, and only it.
    menu = page.eval_on_selector_all(
        "nav.nav .mainmenu a", "els => els.map(e => [e.href, e.textContent.trim()])"
    )
    assert menu
    for href, label in menu:
        page.goto(href)
        marked = page.locator(ACTIVE)
        expect(marked).to_have_count(1)
        expect(marked).to_have_text(label)
        # "page" on the item's own page; "true" where the item's address leads on (/targets/ -> the year)
        expect(marked.locator("a")).to_have_attribute("aria-current", re.compile("^(page|true)$"))


def test_a_place_page_marks_the_places_item_only(
    live_server, page, seeded, browser_user, browser_login
) -> None:  # type: ignore[no-untyped-def]
    """A page no menu item links to (a place) marks the one item of its section, not all of the section's."""
    browser_login(page, browser_user("hr", "SOF"))
    page.goto(f"/places/{seeded['place']}")
    expect(page.locator(ACTIVE)).to_have_count(1)
    expect(page.locator(ACTIVE)).to_have_text("Pladser")
    expect(page.locator(ACTIVE).locator("a")).to_have_attribute("aria-current", "true")


def test_wide_tables_scroll_in_their_box_with_the_first_column_in_view(  # type: ignore[no-untyped-def]
    page, seeded, browser_user, browser_login
) -> None:
    browser_login(page, browser_user("bif"))
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/monitor/?date=2025-09-30")
    box = page.locator(".mon-scroll").first
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the matrix is wider than a phone
    first_cell = box.locator("tbody tr").first.locator("th, td").first
    before = first_cell.bounding_box()
    box.evaluate("el => { el.scrollLeft = 300; }")
    after = first_cell.bounding_box()
    assert before and after and abs(after["x"] - before["x"]) < 1  # the first column stays put
    assert _overflow(page) <= 0


def test_the_place_list_pages_with_the_dkfds_pagination(page, seeded, browser_user, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("hr", "SOF"))
    page.goto("/places/")
    pagination = page.locator("nav.pagination")
    expect(pagination).to_be_visible()
    expect(pagination.locator(".current-page")).to_have_text("1")
    pagination.get_by_role("link", name="Side 2").click()
    expect(page.locator("nav.pagination .current-page")).to_have_text("2")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert _overflow(page) <= 0


def test_the_date_picker_takes_dd_mm_yyyy(live_server, page, seeded, browser_user, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("hr", "SOF"))
    page.goto("/places/new")
    picker = page.locator(".date-picker").filter(has=page.locator("#effective_date"))
    expect(picker).to_have_class(re.compile("date-picker--initialized"))  # DKFDS took the field over
    expect(picker.locator(".date-picker__button")).to_be_visible()
    page.select_option("#type_code", "internship")
    page.fill("#reference", "DATO-1")
    page.fill("#title", "Lagermedhjælper")
    page.fill("#fte", "1")
    page.select_option("#status", "open")
    page.fill("#effective_date", "15.09.2025")
    page.click("main form [type=submit]")
    expect(page.locator("h1")).to_have_text("Plads DATO-1")
    expect(page.locator("main")).to_contain_text("Gælder fra 15.09.2025: Åben")
    with live_server.session() as session:
        place = session.exec(select(Place).where(Place.reference == "DATO-1")).one()
        assert place.id is not None
    # The status form's date too, and what the picker does not understand gets the server's message.
    page.fill("#effective_date", "31.02.2025")
    page.select_option("#status", "filled")
    page.click("#change-heading ~ form [type=submit]")
    expect(page.locator("#effective_date-error")).to_be_visible()
    expect(page.locator("#effective_date")).to_have_value("31.02.2025")  # kept as typed
    page.fill("#effective_date", "20.09.2025")
    page.click("#change-heading ~ form [type=submit]")
    expect(page.locator("main")).to_contain_text("Gælder fra 20.09.2025: Besat")


def test_the_known_at_field_keeps_its_value_across_submits(page, seeded, browser_user, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto("/monitor/")
    page.fill("#date", "01.09.2025")
    page.fill("#known_at", "2025-09-15T12:00")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator("#known_at")).to_have_value("2025-09-15T12:00")
    expect(page.locator("main")).to_contain_text("som kendt pr. 15.09.2025 kl. 12.00")
    expect(page.locator("#date")).to_have_value("01.09.2025")
    # Another date, the same known-at: it stays.
    page.fill("#date", "15.09.2025")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator("#known_at")).to_have_value("2025-09-15T12:00")
    expect(page.locator("main")).to_contain_text("Opgjort 15.09.2025")
