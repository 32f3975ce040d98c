"""A missed half-year dispatch in a real browser: the red banner on BIF's start page (accessible, said in
words), its button sends the period, and the banner is gone. A module of its own: its live server's data."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from quota_app.models import Department, Place, PlaceEvent, PlacementType

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module", autouse=True)
def in_use_before_august(live_server):  # type: ignore[no-untyped-def]
    """A place registered in March 2025: the app was in use when the 2025-H1 reports were due."""
    recorded = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    with live_server.session() as session:
        department = session.exec(select(Department).where(Department.code == "SOF")).one()
        kind = session.exec(select(PlacementType)).first()
        place = Place(department_id=department.id, type_id=kind.id, reference="SOF-B1", created_at=recorded)
        session.add(place)
        session.flush()
        session.add(
            PlaceEvent(
                place_id=place.id,
                status="open",
                effective_date=date(2025, 3, 1),
                recorded_at=recorded,
                source="test",
            )
        )
        session.commit()


def test_bif_sees_the_missed_dispatch_and_sends_it(page, browser_user, browser_login, assert_accessible):
    browser_login(page, browser_user("bif"))
    banner = page.get_by_role("alert").filter(has_text="Halvårsstatus for 1. halvår 2025 er ikke sendt")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("img", name="Fejl")).to_be_attached()  # words, not the colour alone
    assert_accessible(page)
    banner.get_by_role("button", name="Send halvårsstatus for 1. halvår 2025 nu").click()
    expect(page).to_have_url(re.compile(r"/udsendelser/\?period=2025-H1$"))
    expect(page.locator(".alert-success")).to_contain_text("sendt")
    expect(page.get_by_text("Halvårsstatus for 1. halvår 2025 er ikke sendt")).to_have_count(0)
    page.goto("/")
    expect(page.get_by_text("Halvårsstatus for 1. halvår 2025 er ikke sendt")).to_have_count(0)


def test_hr_sees_no_banner(page, browser_user, browser_login):
    browser_login(page, browser_user("hr"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Halvårsstatus for 1. halvår 2025 er ikke sendt")).to_have_count(0)
