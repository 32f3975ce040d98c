"""`quota report`."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlmodel import Session, select

from quota_app.clock import FrozenClock
from quota_app.models import ReportArchive
from reports.services import sha256_of

from .pdfs import all_text, reader


def test_department_report_to_a_file(app, reference, mayors, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sof.pdf"
    runner = app.test_cli_runner()
    args = ["report", "--period", "2025-H1", "--department", "sof", "--out", str(out)]
    result = runner.invoke(args=[*args, "--known-at", "2025-08-15T08:00:00+02:00"])
    assert result.exit_code == 0, result.output
    text = all_text(out.read_bytes())
    assert "Socialforvaltningen" in text and "Søren Østergård Åberg" in text and "1. halvår 2025" in text
    assert "15.08.2025 kl. 08.00" in text
    assert sha256_of(out.read_bytes()) in result.output
    first = out.read_bytes()
    again = runner.invoke(args=[*args, "--known-at", "2025-08-15T06:00:00Z"])
    assert again.exit_code == 0 and out.read_bytes() == first


def test_consolidated_and_final_archives(
    app: Flask, reference: dict, session: Session, tmp_path: Path, clock: FrozenClock
) -> None:
    out = tmp_path / "kk.pdf"
    result = app.test_cli_runner().invoke(
        args=["report", "--period", "2025-H1", "--consolidated", "--out", str(out), "--final"]
    )
    assert result.exit_code == 0, result.output
    assert "archived" in result.output
    assert reader(out.read_bytes()).metadata.title.endswith("Københavns Kommune")
    [entry] = session.exec(select(ReportArchive)).all()
    assert (entry.scope, entry.known_at, entry.sha256) == ("KK", clock.now(), sha256_of(out.read_bytes()))


def test_bad_input_exits_1_and_usage_errors_exit_2(
    app: Flask, reference: dict, session: Session, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    out = str(tmp_path / "x.pdf")
    for args, message in [
        (["--period", "2025-H3", "--department", "SOF"], "Ugyldig periode"),
        (["--period", "2025-H1", "--department", "XYZ"], "Ukendt forvaltning"),
        (["--period", "2025-H1", "--department", "SOF", "--known-at", "i går"], "Ugyldigt tidspunkt"),
        (["--period", "2025-H1", "--department", "SOF", "--known-at", "2025-08-15T08:00:00"], "tidszone"),
    ]:
        result = runner.invoke(args=["report", *args, "--out", out])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output
    assert not Path(out).exists()
    for args in (
        ["--period", "2025-H1", "--out", out],
        ["--period", "2025-H1", "--department", "SOF", "--consolidated", "--out", out],
        ["--period", "2025-H1", "--department", "SOF"],
    ):
        assert runner.invoke(args=["report", *args]).exit_code == 2
    unwritable = runner.invoke(
        args=[
            "report",
            "--period",
            "2025-H1",
            "--department",
            "SOF",
            "--final",
            "--out",
            str(tmp_path / "no" / "x.pdf"),
        ]
    )
    assert unwritable.exit_code == 1 and "Kan ikke skrive" in unwritable.output
    assert session.exec(select(ReportArchive)).all() == []  # nothing archived that was not delivered
