"""`quota import places FILE [--dry-run]`: a summary on stdout; bad rows on stderr, exit 1, nothing saved."""

from __future__ import annotations

import pytest
from sqlmodel import select

from quota_app.commands import import_group
from quota_app.models import AuditEntry

from .conftest import HEADER


@pytest.fixture
def quota(app, reference):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(args=["import", *args])

    return invoke


def write(tmp_path, *rows: str, name: str = "places.csv"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes("\n".join([HEADER, *rows]).encode("cp1252"))
    return path


def test_import_places_saves_and_summarises(session, quota, counts, tmp_path):
    path = write(
        tmp_path, "A;ØKF;Virksomhedspraktik;åben;01.02.2025;;;0,5;", "A;ØKF;internship;besat;2025-03-01;;;;"
    )
    before = counts()
    result = quota("places", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "2 rækker læst; 1 plads oprettet, 0 pladser opdateret, 0 enheder oprettet, "
        "2 statusændringer registreret, 0 rettelser, 0 uændrede.\n"
    )
    after = counts()
    assert (after["place"] - before["place"], after["place_event"] - before["place_event"]) == (1, 2)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "place.import")).one()
    assert entry.actor_label == "cli"
    again = quota("places", str(path))
    assert again.exit_code == 0
    assert "0 statusændringer registreret, 0 rettelser, 2 uændrede." in again.stdout
    assert counts() == after


def test_dry_run_saves_nothing(quota, counts, tmp_path):
    path = write(tmp_path, "A;SOF;internship;open;2025-02-01;;;;")
    before = counts()
    result = quota("places", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Prøvekørsel, intet gemt: 1 række læst; 1 plads oprettet")
    assert counts() == before


def test_bad_rows_go_to_stderr_with_exit_1(quota, counts, tmp_path):
    path = write(
        tmp_path,
        "A;SOF;internship;open;2025-02-01;;;;",
        "B;XYZ;internship;open;2025-02-01;;;;",
        "C;SOF;internship;open;2099-02-01;;;;",
    )
    before = counts()
    result = quota("places", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "række 3: Ukendt forvaltning 'XYZ'.\n"
        "række 4: Datoen 01.02.2099 ligger i fremtiden.\n"
        "Fejl: 2 rækker med fejl; intet er gemt.\n"
    )
    assert counts() == before


def test_an_empty_file_is_bad_input(quota, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = quota("places", str(path))
    assert result.exit_code == 1
    assert result.stderr == "Fejl: Filen er tom.\n"


def test_a_missing_file_is_a_usage_error(quota, tmp_path):
    result = quota("places", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2


def test_the_group_is_open_for_other_imports():
    assert "places" in import_group.commands
