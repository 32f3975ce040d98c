"""`quota compliance` (workplaces against the proportionality rule) and `quota units import FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from sqlmodel import col, select

from ..cli_types import aligned_table, fail
from ..converters import parse_iso_date, parse_timestamp
from ..csv_writer import write_csv
from ..errors import DomainError
from ..imports.cli import exit_on_row_errors, run_file_import
from ..models import Department
from ..texts import N_
from ..web import database
from .figures import Compliance, compliance
from .unit_import import UnitImportResult, import_units

COLUMNS = (
    ("department", "Forvaltning"),
    ("unit", "Arbejdssted"),
    ("p_number", "P-nummer"),
    ("ordinary_employees", "Ordinære ansatte"),
    ("ceiling", "Loft"),
    ("occupied", "Besat"),
    ("free", "Ledigt"),
    ("over", "Over"),
    ("missing_statements", "Mangler udtalelse"),
)
TEXT_COLUMNS = 3


def _text(value: object) -> str:
    return "" if value is None else str(value)


def render_table(result: Compliance) -> str:
    heading = (
        f"Rimelighedskravet {result.as_of.isoformat()} (kendt pr. {result.known_at.isoformat()}; "
        f"ordninger: {', '.join(result.covered)})"
    )
    cells = [[label for _, label in COLUMNS]]
    cells += [[_text(row.to_json()[key]) for key, _ in COLUMNS] for row in result.rows]
    out = aligned_table(heading, cells, text_columns=TEXT_COLUMNS)
    return "\n".join(out) + "\n"


def render_csv(result: Compliance) -> str:
    rows = ([row.to_json()[key] for key, _ in COLUMNS] for row in result.rows)
    return write_csv([label for _, label in COLUMNS], ([_text(v) for v in row] for row in rows))


@click.command("compliance", help="Workplaces against the proportionality rule on a date.")
@click.option("--as-of", "as_of_text", metavar="DATE", required=True, help="The date, e.g. 2025-06-30.")
@click.option("--known-at", "known_at_text", metavar="TIMESTAMP", help="ISO 8601 with offset; default now.")
@click.option("--department", "departments", multiple=True, metavar="CODE", help="Repeatable; default all.")
@click.option(
    "--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
def compliance_command(
    as_of_text: str, known_at_text: str | None, departments: tuple[str, ...], output: str
) -> None:
    try:
        as_of = parse_iso_date(as_of_text)
        known_at = (
            parse_timestamp(known_at_text)
            if known_at_text is not None
            else current_app.extensions["quota_clock"].now()
        )
        session = database().session()
        try:
            found = session.exec(
                select(Department).order_by(col(Department.sort), col(Department.code))
            ).all()
            by_code = {d.code.casefold(): d for d in found}
            unknown = [code for code in departments if code.casefold() not in by_code]
            if unknown:
                raise DomainError(N_("Ukendt forvaltning '%(code)s'.", code=", ".join(unknown)))
            ids = [by_code[c.casefold()].id for c in departments] if departments else [d.id for d in found]
            result = compliance(session, as_of=as_of, known_at=known_at, department_ids=ids)
        finally:
            session.rollback()
            session.close()
    except DomainError as exc:
        fail(exc.message)
        return
    if output == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    elif output == "csv":
        click.echo(render_csv(result), nl=False)
    else:
        click.echo(render_table(result), nl=False)


def summary(result: UnitImportResult) -> str:
    prefix = "Prøvekørsel, intet gemt: " if result.dry_run else ""
    return (
        f"{prefix}{result.rows_read} rækker læst; {result.units_created} enheder oprettet, "
        f"{result.p_numbers_set} P-numre sat, {result.headcounts_recorded} antal ansatte registreret, "
        f"{result.unchanged} uændrede."
    )


@click.command("import", help="Import units: department;unit;p_number;effective_date;ordinary_employees.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would happen; save nothing.")
def import_units_command(file: Path, dry_run: bool) -> None:
    result = run_file_import(import_units, file, dry_run=dry_run)
    exit_on_row_errors(result.errors)
    click.echo(summary(result))


units_group = click.Group(
    "units", commands=[import_units_command], help="Workplaces: P-numbers and ordinary headcounts."
)
