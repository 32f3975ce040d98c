"""Department HR's day in a real browser: register, fill, pause, timeline, import, comment; axe on each page."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from quota_app.models import Department, DepartmentComment, Place, PlaceEvent, User
from quota_app.places import registration, status_events

HEADER = "reference;forvaltning;ordning;status;dato;enhed;titel;årsværk;note"


def _counts(live_server, code: str = "SOF") -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with live_server.session() as session:
        department_id = session.execute(sa.select(Department.id).where(Department.code == code)).scalar_one()
        places = session.execute(
            sa.select(sa.func.count()).select_from(Place).where(Place.department_id == department_id)
        ).scalar_one()
        events = session.execute(
            sa.select(sa.func.count())
            .select_from(PlaceEvent)
            .join(Place, Place.id == PlaceEvent.place_id)
            .where(Place.department_id == department_id)
        ).scalar_one()
        return places, events


def _change_status(page: Page, status: str, day: str, note: str) -> None:
    page.select_option("#status", status)
    page.fill("#effective_date", day)
    page.fill("#note", note)
    page.click("#change-heading ~ form [type=submit]")


def test_hr_registers_fills_pauses_and_sees_the_timeline(
    live_server, page, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    hr = live_server.create_user("hr", "SOF")
    browser_login(page, hr)

    page.goto("/places/")
    assert_accessible(page)
    page.click("text=Registrér ny plads")
    expect(page.locator("h1")).to_have_text("Registrér ny plads")
    assert_accessible(page)

    # A refusal first: messages next to the fields, in Danish, and accessible in that state too.
    page.fill("#fte", "2")
    page.fill("#title", "Borger 010190-1234")
    page.click("main form [type=submit]")
    expect(page.locator("#reference-error")).to_contain_text("Skriv pladsens reference.")
    expect(page.locator("#fte-error")).to_contain_text("Årsværk skal være større end 0")
    assert_accessible(page)

    page.select_option("#type_code", "internship")
    page.fill("#reference", "SOF-WEB-1")
    page.fill("#title", "Køkkenhjælp")
    page.fill("#fte", "0,5")
    page.select_option("#status", "open")
    page.fill("#effective_date", "2025-08-01")
    page.click("main form [type=submit]")
    expect(page.locator("h1")).to_have_text("Plads SOF-WEB-1")
    expect(page.locator("main")).to_contain_text("Pladsen SOF-WEB-1 er registreret.")
    assert_accessible(page)

    _change_status(page, "filled", "2025-08-15", "Besat efter samtale")
    expect(page.locator("#current-status")).to_contain_text("Besat")

    # A filled place cannot be paused: the status choices offer only what a filled place may become.
    options = page.locator("#status option")
    expect(options).to_have_count(2)
    assert [options.nth(i).get_attribute("value") for i in range(2)] == ["open", "closed"]
    # A date before the latest registration is still checked by the domain, next to the status field.
    _change_status(page, "closed", "2025-08-10", "Nedlagt")
    expect(page.locator("#status-error")).to_contain_text("senere registrering")
    expect(page.locator("#note")).to_have_value("Nedlagt")
    assert_accessible(page)

    _change_status(page, "open", "2025-09-01", "Forløbet stoppede")
    _change_status(page, "paused", "2025-09-20", "Enheden holder pause")
    expect(page.locator("#current-status")).to_contain_text("I bero")
    timeline = page.locator(".timeline > li h3")
    expect(timeline).to_have_count(4)
    expect(timeline.first).to_contain_text("20.09.2025")
    expect(timeline.first).to_contain_text("I bero")
    expect(page.locator(".timeline")).to_contain_text(hr.name)
    expect(page.locator(".timeline")).to_contain_text("30.09.2025 kl. 12.00")  # Copenhagen time

    # Correct the latest entry, by keyboard alone: open the details, type the reason, press Enter on submit.
    page.locator(".timeline > li").first.locator("summary").focus()
    page.keyboard.press("Enter")
    latest = page.locator(".timeline > li").first
    latest.locator("select").focus()
    page.keyboard.press("b")  # Besat: the entry said "i bero", it should have said "besat"
    expect(latest.locator("select")).to_have_value("filled")
    latest.locator("textarea").first.focus()
    page.keyboard.type("Datoen var forkert")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Registreringen er rettet.")
    expect(page.locator(".timeline")).to_contain_text("(rettelse)")
    assert_accessible(page)


def _upload(page: Page, name: str, text: str) -> None:
    page.goto("/places/import")
    page.set_input_files(
        "#file", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}]
    )
    # The progress script sends the form itself (upload progress, then rows counted) and then navigates.
    with page.expect_request(
        lambda r: r.method == "POST" and r.headers.get("x-requested-with") == "XMLHttpRequest"
    ):
        page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r"/places/import/[A-Za-z0-9_-]+$"))


def test_hr_imports_a_file_with_a_bad_row_then_the_fixed_file(
    live_server, page, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    hr = live_server.create_user("hr", "SOF")
    browser_login(page, hr)
    page.goto("/places/import")
    assert_accessible(page)
    rows = [
        "SOF-IMP-1;SOF;Virksomhedspraktik;åben;01-08-2025;Køkkenet;Køkkenhjælp;0,5;",
        "SOF-IMP-1;SOF;Virksomhedspraktik;besat;15.08.2025;Køkkenet;Køkkenhjælp;0,5;",
        "SOF-IMP-2;SOF;Fleksjob;måske;2025-09-01;;Pedel;1;",
    ]
    before = _counts(live_server)
    _upload(page, "pladser.csv", "\r\n".join([HEADER, *rows]) + "\r\n")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").first).to_have_text("4")
    expect(errors.first).to_contain_text("måske")
    expect(page.locator("main")).to_contain_text("Intet er gemt")
    assert_accessible(page)
    assert _counts(live_server) == before

    rows[2] = rows[2].replace("måske", "åben")
    _upload(page, "pladser.csv", "\r\n".join([HEADER, *rows]) + "\r\n")
    expect(page.locator("#import-errors")).to_have_count(0)
    expect(page.locator("#rows-read")).to_have_text("3")
    assert_accessible(page)
    assert _counts(live_server) == before
    page.click("text=Gem alle rækker")
    # The save runs as a background job; its page polls and shows the outcome when it is done.
    page.wait_for_url(re.compile(r"/places/import/jobs/\d+$"))
    expect(page.locator("#import-job-done")).to_contain_text("2 nye pladser, 3 nye statusændringer")
    assert_accessible(page)
    assert _counts(live_server) == (before[0] + 2, before[1] + 3)
    page.click("text=Se pladserne")
    page.wait_for_url(re.compile(r"/places/$"))
    expect(page.locator("main")).to_contain_text("SOF-IMP-2")
    assert_accessible(page)


def test_hr_writes_the_comment_and_sees_the_status(
    live_server, page, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    hr = live_server.create_user("hr", "SOF")
    browser_login(page, hr)
    page.goto("/places/status")
    expect(page.locator("#status-today")).to_be_visible()
    expect(page.locator("#status-last-half")).to_be_visible()
    assert_accessible(page)
    page.click("text=Forvaltningens kommentar til 1. halvår 2025")
    page.wait_for_url(re.compile(r"/comments/2025-H1"))
    assert_accessible(page)
    page.fill("#text", "Vi mangler tre fleksjob; to er i opslag.")
    page.click("main form [type=submit]")
    expect(page.locator("main")).to_contain_text("Kommentaren for 1. halvår 2025 er gemt.")
    expect(page.locator("#text")).to_have_value("Vi mangler tre fleksjob; to er i opslag.")
    assert_accessible(page)
    with live_server.session() as session:
        texts = session.execute(
            sa.select(DepartmentComment.text).where(DepartmentComment.period == "2025-H1")
        ).scalars()
        assert "Vi mangler tre fleksjob; to er i opslag." in list(texts)


def test_pages_in_english_are_accessible(live_server, page, browser_login, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    hr = live_server.create_user("hr", "SOF")
    browser_login(page, hr)
    page.goto("/places/")
    page.click("button[name=lang][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Places")
    assert_accessible(page)
    for path, heading in (
        ("/places/new", "Register a new place"),
        ("/places/import", "Import places from a spreadsheet"),
        ("/places/status", "The department's status"),
        ("/comments/2025-H1", "Comment for the half-yearly status 1st half 2025"),
    ):
        page.goto(path)
        expect(page.locator("h1")).to_contain_text(heading)
        assert_accessible(page)


def _registered_sof_place(live_server, reference: str, type_code: str, status: str) -> int:  # type: ignore[no-untyped-def]
    """Register a SOF place on 1 September 2025 through the lifecycle service; return its id."""
    with live_server.session() as session:
        sof = session.execute(sa.select(Department.id).where(Department.code == "SOF")).scalar_one()
        place = registration.register_place(
            session,
            department_id=sof,
            type_code=type_code,
            reference=reference,
            status=status,
            effective_date=date(2025, 9, 1),
            actor="test",
            now=live_server.clock.now(),
        )
        session.commit()
        return place.id  # type: ignore[return-value]


def test_a_refused_change_is_explained_in_english(
    live_server, page, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    hr = live_server.create_user("hr", "SOF")
    place_id = _registered_sof_place(live_server, "SOF-EN-1", "internship", "filled")
    browser_login(page, hr)
    page.goto(f"/places/{place_id}")
    page.click("button[name=lang][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # A filled place is offered only what it may become; a date in the future is refused, in English.
    expect(page.locator("#status option")).to_have_count(2)
    _change_status(page, "closed", "2025-10-10", "")
    expect(page.locator("#effective_date-error")).to_contain_text("The date 10.10.2025 is in the future.")
    assert_accessible(page)


def test_a_concurrent_change_is_shown_and_nothing_typed_is_lost(
    live_server, page, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    hr, colleague = live_server.create_user("hr", "SOF"), live_server.create_user("hr", "SOF")
    place_id = _registered_sof_place(live_server, "SOF-KONFLIKT", "flex_job", "open")
    browser_login(page, hr)
    page.goto(f"/places/{place_id}")
    page.select_option("#status", "paused")
    page.fill("#effective_date", "2025-09-16")
    page.fill("#note", "Min egen note")
    with live_server.session() as session:  # a colleague fills the place meanwhile
        status_events.record_status(
            session,
            place_id=place_id,
            status="filled",
            effective_date=date(2025, 9, 15),
            note="Kollegas note",
            actor=session.get(User, colleague.id),
            now=live_server.clock.now(),
        )
        session.commit()
    page.click("#change-heading ~ form [type=submit]")
    expect(page.locator("#conflict")).to_contain_text("ændret af en anden")
    expect(page.locator("#current-status")).to_contain_text("Besat")
    expect(page.locator(".timeline")).to_contain_text("Kollegas note")
    expect(page.locator("#note")).to_have_value("Min egen note")
    expect(page.locator("#effective_date")).to_have_value("2025-09-16")
    assert_accessible(page)


def test_the_register_form_is_reachable_with_the_tab_key_in_order(live_server, page, browser_login) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, live_server.create_user("hr", "SOF"))
    page.goto("/places/new")
    page.focus("#type_code")
    visited = []
    for _step in range(14):
        focused = page.evaluate("() => document.activeElement.id || document.activeElement.type")
        if not visited or visited[-1] != focused:  # a date input's day, month and year are one element
            visited.append(focused)
        page.keyboard.press("Tab")
    expected = [
        "type_code",
        "unit_id",
        "reference",
        "title",
        "fte",
        "status",
        "effective_date",
        "note",
        "submit",
    ]
    assert [v for v in visited if v in expected] == expected
    # Filling it by keyboard alone and pressing Enter registers the place.
    page.focus("#type_code")
    page.keyboard.press("f")  # Fleksjob
    page.focus("#reference")
    page.keyboard.type("SOF-TAST-1")
    page.focus("#effective_date")
    page.keyboard.type("01.09.2025")  # the DKFDS date picker: dd.mm.åååå
    page.focus("#reference")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Plads SOF-TAST-1")


def test_the_import_job_page_moves_its_bar_and_says_when_it_is_done(
    live_server, page, browser_login, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from quota_app.imports.leases import Lease, Progress, ProgressFile
    from quota_app.models import ImportJob

    hr = live_server.create_user("hr", "SOF")
    browser_login(page, hr)
    with live_server.session() as session:
        user = session.execute(sa.select(User).where(User.email == hr.email)).scalar_one()
        job = ImportJob(
            token="b" * 32, kind="save", filename="stor.csv", user_id=user.id, department_id=user.department_id,
            state="running", attempts=1, rows_total=400_000, created_at=live_server.clock.now(),
        )  # fmt: skip
        session.add(job)
        session.commit()
        job_id = job.id
    folder = Path(live_server.app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    board = ProgressFile(folder, job_id)
    board.write(Progress("reading", 100_000, 400_000))
    lease = Lease(live_server.app.extensions["quota_db"], folder, job_id)  # the "worker" is this test
    assert lease.acquire()
    try:
        page.goto(f"/places/import/jobs/{job_id}")
        expect(page.locator("#import-progress-text")).to_contain_text("Læser rækker: 100000 af 400000")
        assert_accessible(page)
        board.write(Progress("saving", 200_000, 400_000))  # the script polls and moves the bar
        expect(page.locator("#import-progress-text")).to_contain_text(
            "Gemmer statusændringer: 200.000 af 400.000"
        )
        expect(page.locator("#import-progress-bar")).to_have_js_property("value", 75)
        with live_server.session() as session:
            done = session.get(ImportJob, job_id)
            done.state, done.finished_at = "done", live_server.clock.now()
            done.result = {"places_created": 7, "events_created": 9, "corrections": 0, "unchanged": 1}
            session.commit()
        expect(page.locator("#import-job-done")).to_contain_text("7 nye pladser, 9 nye statusændringer")
        assert_accessible(page)
    finally:
        lease.release()
