"""Target import (year;department;type;value;decided_on;reference): all or nothing, every bad row, idempotent."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlmodel import select

from quota_app.errors import DomainError
from quota_app.models import Target, TargetRevision
from quota_app.targets.services import targets_for_year
from quota_app.targets.target_import import import_targets
from tests.conftest import csrf_from

HEADER = "year;department;type;value;decided_on;reference"


def _csv(*rows: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join([HEADER, *rows]).encode(encoding)


def test_import_creates_then_is_idempotent(session, reference, clock):
    data = _csv(
        "2026;SOF;internship;12;10.12.2025;BR 10.12.2025",
        "2026;ØKF;Fleksjob;7;2025-12-10;",
        "2026;buf;Work placement;3;;",
    )
    result = import_targets(session, data=data, filename="t.csv", actor="test", now=clock.now())
    assert result.ok and (result.rows_read, result.created, result.changed, result.unchanged) == (3, 3, 0, 0)
    grid = targets_for_year(session, year=2026)
    d, t = reference["departments"], reference["types"]
    sof = grid[(d["SOF"].id, t["internship"].id)]
    assert (sof.value, sof.decided_on, sof.reference) == (12, date(2025, 12, 10), "BR 10.12.2025")
    assert grid[(d["ØKF"].id, t["flex_job"].id)].value == 7
    assert grid[(d["BUF"].id, t["internship"].id)].value == 3
    revisions = len(session.exec(select(TargetRevision)).all())
    again = import_targets(session, data=data, filename="t.csv", actor="test", now=clock.now())
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
    assert len(session.exec(select(TargetRevision)).all()) == revisions
    changed = import_targets(
        session,
        data=_csv("2026;SOF;internship;15;10.12.2025;BR 10.12.2025"),
        filename="t.csv",
        actor="test",
        now=clock.now(),
    )
    assert changed.changed == 1 and sof.value == 15


def test_one_bad_row_saves_nothing_and_every_bad_row_is_reported(session, reference, clock):
    data = _csv(
        "2026;SOF;internship;12;;",
        "2026;XXX;internship;1;;",
        "1999;SOF;flex_job;1;;",
        "2026;SOF;nothing;-4;31.02.2025;",
        "2026;SOF;internship;13;;",
    )
    result = import_targets(session, data=data, filename="t.csv", actor="test", now=clock.now())
    assert not result.ok
    assert sorted({e.row for e in result.errors}) == [3, 4, 5, 6]
    messages = " ".join(e.message for e in result.errors)
    assert "XXX" in messages and "nothing" in messages and "modsiger række 2" in messages
    assert session.exec(select(Target)).all() == []


def test_dry_run_counts_but_saves_nothing(session, reference, clock):
    result = import_targets(
        session,
        data=_csv("2026;SOF;internship;12;;"),
        filename="t.csv",
        actor="t",
        now=clock.now(),
        dry_run=True,
    )
    assert result.ok and result.created == 1
    assert session.exec(select(Target)).all() == []


def test_xlsx_and_windows_1252(session, reference, clock):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append([2026, "ØKF", "senior_job", 4, date(2025, 12, 10), "BR"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_targets(session, data=buffer.getvalue(), filename="t.xlsx", actor="t", now=clock.now())
    assert result.ok and result.created == 1, result.errors
    result = import_targets(
        session,
        data=_csv("2026;ØKF;wage_subsidy;2;;", encoding="cp1252"),
        filename="t.csv",
        actor="t",
        now=clock.now(),
    )
    assert result.ok and result.created == 1, result.errors


def test_missing_columns_are_refused(session, reference, clock):
    with pytest.raises(DomainError, match="value"):
        import_targets(
            session,
            data=b"year;department;type\n2026;SOF;internship\n",
            filename="t.csv",
            actor="t",
            now=clock.now(),
        )


def test_import_page_and_cli(client, login, make_user, reference, session, app, tmp_path):
    login(make_user("bif"))
    token = csrf_from(client.get("/targets/import").get_data(as_text=True))
    bad = client.post(
        "/targets/import", data={"csrf_token": token, "file": (io.BytesIO(_csv("2026;SOF;x;1;;")), "t.csv")}
    )
    assert "Række 2" in bad.get_data(as_text=True)
    ok = client.post(
        "/targets/import",
        data={"csrf_token": token, "file": (io.BytesIO(_csv("2026;SOF;internship;5;;")), "t.csv")},
    )
    assert "1 nye" in ok.get_data(as_text=True)
    session.expire_all()
    assert [t.value for t in session.exec(select(Target)).all()] == [5]
    path = tmp_path / "targets.csv"
    path.write_bytes(_csv("2026;BUF;internship;6;;"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "targets", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Prøvekørsel, intet gemt: 1 rækker læst; 1 måltal oprettet")
    result = runner.invoke(args=["import", "targets", str(path)])
    assert result.exit_code == 0, result.output
    path.write_bytes(_csv("2026;BUF;internship;-6;;"))
    result = runner.invoke(args=["import", "targets", str(path)])
    assert result.exit_code == 1 and "række 2" in result.stderr
    session.expire_all()
    assert sorted(t.value for t in session.exec(select(Target)).all()) == [5, 6]
