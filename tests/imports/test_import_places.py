"""`import_places`: Danish files, all or nothing, every bad row with its reason, idempotent re-import."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlmodel import select

from quota_app.errors import DomainError
from quota_app.models import AuditEntry, Place, PlaceEvent, Unit
from quota_app.places import history as place_history

from .conftest import HEADER

GOOD = "\n".join(
    [
        HEADER,
        "SOF-1;SOF;internship;open;2025-01-06;Center for Hjemløse;Praktik i køkken;1;",
        "SOF-1;SOF;internship;filled;2025-02-03;;;;Borger startet",
        "SOF-2;SOF;flex_job;filled;2025-03-01;Center for Hjemløse;Fleksjob i rengøring;0.5;",
        "ØKF-1;ØKF;senior_job;open;2025-04-01;Koncern HR;Seniorjob som servicemedarbejder;;",
    ]
)


def place_by_reference(session, reference):  # type: ignore[no-untyped-def]
    return session.exec(select(Place).where(Place.reference == reference)).one()


def history(session, reference):  # type: ignore[no-untyped-def]
    place = place_by_reference(session, reference)
    events = session.exec(
        select(PlaceEvent)
        .where(PlaceEvent.place_id == place.id, PlaceEvent.voided_at.is_(None))
        .order_by(PlaceEvent.effective_date, PlaceEvent.recorded_at)
    ).all()
    return [(e.effective_date, e.status) for e in events]


def test_import_creates_places_events_and_units(session, run_import, counts, reference, clock):
    before = counts()
    result = run_import(GOOD)
    assert result.ok, result.errors
    assert (result.rows_read, result.places_created, result.events_created, result.corrections) == (
        4,
        3,
        4,
        0,
    )
    assert (result.unchanged, result.units_created) == (0, 2)
    after = counts()
    assert after["place"] - before["place"] == 3
    assert after["place_event"] - before["place_event"] == 4
    assert after["audit_entry"] - before["audit_entry"] == 1
    sof1 = place_by_reference(session, "SOF-1")
    assert (sof1.current_status, sof1.current_since, sof1.title, sof1.fte, sof1.version) == (
        "filled",
        date(2025, 2, 3),
        "Praktik i køkken",
        1.0,
        1,
    )
    unit = session.get(Unit, sof1.unit_id)
    assert (unit.name, unit.department_id) == ("Center for Hjemløse", reference["departments"]["SOF"].id)
    assert place_by_reference(session, "SOF-2").fte == 0.5
    assert place_by_reference(session, "SOF-2").unit_id == sof1.unit_id
    okf = place_by_reference(session, "ØKF-1")
    assert okf.department_id == reference["departments"]["ØKF"].id
    notes = session.exec(select(PlaceEvent.note).where(PlaceEvent.place_id == sof1.id)).all()
    assert sorted(notes) == ["", "Borger startet"]
    # The events count as history: the lifecycle service sees them.
    assert (
        place_history.status_on(session, place_id=sof1.id, day=date(2025, 2, 3), known_at=clock.now())
        == "filled"
    )
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "place.import")).one()
    assert entry.after["events_created"] == 4 and entry.actor_label == "test"


def test_windows_1252_semicolons_decimal_commas_and_danish_words(session, run_import):
    text = "\r\n".join(
        [
            "Reference;Forvaltning;Ordning;Status;Dato;Enhed;Titel;Årsværk;Bemærkning",
            "K-1;økf;Virksomhedspraktik;Åben;06-01-2025;Koncernservice;Praktik i kantine;0,5;Ny plads",
            "K-1;ØKF;VIRKSOMHEDSPRAKTIK;i  bero;03.03.2025;;;;",
            "K-2;Økonomiforvaltningen;Løntilskud;besat;2025-02-01;;;;",
            "K-2;ØKF;wage subsidy;Nedlagt;2025-05-01;;;;",
            "K-3;ØKF;Nytteindsats;åben;01.02.2025;;;1,0;",
        ]
    )
    result = run_import(text.encode("cp1252"), "places.csv")
    assert result.ok, result.errors
    assert (result.places_created, result.events_created) == (3, 5)
    assert history(session, "K-1") == [(date(2025, 1, 6), "open"), (date(2025, 3, 3), "paused")]
    assert history(session, "K-2") == [(date(2025, 2, 1), "filled"), (date(2025, 5, 1), "closed")]
    assert place_by_reference(session, "K-1").fte == 0.5
    assert place_by_reference(session, "K-1").title == "Praktik i kantine"


def test_utf8_bom_with_commas(session, run_import):
    text = "\ufeffreference,department,type,status,effective_date,unit,title,fte,note\n"
    text += 'B-1,BIF,utility_job,open,2025-06-30,Jobcenter København,"Nytteindsats i park, Valby","0,8",\n'
    result = run_import(text.encode("utf-8"))
    assert result.ok, result.errors
    place = place_by_reference(session, "B-1")
    assert (place.title, place.fte) == ("Nytteindsats i park, Valby", 0.8)


def test_xlsx(session, run_import):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["reference", "forvaltning", "ordning", "status", "virkningsdato", "enhed", "titel", "fte"])
    sheet.append(["X-1", "TMF", "Seniorjob", "besat", date(2025, 1, 2), "Byens Drift", "Vejdrift", 1])
    sheet.append(["X-1", "TMF", "Seniorjob", "åben", "2025-08-01", None, None, None])
    sheet.append(["X-2", "TMF", "Fleksjob", "open", date(2025, 1, 3), None, None, 0.6])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(buffer.getvalue(), "places.xlsx")
    assert result.ok, result.errors
    assert history(session, "X-1") == [(date(2025, 1, 2), "filled"), (date(2025, 8, 1), "open")]
    assert place_by_reference(session, "X-2").fte == 0.6


def test_rows_of_a_place_are_taken_in_date_order(session, run_import):
    text = "\n".join(
        [
            HEADER,
            "S-1;SOF;internship;closed;2025-05-01;;;;",
            "S-1;SOF;internship;open;2025-01-01;;;;",
            "S-1;SOF;internship;filled;2025-03-01;;;;",
        ]
    )
    result = run_import(text)
    assert result.ok, result.errors
    assert [s for _, s in history(session, "S-1")] == ["open", "filled", "closed"]
    assert place_by_reference(session, "S-1").current_status == "closed"


def test_empty_file_and_header_only(run_import, counts):
    before = counts()
    with pytest.raises(DomainError) as info:
        run_import(b"")
    assert info.value.message == "Filen er tom."
    with pytest.raises(DomainError) as info:
        run_import(HEADER + "\n\n")
    assert info.value.message == "Filen indeholder ingen rækker under overskriften."
    assert counts() == before


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("reference;department;type;status", "Kolonner mangler: dato."),
        ("reference;forvaltning;ordning;status;dato;farve", "Ukendt kolonne 'farve'."),
        ("reference;department;forvaltning;type;status;dato", "Kolonnen 'forvaltning' står der to gange."),
    ],
)
def test_bad_header(run_import, counts, header, message):
    before = counts()
    result = run_import(f"{header}\nA;SOF;internship;open;2025-01-01\n")
    assert [(e.row, e.message) for e in result.errors] == [(1, message)]
    assert counts() == before


BAD_ROWS = [
    ("A;XYZ;internship;open;2025-01-01;;;;", "Ukendt forvaltning 'XYZ'."),
    ("A;SOF;bowling;open;2025-01-01;;;;", "Ukendt ordning 'bowling'."),
    (
        "A;SOF;internship;ledig;2025-01-01;;;;",
        "Ukendt status 'ledig': brug åben, besat, i bero eller nedlagt.",
    ),
    (
        "A;SOF;internship;open;01/01/2025;;;;",
        "'01/01/2025' er ikke en dato: brug 2025-06-30, 30-06-2025 eller 30.06.2025.",
    ),
    ("A;SOF;internship;open;2025-02-30;;;;", "'2025-02-30' er ikke en gyldig dato."),
    ("A;SOF;internship;open;2025-10-01;;;;", "Datoen 01.10.2025 ligger i fremtiden."),
    ("A;SOF;internship;open;2025-01-01;;;2;", "Årsværk (fte) skal være et tal over 0 og højst 1, ikke '2'."),
    ("A;SOF;internship;open;2025-01-01;;;0;", "Årsværk (fte) skal være et tal over 0 og højst 1, ikke '0'."),
    (
        "A;SOF;internship;open;2025-01-01;;;halv;",
        "Årsværk (fte) skal være et tal over 0 og højst 1, ikke 'halv'.",
    ),
    (";SOF;internship;open;;;;;", "Mangler reference, dato."),
    ("A;;;;2025-01-01;;;;", "Mangler forvaltning, ordning, status."),
    (
        'A;SOF;internship;open;2025-01-01;;=HYPERLINK("x");;',
        "Cellen i kolonnen titel ligner en formel ('=HYPERLINK(\"x\")').",
    ),
    (
        "A;SOF;internship;open;2025-01-01;;;;@SUM(A1)",
        "Cellen i kolonnen bemærkning ligner en formel ('@SUM(A1)').",
    ),
    ("+A1;SOF;internship;open;2025-01-01;;;;", "Cellen i kolonnen reference ligner en formel ('+A1')."),
    ("A;SOF;internship;open;2025-01-01;;;;-2+3", "Cellen i kolonnen bemærkning ligner en formel ('-2+3')."),
    (
        "A;SOF;internship;open;2025-01-01;;;;Borger 010190-1234",
        "Bemærkningen ligner et CPR-nummer (010190-…). Skriv ikke personoplysninger om borgere i pladsens "
        "oplysninger.",
    ),
    (
        "A;SOF;internship;open;2025-01-01;;Praktik 0101901234;;",
        "Titlen ligner et CPR-nummer (010190-…). "
        "Skriv ikke personoplysninger om borgere i pladsens oplysninger.",
    ),
    (
        "A;SOF;internship;paused;2025-01-01;;;;",
        "Pladsen A: En plads skal begynde som åben eller besat, ikke som i bero (01.01.2025).",
    ),
    (
        "A;SOF;internship;closed;2025-01-01;;;;",
        "Pladsen A: En plads skal begynde som åben eller besat, ikke som nedlagt (01.01.2025).",
    ),
    (
        f"{'R' * 101};SOF;internship;open;2025-01-01;;;;",
        "Referencen må højst være 100 tegn.",
    ),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_every_kind_of_bad_row_is_reported_and_nothing_is_saved(run_import, counts, row, message):
    before = counts()
    text = "\n".join(
        [
            HEADER,
            "GOOD-1;SOF;internship;open;2025-01-01;Ny enhed;;;",
            row,
            "GOOD-2;SOF;internship;open;2025-01-01;;;;",
        ]
    )
    result = run_import(text)
    assert [(e.row, e.message) for e in result.errors] == [(3, message)]
    assert not result.ok
    assert counts() == before


def test_every_bad_row_is_listed_with_several_reasons(run_import, counts):
    before = counts()
    text = "\n".join(
        [
            HEADER,
            "A;SOF;internship;open;2025-01-01;;;;",
            "B;XYZ;bowling;open;2025-13-01;;;;",
            "C;SOF;internship;open;2025-01-01;;;;",
            "D;SOF;internship;ledig;2025-01-01;;;;",
        ]
    )
    result = run_import(text)
    assert [(e.row, e.message) for e in result.errors] == [
        (3, "Ukendt forvaltning 'XYZ'. Ukendt ordning 'bowling'. '2025-13-01' er ikke en gyldig dato."),
        (5, "Ukendt status 'ledig': brug åben, besat, i bero eller nedlagt."),
    ]
    assert result.rows_read == 4
    assert counts() == before


@pytest.mark.parametrize(
    ("rows", "errors"),
    [
        (
            ["A;SOF;internship;filled;2025-01-01;;;;", "A;SOF;internship;paused;2025-02-01;;;;"],
            [
                (
                    3,
                    "Pladsen A: En plads kan ikke gå fra besat til i bero (01.02.2025). "
                    "En besat plads kan kun blive åben eller nedlagt.",
                )
            ],
        ),
        (
            ["A;SOF;internship;open;2025-01-01;;;;", "A;SOF;internship;open;2025-02-01;;;;"],
            [(3, "Pladsen A: Pladsen er allerede åben (01.02.2025): det er ikke en ændring.")],
        ),
        (
            [
                "A;SOF;internship;open;2025-01-01;;;;",
                "A;SOF;internship;closed;2025-02-01;;;;",
                "A;SOF;internship;open;2025-03-01;;;;",
                "A;SOF;internship;filled;2025-04-01;;;;",
            ],
            [
                (
                    4,
                    "Pladsen A: En nedlagt plads kan ikke blive åben (01.03.2025): nedlagt er endeligt. "
                    "En fejlagtig nedlæggelse rettes med en rettelse.",
                ),
                (
                    5,
                    "Pladsen A: En nedlagt plads kan ikke blive besat (01.04.2025): nedlagt er endeligt. "
                    "En fejlagtig nedlæggelse rettes med en rettelse.",
                ),
            ],
        ),
        (
            ["A;SOF;internship;open;2025-01-01;;;;", "A;SOF;internship;filled;2025-01-01;;;;"],
            [(3, "Række 2 og denne række giver pladsen A to forskellige statusser den 01.01.2025.")],
        ),
        (
            ["A;SOF;internship;open;2025-01-01;;;;", "A;SOF;flex_job;filled;2025-02-01;;;;"],
            [(3, "Pladsen A har en anden ordning i række 2.")],
        ),
        (
            [
                "A;SOF;internship;open;2025-01-01;;Titel;;",
                "A;SOF;internship;filled;2025-02-01;;Anden titel;;",
            ],
            [(3, "Pladsen A har titel 'Titel' i en tidligere række og 'Anden titel' her.")],
        ),
    ],
)
def test_refused_histories_in_the_file(run_import, counts, rows, errors):
    before = counts()
    result = run_import("\n".join([HEADER, *rows]))
    assert [(e.row, e.message) for e in result.errors] == errors
    assert counts() == before


def test_identical_duplicate_rows_are_unchanged(run_import):
    row = "A;SOF;internship;open;2025-01-01;;;;"
    result = run_import("\n".join([HEADER, row, row]))
    assert result.ok
    assert (result.events_created, result.unchanged) == (1, 1)


def test_same_reference_in_two_departments_is_two_places(session, run_import):
    result = run_import(
        "\n".join([HEADER, "A;SOF;internship;open;2025-01-01;;;;", "A;KFF;internship;open;2025-01-01;;;;"])
    )
    assert result.places_created == 2


def test_only_department(run_import, reference, counts):
    before = counts()
    text = "\n".join([HEADER, "A;SOF;internship;open;2025-01-01;;;;", "B;KFF;internship;open;2025-01-01;;;;"])
    result = run_import(text, only_department_id=reference["departments"]["SOF"].id)
    assert [(e.row, e.message) for e in result.errors] == [
        (3, "Rækken hører til en anden forvaltning (KFF) end din.")
    ]
    assert counts() == before


def test_reimport_changes_nothing(session, run_import, counts, clock):
    first = run_import(GOOD)
    assert first.ok
    before = counts()
    versions = {p.reference: p.version for p in session.exec(select(Place)).all()}
    clock.advance(timedelta(days=1))
    again = run_import(GOOD)
    assert again.ok
    assert (again.places_created, again.events_created, again.corrections, again.unchanged) == (0, 0, 0, 4)
    assert counts() == before
    session.expire_all()
    assert {p.reference: p.version for p in session.exec(select(Place)).all()} == versions


def test_another_status_on_a_recorded_date_is_a_correction(session, run_import, clock):
    run_import(GOOD)
    original = session.exec(
        select(PlaceEvent).where(PlaceEvent.effective_date == date(2025, 2, 3), PlaceEvent.status == "filled")
    ).one()
    sof1 = place_by_reference(session, "SOF-1")
    version = sof1.version
    clock.advance(timedelta(days=2))
    text = "\n".join(
        [
            HEADER,
            "SOF-1;SOF;internship;paused;2025-02-03;;;;Var i bero",
            "SOF-1;SOF;internship;open;2025-01-06;;;;",
        ]
    )
    result = run_import(text)
    assert result.ok, result.errors
    assert (result.corrections, result.events_created, result.unchanged) == (1, 0, 1)
    correction = session.exec(select(PlaceEvent).where(PlaceEvent.corrects_event_id == original.id)).one()
    assert (correction.status, correction.effective_date, correction.note) == (
        "paused",
        date(2025, 2, 3),
        "Var i bero",
    )
    session.expire_all()
    sof1 = place_by_reference(session, "SOF-1")
    assert (sof1.current_status, sof1.version) == ("paused", version + 1)
    known_before = clock.now() - timedelta(days=1)
    assert (
        place_history.status_on(session, place_id=sof1.id, day=date(2025, 3, 1), known_at=known_before)
        == "filled"
    )
    assert (
        place_history.status_on(session, place_id=sof1.id, day=date(2025, 3, 1), known_at=clock.now())
        == "paused"
    )


def test_rows_extend_and_back_date_an_existing_history(session, run_import, clock):
    run_import(
        "\n".join([HEADER, "A;SOF;internship;open;2025-01-01;;;;", "A;SOF;internship;closed;2025-06-01;;;;"])
    )
    clock.advance(timedelta(hours=1))
    result = run_import("\n".join([HEADER, "A;SOF;internship;filled;2025-03-01;;;;"]))
    assert result.ok, result.errors
    assert [s for _, s in history(session, "A")] == ["open", "filled", "closed"]
    assert place_by_reference(session, "A").current_status == "closed"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "A;SOF;internship;paused;2025-03-01;;;;",
            "Pladsen A: det passer ikke med den senere registrering 01.05.2025: "
            "En plads kan ikke gå fra i bero til besat (01.05.2025). "
            "En i bero plads kan kun blive åben eller nedlagt.",
        ),
        (
            "A;SOF;internship;filled;2024-12-01;;;;",
            "Datoen 01.12.2024 ligger før pladsens første registrering (01.01.2025).",
        ),
        ("A;SOF;flex_job;filled;2025-06-01;;;;", "Pladsen A findes allerede med en anden ordning."),
        (
            "A;SOF;internship;paused;2025-06-01;;;;",
            "Pladsen A: En plads kan ikke gå fra besat til i bero (01.06.2025). "
            "En besat plads kan kun blive åben eller nedlagt.",
        ),
    ],
)
def test_rows_that_do_not_fit_an_existing_history(run_import, counts, clock, row, message):
    run_import(
        "\n".join([HEADER, "A;SOF;internship;open;2025-01-01;;;;", "A;SOF;internship;filled;2025-05-01;;;;"])
    )
    before = counts()
    clock.advance(timedelta(hours=1))
    result = run_import("\n".join([HEADER, row]))
    assert [(e.row, e.message) for e in result.errors] == [(2, message)]
    assert counts() == before


def test_existing_place_attributes_are_updated(session, run_import, clock):
    run_import("\n".join([HEADER, "A;SOF;internship;open;2025-01-01;;Gammel titel;;"]))
    clock.advance(timedelta(hours=1))
    result = run_import("\n".join([HEADER, "A;SOF;internship;open;2025-01-01;Ny enhed;Ny titel;0,5;"]))
    assert result.ok, result.errors
    # The row changes the place's attributes: a change, never "unchanged".
    assert (result.places_updated, result.unchanged, result.units_created) == (1, 0, 1)
    session.expire_all()
    place = place_by_reference(session, "A")
    assert (place.title, place.fte, place.version) == ("Ny titel", 0.5, 2)


def test_dry_run_saves_nothing(run_import, counts):
    before = counts()
    result = run_import(GOOD, dry_run=True)
    assert result.ok and result.dry_run
    assert (result.places_created, result.events_created) == (3, 4)
    assert counts() == before


def test_progress_is_reported(run_import):
    seen: list[int] = []
    run_import(GOOD, progress=seen.append)
    assert seen[-1] == 4


def test_a_20_mb_file_is_validated(run_import, counts, tmp_path):
    """A 20 MB file of valid rows (about 100,000 events) is read and checked as a whole (dry run)."""
    path = tmp_path / "big.csv"
    note = "Bemærkning om pladsen og dens arbejdsopgaver i enheden. " * 2
    statuses = ("open", "filled", "open", "closed")
    size = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\r\n")
        n = 0
        while size < 20 * 1024 * 1024:
            status = statuses[n % 4]
            day = date(2024, 1, 1) + timedelta(days=(n % 4) * 30)
            line = f"P-{n // 4:06d};BUF;internship;{status};{day.isoformat()};Skoler Nørrebro;Praktik;1;"
            line += f"{note}\r\n"
            handle.write(line)
            size += len(line.encode("utf-8"))
            n += 1
    rows = n
    assert path.stat().st_size >= 20 * 1024 * 1024
    before = counts()
    result = run_import(path.read_bytes(), "big.csv", dry_run=True)
    assert result.ok, result.errors[:3]
    assert (result.rows_read, result.events_created) == (rows, rows)
    assert result.places_created == (rows + 3) // 4
    assert counts() == before


def test_a_place_changed_during_the_import_is_a_conflict(session, run_import, counts, clock, monkeypatch):
    import sqlalchemy as sa

    from quota_app.errors import Conflict
    from quota_app.imports import places as importer

    run_import("\n".join([HEADER, "A;SOF;internship;open;2025-01-01;;;;"]))
    load = importer.load_existing

    def load_then_someone_else_writes(session_, file_places):  # type: ignore[no-untyped-def]
        found = load(session_, file_places)
        session_.execute(
            sa.update(Place).values(version=Place.version + 1),
            execution_options={"synchronize_session": False},
        )
        return found

    monkeypatch.setattr(importer, "load_existing", load_then_someone_else_writes)
    clock.advance(timedelta(hours=1))
    with pytest.raises(Conflict) as info:
        run_import("\n".join([HEADER, "A;SOF;internship;filled;2025-02-01;;;;"]))
    assert info.value.message == (
        "Nogle af pladserne blev ændret af en anden under indlæsningen. Prøv igen; intet er gemt."
    )


def test_a_bad_row_does_not_drag_in_errors_for_the_rest_of_its_place(run_import):
    text = "\n".join(
        [
            HEADER,
            "A;SOF;internship;open;2025-13-01;;;;",
            "A;SOF;internship;closed;2025-03-01;;;;",
            "B;SOF;internship;paused;2025-01-01;;;;",
        ]
    )
    result = run_import(text)
    assert [(e.row, e.message) for e in result.errors] == [
        (2, "'2025-13-01' er ikke en gyldig dato."),
        (4, "Pladsen B: En plads skal begynde som åben eller besat, ikke som i bero (01.01.2025)."),
    ]


def test_an_hr_user_imports_for_their_own_department(session, run_import, make_user, reference):
    user = make_user("hr", "ØKF")
    text = "\n".join([HEADER, "Ø-1;økf;Seniorjob;åben;2025-01-01;;;;"])
    result = run_import(text, actor=user, only_department_id=user.department_id)
    assert result.ok, result.errors
    event = session.exec(select(PlaceEvent).join(Place).where(Place.reference == "Ø-1")).one()
    assert (event.recorded_by_id, event.source) == (user.id, "import")
    assert place_by_reference(session, "Ø-1").created_by_id == user.id
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "place.import")).one()
    assert (entry.actor_id, entry.actor_label) == (user.id, user.email)
    other = run_import(
        "\n".join([HEADER, "S-9;SOF;Seniorjob;åben;2025-01-01;;;;"]),
        actor=user,
        only_department_id=user.department_id,
    )
    assert [(e.row, e.message) for e in other.errors] == [
        (2, "Rækken hører til en anden forvaltning (SOF) end din.")
    ]
