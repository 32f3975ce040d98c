"""Department HR's whole job in a real browser, at 1280 and 390 px, axe on every page, in Danish and English:
the menu to reports and API tokens, editing a place (reference and title; unit and fte from a date),
correcting a wrong date in one step, a closed place explained, and an import previewed page by page."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from quota_app.models import Department, Place, PlaceAttribute, PlaceEvent, Unit
from quota_app.places import registration, status_events
from tests.browser.conftest import check_at_each_width
from tests.browser.test_hr_flow import HEADER, _upload


def _setup(live_server) -> dict:  # type: ignore[no-untyped-def]
    """SOF with two units, a flex job filled in Nord and a closed work placement."""
    now = live_server.clock.now()
    with live_server.session() as session:
        sof = session.execute(sa.select(Department).where(Department.code == "SOF")).scalar_one()
        north, south = Unit(department_id=sof.id, name="Nord-HR"), Unit(department_id=sof.id, name="Syd-HR")
        session.add_all([north, south])
        session.flush()
        flex = registration.register_place(
            session,
            department_id=sof.id,
            type_code="flex_job",
            reference="SOF-JOB-1",
            title="Pedel",
            unit_id=north.id,
            status="open",
            effective_date=date(2025, 8, 1),
            actor="test",
            now=now,
        )
        status_events.record_status(
            session, place_id=flex.id, status="filled", effective_date=date(2025, 9, 1), actor="test", now=now
        )
        closed = registration.register_place(
            session,
            department_id=sof.id,
            type_code="internship",
            reference="SOF-JOB-2",
            status="open",
            effective_date=date(2025, 8, 1),
            actor="test",
            now=now,
        )
        status_events.record_status(
            session,
            place_id=closed.id,
            status="closed",
            effective_date=date(2025, 9, 10),
            actor="test",
            now=now,
        )
        session.commit()
        return {"flex": flex.id, "closed": closed.id, "south": south.id}


def test_hr_whole_job_at_desktop_and_phone_widths(
    live_server, page: Page, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    hr = live_server.create_user("hr", "SOF")
    ids = _setup(live_server)
    browser_login(page, hr)

    # The menu leads to everything HR may use: the department's reports and API tokens too.
    page.goto("/")
    menu = page.locator("nav .mainmenu").first
    expect(menu).to_contain_text("Rapporter")
    expect(menu).to_contain_text("API-nøgler")
    check_at_each_width(page, assert_accessible)
    reports = menu.get_by_role("link", name="Rapporter", exact=True).first.get_attribute("href")
    tokens = menu.get_by_role("link", name="API-nøgler", exact=True).first.get_attribute("href")
    page.goto(reports)
    expect(page.locator("h1")).to_contain_text("Halvårsstatus")
    expect(page.locator("nav .mainmenu").first.locator("li.active")).to_have_count(1)
    check_at_each_width(page, assert_accessible)
    page.goto(tokens)
    expect(page.locator("h1")).to_contain_text("API-nøgler")
    check_at_each_width(page, assert_accessible)

    # Edit a place: reference and title at once, then unit and fte from a date.
    page.goto(f"/places/{ids['flex']}")
    check_at_each_width(page, assert_accessible)
    page.click("#edit-place")
    expect(page.locator("h1")).to_have_text("Redigér plads SOF-JOB-1")
    check_at_each_width(page, assert_accessible)
    page.fill("#reference", "SOF-JOB-1A")
    page.fill("#title", "Pedel og vicevært")
    page.click("#rename-form [type=submit]")
    expect(page.locator("main")).to_contain_text("Reference og stillingsbetegnelse er gemt.")
    expect(page.locator("h1")).to_have_text("Plads SOF-JOB-1A")
    page.click("#edit-place")
    page.fill("#attributes-form #effective_date", "2025-09-15")
    page.select_option("#attributes-form #unit_id", str(ids["south"]))
    page.fill("#attributes-form #fte", "5")  # a refusal first: beside its field, the input kept
    page.click("#attributes-form [type=submit]")
    expect(page.locator("#fte-error")).to_contain_text("højst 1")
    check_at_each_width(page, assert_accessible)
    page.fill("#attributes-form #fte", "0,5")
    page.fill("#attributes-form #note", "Timetallet er sat ned")
    page.click("#attributes-form [type=submit]")
    expect(page.locator("main")).to_contain_text("Enhed og årsværk er gemt fra den valgte dato.")
    page.click("#edit-place")
    history = page.locator("#attribute-history")
    expect(history).to_contain_text("Gælder fra 15.09.2025")
    expect(history).to_contain_text("Syd-HR")
    expect(history).to_contain_text("Fra starten:")
    check_at_each_width(page, assert_accessible)

    # A wrong date is corrected by giving the right one: the old registration is voided in the same step.
    page.goto(f"/places/{ids['flex']}")
    with live_server.session() as session:
        filled_id = session.execute(
            sa.select(PlaceEvent.id).where(PlaceEvent.place_id == ids["flex"], PlaceEvent.status == "filled")
        ).scalar_one()
    entry = page.locator(f"#event-{filled_id}")
    entry.locator("summary").click()
    expect(entry.get_by_role("heading", name="Ret dato eller status")).to_be_visible()
    expect(entry.get_by_role("heading", name="Annullér registreringen")).to_be_visible()
    check_at_each_width(page, assert_accessible)
    entry.locator(f"#c{filled_id}-effective_date").fill("2025-09-05")
    entry.get_by_label("Begrundelse for rettelsen").fill("Forkert dato i første registrering")
    entry.get_by_role("button", name="Ret registrering").click()
    expect(page.locator("main")).to_contain_text("Registreringen er rettet.")
    expect(page.locator("#current-status")).to_contain_text("05.09.2025")
    with live_server.session() as session:
        rows = session.execute(
            sa.select(PlaceEvent.effective_date, PlaceEvent.voided_at.is_not(None))
            .where(PlaceEvent.place_id == ids["flex"], PlaceEvent.status == "filled")
            .order_by(PlaceEvent.id)
        ).all()
        assert [tuple(r) for r in rows] == [(date(2025, 9, 1), True), (date(2025, 9, 5), False)]
        place = session.get(Place, ids["flex"])
        assert (place.fte, place.unit_id) == (0.5, ids["south"])

    # A closed place explains why it has no status form and how to fix a wrong closure.
    page.goto(f"/places/{ids['closed']}")
    expect(page.locator("#closed-explained")).to_contain_text("nedlagt ved en fejl")
    check_at_each_width(page, assert_accessible)

    # An import previewed: what will be saved, page by page, then saved.
    rows = [f"SOF-M{n:03d};SOF;Virksomhedspraktik;åben;01-09-2025;;Praktik;1;" for n in range(55)]
    rows.append("SOF-JOB-1A;SOF;Fleksjob;besat;05-09-2025;;;0,8;")
    _upload(page, "mange.csv", "\r\n".join([HEADER, *rows]) + "\r\n")
    expect(page.locator("main")).to_contain_text("56 ændringer gemmes")
    expect(page.locator("nav.pagination")).to_be_visible()
    expect(page.locator("main table").last).to_contain_text("Ændrede oplysninger")  # SOF-JOB-1A's fte
    check_at_each_width(page, assert_accessible)
    page.locator("nav.pagination").get_by_role("link", name="Side 2").click()
    expect(page.locator("main table").last).to_contain_text("SOF-M054")
    check_at_each_width(page, assert_accessible)
    page.click("text=Gem alle rækker")
    page.wait_for_url(re.compile(r"/places/import/jobs/\d+$"))
    expect(page.locator("#import-job-done")).to_contain_text("55 nye pladser")
    with live_server.session() as session:
        dated = session.execute(
            sa.select(PlaceAttribute.effective_date, PlaceAttribute.fte)
            .where(PlaceAttribute.place_id == ids["flex"])
            .order_by(PlaceAttribute.effective_date)
        ).all()
        # The file's fte holds from its row's date; the change from 15.09 that HR made still follows it.
        assert [tuple(r) for r in dated] == [
            (date.min, 1.0),
            (date(2025, 9, 5), 0.8),
            (date(2025, 9, 15), 0.5),
        ]
        assert session.get(Place, ids["flex"]).fte == 0.5

    # The same pages in English.
    page.goto(f"/places/{ids['flex']}")
    page.click("button[name=lang][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_at_each_width(page, assert_accessible)
    page.click("#edit-place")
    expect(page.locator("h1")).to_contain_text("Edit place")
    check_at_each_width(page, assert_accessible)
    page.goto(f"/places/{ids['closed']}")
    expect(page.locator("#closed-explained")).to_contain_text("closed by mistake")
    check_at_each_width(page, assert_accessible)
    assert live_server.errors == []
