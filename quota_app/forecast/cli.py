"""`quota lag` and `quota forecast` (docs/cli.md): registration lag and the year-end projection."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import click
from flask import current_app
from sqlmodel import Session

from .. import formatting
from ..cli_types import DATE, PERIOD, TIMESTAMP, aligned_table, fail, integer
from ..csv_writer import write_csv
from ..errors import DomainError
from ..periods import Period
from ..web import database
from .lag import lag_to_json, registration_lag
from .projection import project, projection_to_json

FORMATS = click.Choice(["table", "json", "csv"])
LAG_COLUMNS = (
    ("department", "Forvaltning"),
    ("type", "Ordning"),
    ("events", "Hændelser"),
    ("median_days", "Median dage"),
    ("p90_days", "90 % dage"),
    ("share_late", "Sene % (> 7 dage)"),
    ("openings_events", "Åbninger"),
    ("openings_median_days", "Median dage"),
    ("openings_p90_days", "90 % dage"),
    ("openings_share_late", "Sene % (> 7 dage)"),
)
FORECAST_COLUMNS = (
    ("department", "Forvaltning"),
    ("type", "Ordning"),
    ("target", "Måltal"),
    ("counted", "Tæller"),
    ("projected", "Fremskrevet"),
    ("projected_low", "Lav"),
    ("projected_high", "Høj"),
    ("projected_pct", "Fremskrevet %"),
    ("needed", "Mangler"),
)
TEXT_COLUMNS = 2  # department and type: left-aligned, never numbers
T = TypeVar("T")


def _cell(key: str, value: Any) -> str:
    """A figure as the table and CSV show it: decimal comma, shares as percentages, empty for None."""
    if value is None:
        return ""
    if key.endswith("share_late"):
        value = round(float(value) * 100, 1)
    if isinstance(value, float):
        return formatting.number(value, digits=6, grouping=False)
    return str(value)


def _cells(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [[_cell(key, row[key]) for key, _ in columns] for row in rows]


def render_table(heading: str, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]) -> str:
    """An aligned plain-text table under a heading: text columns left, figures right."""
    cells = [[label for _, label in columns], *_cells(columns, rows)]
    lines = [line.rstrip() for line in aligned_table(heading, cells, text_columns=TEXT_COLUMNS)]
    return "\n".join(lines) + "\n"


def render_csv(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]) -> str:
    """The rows as the app's CSV (csv_writer: ';', decimal commas, BOM, no formula cells)."""
    return write_csv([label for _, label in columns], _cells(columns, rows))


def _known(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _print(
    output: str, data: dict[str, Any], heading: Callable[[], str], columns: Sequence[tuple[str, str]]
) -> None:
    if output == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif output == "csv":
        click.echo(render_csv(columns, data["rows"]), nl=False)
    else:
        click.echo(render_table(heading(), columns, data["rows"]), nl=False)


def _read(work: Callable[[Session], T]) -> T:
    """Run work(session) in a read session that is rolled back; a refusal is `Fejl: …` and exit 1."""
    session = database().session()
    try:
        return work(session)
    except DomainError as exc:
        fail(exc.message)
        raise AssertionError("fail() exits") from exc
    finally:
        session.rollback()
        session.close()


@click.command(
    "lag",
    help="Registration lag: days from a status change's effective date to the date it was recorded "
    "(Copenhagen time), per department and type, for all events of the period and for openings.",
)
@click.option("--period", required=True, type=PERIOD, metavar="P", help="2025, 2025-H1 or 2025-H2.")
@click.option("--department", "departments", multiple=True, metavar="CODE", help="Repeatable; default all.")
@click.option("--format", "output", type=FORMATS, default="table", show_default=True)
def lag_command(period: Period, departments: tuple[str, ...], output: str) -> None:
    settings = current_app.config["QUOTA_SETTINGS"]
    known_at = current_app.extensions["quota_clock"].now()
    report = _read(
        lambda session: registration_lag(
            session,
            period=period,
            known_at=known_at,
            zone=settings.zone,
            department_codes=list(departments) or None,
        )
    )
    data = lag_to_json(report)
    _print(
        output,
        data,
        lambda: (
            f"Registreringsforsinkelse {period.label} (dage fra virkningsdato til registrering; "
            f"kendt pr. {_known(known_at)})"
        ),
        LAG_COLUMNS,
    )


@click.command(
    "forecast",
    help="Year-end projection per department and type: today's counted places, the projected figure at "
    "the year's end with a 90 % interval, and how many more places the target needs.",
)
@click.option("--year", required=True, type=integer(low=2000, high=2100), metavar="Y", help="e.g. 2025.")
@click.option("--as-of", "as_of", required=True, type=DATE, metavar="DATE", help="A date in the year.")
@click.option(
    "--known-at", "known_at", type=TIMESTAMP, metavar="TIMESTAMP", help="ISO 8601 with offset; default now."
)
@click.option("--department", "departments", multiple=True, metavar="CODE", help="Repeatable; default all.")
@click.option("--format", "output", type=FORMATS, default="table", show_default=True)
def forecast_command(
    year: int, as_of: date, known_at: datetime | None, departments: tuple[str, ...], output: str
) -> None:
    known_at = known_at or current_app.extensions["quota_clock"].now()
    projection = _read(
        lambda session: project(
            session, year=year, as_of=as_of, known_at=known_at, department_codes=list(departments) or None
        )
    )
    data = projection_to_json(projection)
    _print(
        output,
        data,
        lambda: (
            f"Fremskrivning til 31.12.{year} pr. {as_of.isoformat()} (kendt pr. {_known(known_at)}; "
            "interval ca. 90 %)"
        ),
        FORECAST_COLUMNS,
    )
