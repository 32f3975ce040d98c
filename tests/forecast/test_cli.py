"""`quota lag` and `quota forecast`: the JSON shapes, the other formats, exit codes and messages."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from quota_app.forecast.cli import forecast_command, lag_command

D = date(2025, 3, 1)


@pytest.fixture
def data(make_place, make_target) -> None:
    # Recorded on the day, and 9 days late (20 March 10:00 Copenhagen).
    make_place("SOF", "internship", [("open", D, datetime(2025, 3, 1, 9, tzinfo=UTC))])
    make_place(
        "SOF",
        "internship",
        [
            ("open", D, datetime(2025, 3, 10, 9, tzinfo=UTC)),
            ("filled", date(2025, 4, 1), datetime(2025, 4, 2, tzinfo=UTC)),
        ],
    )
    make_place("ØKF", "job_rotation", [("filled", D, datetime(2025, 3, 2, tzinfo=UTC))])
    make_target(2025, "SOF", "internship", 8)


def run(app, command, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(command, list(args), catch_exceptions=False)


LAG_KEYS = [
    "department",
    "type",
    "events",
    "median_days",
    "p90_days",
    "share_late",
    "openings_events",
    "openings_median_days",
    "openings_p90_days",
    "openings_share_late",
]
FORECAST_KEYS = [
    "department",
    "type",
    "target",
    "counted",
    "projected",
    "projected_low",
    "projected_high",
    "projected_pct",
    "needed",
]


def test_lag_json(app, data) -> None:
    result = run(app, lag_command, "--period", "2025-H1", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload) == ["period", "rows"] and payload["period"] == "2025-H1"
    assert len(payload["rows"]) == 7 * 6 and all(list(r) == LAG_KEYS for r in payload["rows"])
    sof = next(r for r in payload["rows"] if (r["department"], r["type"]) == ("SOF", "internship"))
    assert sof == dict(zip(LAG_KEYS, ["SOF", "internship", 3, 1.0, 9, 0.333, 2, 4.5, 9, 0.5], strict=True))


def test_lag_csv_and_table_for_one_department(app, data) -> None:
    result = run(app, lag_command, "--period", "2025", "--department", "SOF", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Forvaltning", "Ordning", "Hændelser", "Median dage"]
    assert ["SOF", "internship", "3", "1", "9", "33,3", "2", "4,5", "9", "50"] in rows
    assert {r[0] for r in rows[1:]} == {"SOF"}
    table = run(app, lag_command, "--period", "2025", "--department", "SOF").stdout.splitlines()
    assert table[0].startswith("Registreringsforsinkelse 2025")
    line = next(x for x in table if x.startswith("SOF") and "internship" in x)
    assert line.split() == ["SOF", "internship", "3", "1", "9", "33,3", "2", "4,5", "9", "50"]


def test_forecast_json(app, data) -> None:
    result = run(
        app,
        forecast_command,
        "--year",
        "2025",
        "--as-of",
        "2025-06-30",
        "--known-at",
        "2025-07-01T08:00:00+02:00",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload) == ["year", "as_of", "known_at", "rows", "half_year"]
    assert (payload["year"], payload["as_of"], payload["known_at"]) == (
        2025,
        "2025-06-30",
        "2025-07-01T06:00:00Z",
    )
    assert len(payload["rows"]) == 7 * 6 and all(list(r) == FORECAST_KEYS for r in payload["rows"])
    sof = next(r for r in payload["rows"] if (r["department"], r["type"]) == ("SOF", "internship"))
    assert (sof["target"], sof["counted"]) == (8, 1)
    assert sof["projected_low"] <= sof["projected"] <= sof["projected_high"]
    assert sof["needed"] >= 1 and sof["projected_pct"] == round(sof["projected"] / 8 * 100, 1)
    rotation = next(r for r in payload["rows"] if (r["department"], r["type"]) == ("ØKF", "job_rotation"))
    assert rotation["counted"] == 1 and rotation["projected"] >= 1 and rotation["needed"] is None
    assert payload["half_year"]["period"] == "2025-H1" and payload["half_year"]["end"] == "2025-06-30"
    half = next(
        r for r in payload["half_year"]["rows"] if (r["department"], r["type"]) == ("SOF", "internship")
    )
    assert half["projected"] == 1  # measured on its last day: nothing left to happen


def test_forecast_table_and_csv(app, data) -> None:
    args = ("--year", "2025", "--as-of", "30.06.2025", "--department", "SOF")
    table = run(app, forecast_command, *args).stdout.splitlines()
    assert table[0].startswith("Fremskrivning til 31.12.2025 pr. 2025-06-30")
    assert table[2].split() == [
        "Forvaltning",
        "Ordning",
        "Måltal",
        "Tæller",
        "Fremskrevet",
        "Lav",
        "Høj",
        "Fremskrevet",
        "%",
        "Mangler",
    ]
    rows = list(
        csv.reader(
            io.StringIO(run(app, forecast_command, *args, "--format", "csv").stdout.lstrip("\ufeff")),
            delimiter=";",
        )
    )
    assert [r[:4] for r in rows if r[1] == "internship"] == [["SOF", "internship", "8", "1"]]


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        (lag_command, ["--period", "2025", "--department", "XYZ"], "Ukendt forvaltning: XYZ"),
        (
            forecast_command,
            ["--year", "2025", "--as-of", "2024-12-31"],
            "Datoen 31.12.2024 ligger ikke i 2025.",
        ),
        (
            forecast_command,
            ["--year", "2025", "--as-of", "2025-06-30", "--department", "XYZ"],
            "Ukendt forvaltning: XYZ",
        ),
    ],
)
def test_refused_input_exits_1_with_a_message(app, reference, command, args: list[str], message: str) -> None:
    result = run(app, command, *args)
    assert result.exit_code == 1
    assert f"Fejl: {message}" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        (lag_command, [], "Missing option '--period'"),
        (lag_command, ["--period", "2025-H3"], "Ugyldig periode '2025-H3'"),
        (lag_command, ["--period", "2025", "--format", "xml"], "Invalid value for '--format'"),
        (forecast_command, ["--as-of", "2025-06-30"], "Missing option '--year'"),
        (forecast_command, ["--year", "٢٠٢٥", "--as-of", "2025-06-30"], "Invalid value for '--year'"),
        (forecast_command, ["--year", "2025", "--as-of", "i går"], "er ikke en dato"),
        (
            forecast_command,
            ["--year", "2025", "--as-of", "2025-06-30", "--known-at", "2025-06-30T08:00"],
            "tidszone",
        ),
    ],
)
def test_usage_errors_exit_2(app, reference, command, args: list[str], message: str) -> None:
    result = run(app, command, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_registered_as_quota_commands(app) -> None:
    assert {"lag", "forecast"} <= set(app.cli.commands)
