"""`quota reconcile`: formats, what-if rules, exit codes and messages."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from quota_app.monitor.cli import reconcile_command

D = date(2025, 3, 1)
REC = datetime(2025, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def data(make_place, make_target) -> None:
    for _ in range(3):
        make_place("SOF", "internship", [("open", D, REC)])
    make_place("SOF", "internship", [("open", D, REC), ("filled", date(2025, 4, 1), REC.replace(month=4))])
    make_place("ØKF", "utility_job", [("filled", D, REC)])
    # Registered after the default known-at (the app clock, 2025-09-30T10:00Z): never counted here.
    make_place("SOF", "internship", [("filled", D, datetime(2025, 10, 1, tzinfo=UTC))])
    make_target(2025, "SOF", "internship", 8)


def run(app, *args: str):
    return app.test_cli_runner().invoke(reconcile_command, list(args), catch_exceptions=False)


def test_json(app, data) -> None:
    result = run(app, "--as-of", "2025-06-30", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload) == ["as_of", "period", "method", "known_at", "rows", "totals"]
    assert payload["known_at"] == "2025-09-30T10:00:00Z"
    assert len(payload["rows"]) == 7 * 6
    sof = next(r for r in payload["rows"] if (r["department"], r["type"]) == ("SOF", "internship"))
    assert sof == {
        "department": "SOF",
        "type": "internship",
        "target": 8,
        "open": 3,
        "filled": 1,
        "paused": 0,
        "closed": 0,
        "counted": 1,
        "fulfilment_pct": 12.5,
        "gap": 7,
    }
    assert payload["totals"]["municipality"]["counted"] == 2  # SOF's fill and ØKF's utility job
    assert payload["totals"]["by_department"]["ØKF"]["target"] is None


def test_what_if_department_and_known_at(app, data) -> None:
    result = run(
        app,
        "--as-of",
        "2025-06-30",
        "--department",
        "SOF",
        "--count",
        "internship=filled,open",
        "--known-at",
        "2025-10-02T08:00:00+02:00",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {r["department"] for r in payload["rows"]} == {"SOF"}
    sof = next(r for r in payload["rows"] if r["type"] == "internship")
    assert (sof["counted"], sof["filled"], sof["fulfilment_pct"]) == (5, 2, 62.5)
    assert payload["known_at"] == "2025-10-02T06:00:00Z"


def test_average_over_a_period(app, data) -> None:
    result = run(app, "--period", "2025-H1", "--method", "average", "--department", "SOF", "--format", "json")
    assert result.exit_code == 0, result.output
    sof = next(r for r in json.loads(result.stdout)["rows"] if r["type"] == "internship")
    # Three places open for 122 days (1 March-30 June), one open 31 days then filled 91 days; of 181.
    assert sof["open"] == round((3 * 122 + 31) / 181, 2)
    assert sof["filled"] == round(91 / 181, 2)
    assert sof["counted"] == round(91 / 181, 2)


def test_csv(app, data) -> None:
    result = run(app, "--as-of", "2025-06-30", "--department", "SOF", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Forvaltning",
        "Ordning",
        "Måltal",
        "Åben",
        "Besat",
        "I bero",
        "Nedlagt",
        "Tæller",
        "Opfyldelse %",
        "Mangler",
    ]
    assert ["SOF", "internship", "8", "3", "1", "0", "0", "1", "12,5", "7"] in rows
    assert rows[-1][:2] == ["Kommunen", "I alt"]


def test_table(app, data) -> None:
    result = run(app, "--as-of", "2025-06-30", "--department", "SOF")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Afstemning 2025-06-30 (metode: point")
    header = lines[2]
    assert header.split()[:3] == ["Forvaltning", "Ordning", "Måltal"]
    row = next(line for line in lines if line.startswith("SOF") and "internship" in line)
    assert row.split() == ["SOF", "internship", "8", "3", "1", "0", "0", "1", "12,5", "7"]
    assert len(row) == len(header)  # aligned columns
    assert any(line.startswith("Regler:") for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "30-06-2025"], "Ugyldig dato '30-06-2025'"),
        (["--period", "2025-H3"], "Ugyldig periode '2025-H3'"),
        (["--as-of", "2025-06-30", "--known-at", "2025-06-30T08:00:00"], "mangler tidszone"),
        (["--as-of", "2025-06-30", "--known-at", "i går"], "Ugyldigt tidspunkt"),
        (["--as-of", "2025-06-30", "--department", "XYZ"], "Ukendt forvaltning: XYZ"),
        (["--as-of", "2025-06-30", "--count", "internship"], "Ugyldig --count 'internship'"),
        (["--as-of", "2025-06-30", "--count", "internship=filled,hired"], "Ukendt status i --count"),
        (["--as-of", "2025-06-30", "--count", "astronaut=filled"], "Ukendt ordning i regel: astronaut"),
    ],
)
def test_bad_input_exits_1_with_a_message(app, reference, args: list[str], message: str) -> None:
    result = run(app, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [[], ["--as-of", "2025-06-30", "--period", "2025-H1"], ["--as-of", "2025-06-30", "--method", "mean"]],
)
def test_usage_errors_exit_2(app, reference, args: list[str]) -> None:
    result = run(app, *args)
    assert result.exit_code == 2
    assert "Usage" in result.stderr or "Brug" in result.stderr


def test_registered_as_a_quota_command(app) -> None:
    assert "reconcile" in app.cli.commands
