"""The compliance pages in a real browser: the view, a workplace's page and a statement, axe-core at
1280 and 390 px, no sideways scrolling."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from quota_app.compliance import headcounts
from quota_app.models import Department, Unit
from quota_app.places import registration
from tests.browser.conftest import check_at_each_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def seeded(live_server) -> dict:  # type: ignore[no-untyped-def]
    """A SOF workplace with a P-number and 10 ordinary employees, and one filled work placement there."""
    now = live_server.clock.now()
    with live_server.session() as session:
        sof = session.exec(select(Department).where(Department.code == "SOF")).one()
        unit = Unit(department_id=sof.id, name="Plejecenter Browserby")
        session.add(unit)
        session.flush()
        headcounts.set_p_number(session, unit_id=unit.id, p_number="9876543210", actor="test", now=now)
        headcounts.record_headcount(
            session,
            unit_id=unit.id,
            effective_date=date(2025, 1, 1),
            ordinary_employees=10,
            actor="test",
            now=now,
        )
        place = registration.register_place(
            session,
            department_id=sof.id,
            type_code="internship",
            reference="BR-COMPLIANCE",
            unit_id=unit.id,
            status="filled",
            effective_date=date(2025, 3, 3),
            actor="test",
            now=now,
        )
        session.commit()
        return {"unit": unit.id, "place": place.id}


def test_the_compliance_pages(page, seeded, browser_user, browser_login, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("bif"))
    page.goto("/rimelighedskrav/?as_of=2025-09-30")
    row = page.locator("#compliance-workplaces tr", has_text="Plejecenter Browserby")
    expect(row).to_contain_text("9876543210")
    check_at_each_width(page, assert_accessible)
    row.get_by_role("link", name="Plejecenter Browserby").click()
    expect(page.locator("#workplace-places")).to_contain_text("BR-COMPLIANCE")
    check_at_each_width(page, assert_accessible)


def test_hr_records_a_statement(page, seeded, browser_user, browser_login, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, browser_user("hr", "SOF"))
    page.goto(f"/places/{seeded['place']}")
    expect(page.locator("#statement-state")).to_contain_text("mangler")
    page.goto(f"/rimelighedskrav/plads/{seeded['place']}/udtalelse")
    check_at_each_width(page, assert_accessible)
    page.get_by_label("Udtalelsens dato").fill("2025-02-20")
    page.get_by_label("Repræsentantens rolle").fill("Tillidsrepræsentant")
    page.get_by_role("button", name="Gem udtalelsen").click()
    expect(page.locator("#statement-state")).to_contain_text("Tillidsrepræsentant")
