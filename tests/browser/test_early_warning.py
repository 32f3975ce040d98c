"""The early warning in a real browser: BIF's overview lists the gaps (sorted on the server), HR's start page
its own lines; axe-core and no sideways scrolling at 1280 and 390 px."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from quota_app.models import Department
from quota_app.places import registration, status_events
from tests.browser.conftest import check_at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OVERVIEW = "/monitor/?date=2025-09-30"


@pytest.fixture(scope="module")
def seeded(live_server) -> None:  # type: ignore[no-untyped-def]
    """Work placements in SOF and BUF (the demo's targets, no places before): fills after 30 and 40 days
    give a time to fill; one opening in SOF is still open."""
    now = live_server.clock.now()
    with live_server.session() as session:
        for code, histories in (
            (
                "SOF",
                [[("open", date(2025, 2, 3)), ("filled", date(2025, 3, 5))], [("open", date(2025, 9, 1))]],
            ),
            ("BUF", [[("open", date(2025, 3, 3)), ("filled", date(2025, 4, 12))]]),
        ):
            department = session.exec(select(Department).where(Department.code == code)).one()
            for n, history in enumerate(histories):
                (first_status, first_day), *rest = history
                place = registration.register_place(
                    session,
                    department_id=department.id,
                    type_code="internship",
                    reference=f"EW-{code}-{n}",
                    title=f"Praktik {n}",
                    status=first_status,
                    effective_date=first_day,
                    actor="test",
                    now=now,
                )
                for status, day in rest:
                    status_events.record_status(
                        session, place_id=place.id, status=status, effective_date=day, actor="test", now=now
                    )
        session.commit()


def _needed(page) -> list[int]:  # type: ignore[no-untyped-def]
    cells = page.locator("table.mon-gaps tbody tr td:nth-child(3)").all_inner_texts()
    return [int(c.replace(".", "")) for c in cells]


def test_bif_sorts_the_gaps_on_the_overview(page, seeded, browser_user, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto(OVERVIEW)
    expect(page.get_by_role("heading", name="Hvem når ikke måltallet ved årets udgang?")).to_be_visible()
    largest = _needed(page)
    assert len(largest) > 1 and largest == sorted(largest, reverse=True)
    expect(page.locator("table.mon-gaps")).to_contain_text("skal besætte")
    check_at_each_width(page)
    page.get_by_role("link", name="mindste mangel først").click()
    page.wait_for_url("**order=smallest**")
    assert _needed(page) == sorted(largest)
    expect(page.locator(".mon-sort strong")).to_have_text("mindste mangel først")
    check_at_each_width(page)


def test_hr_sees_their_own_lines_on_the_start_page(page, seeded, browser_user, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("hr", "BUF"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Hvor ender året?")).to_be_visible()
    expect(page.locator("ul.mon-pace")).to_contain_text("BUF skal besætte")
    expect(page.locator("main")).not_to_contain_text("SOF skal")
    check_at_each_width(page)
