"""`quota compliance` and `quota units import`: output, known-at reproducibility, exit codes, import rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from quota_app.compliance import headcounts
from quota_app.compliance.cli import compliance_command, units_group
from quota_app.models import Unit, UnitHeadcount


def run(app, command, *args):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(command, list(args), catch_exceptions=False)


def test_json_rows_per_workplace(app, session, make_workplace, register_place):
    unit = make_workplace("Plejecenter Sundbo", 24, p_number="1234567890")
    register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    register_place(
        ("filled", date(2025, 3, 3)), unit=unit, type_code="utility_job", commit=True
    )  # not covered
    make_workplace("Ukendt", None, p_number="1234567891")
    result = run(app, compliance_command, "--as-of", "2025-06-30", "--department", "SOF", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == "2025-06-30" and data["known_at"].startswith("2025-09-30")
    rows = {row["unit"]: row for row in data["rows"]}
    assert rows["Plejecenter Sundbo"] == {
        "department": "SOF",
        "unit": "Plejecenter Sundbo",
        "p_number": "1234567890",
        "ordinary_employees": 24,
        "ceiling": 4,
        "occupied": 1,
        "free": 3,
        "over": 0,
        "missing_statements": 1,
        "exemption": None,
    }
    unknown = rows["Ukendt"]
    assert [unknown[k] for k in ("ordinary_employees", "ceiling", "free", "over")] == [None] * 4


def test_a_back_dated_drop_shows_as_over_and_known_at_reproduces(
    app, session, clock, make_workplace, register_place
):
    unit = make_workplace(employees=10)  # 2 places
    first = register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    register_place(("filled", date(2025, 3, 3)), unit=unit, commit=True)
    before_drop = clock.now()
    clock.advance(timedelta(days=1))
    headcounts.record_headcount(
        session,
        unit_id=unit.id,
        effective_date=date(2025, 1, 1),
        ordinary_employees=4,
        source="rettet optælling",
        actor="test",
        now=clock.now(),
    )
    session.commit()

    def row(*extra):  # type: ignore[no-untyped-def]
        output = run(app, compliance_command, "--as-of", "2025-06-30", "--format", "json", *extra).output
        return next(r for r in json.loads(output)["rows"] if r["unit"] == unit.name)

    now = row()
    assert (now["ordinary_employees"], now["ceiling"], now["occupied"], now["over"]) == (4, 1, 2, 1)
    then = row("--known-at", before_drop.isoformat())
    assert (then["ordinary_employees"], then["ceiling"], then["over"]) == (10, 2, 0)
    assert session.get(type(first), first.id).current_status == "filled"  # nothing rewritten
    history = session.exec(select(UnitHeadcount).where(UnitHeadcount.unit_id == unit.id)).all()
    assert sorted(h.ordinary_employees for h in history) == [4, 10]  # the correction kept the old figure


def test_exit_codes(app, reference):
    assert run(app, compliance_command, "--as-of", "2025-06-30", "--department", "XX").exit_code == 1
    assert run(app, compliance_command, "--as-of", "30-06").exit_code == 1
    assert run(app, compliance_command).exit_code == 2
    csv = run(app, compliance_command, "--as-of", "2025-06-30", "--format", "csv")
    assert csv.exit_code == 0 and csv.output.lstrip("\ufeff").startswith("Forvaltning;Arbejdssted;P-nummer")


def test_units_import_all_or_nothing_and_idempotent(app, session, reference, tmp_path):
    good = tmp_path / "enheder.csv"
    good.write_text(
        "department;unit;p_number;effective_date;ordinary_employees\n"
        "SOF;Plejecenter Sundbo;1234567890;01.01.2025;1.200\n"
        "SOF;Plejecenter Sundbo;1234567890;01.07.2025;24\n",
        encoding="utf-8",
    )
    first = run(app, units_group, "import", str(good))
    assert first.exit_code == 0, first.output
    assert "1 enheder oprettet, 1 P-numre sat, 2 antal ansatte registreret" in first.output
    again = run(app, units_group, "import", str(good))
    assert "0 enheder oprettet, 0 P-numre sat, 0 antal ansatte registreret, 2 uændrede" in again.output
    unit = session.exec(select(Unit).where(Unit.p_number == "1234567890")).one()
    assert (
        headcounts.headcount_on(
            headcounts.timelines(session, unit_ids=[unit.id], known_at=datetime(2030, 1, 1, tzinfo=UTC))[
                unit.id
            ],
            date(2025, 3, 1),
        )
        == 1200
    )

    bad = tmp_path / "forkert.csv"
    bad.write_text(
        "department;unit;p_number;effective_date;ordinary_employees\n"
        "SOF;Ny enhed;123;01.01.2025;10\n"
        "SOF;Anden enhed;1234567890;01.01.2025;10\n"
        "SOF;Tredje enhed;;2025-13-01;ti\n"
        "SOF;Fjerde enhed;;01.01.2025;7\n",
        encoding="utf-8",
    )
    refused = run(app, units_group, "import", str(bad))
    assert refused.exit_code == 1
    assert "række 2: P-nummeret '123' skal være 10 cifre." in refused.output
    assert "række 3:" in refused.output and "tilhører allerede Plejecenter Sundbo" in refused.output
    assert "række 4: '2025-13-01' er ikke en gyldig dato." in refused.output
    assert "Fejl: 3 rækker har fejl; intet er gemt." in refused.output
    assert session.exec(select(Unit).where(Unit.name == "Fjerde enhed")).first() is None
