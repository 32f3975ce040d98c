"""`quota import places FILE [--dry-run]` and `quota import run-jobs`, and what every import command shares.

quota_app.commands puts them in the `import` group, beside `quota import targets` (quota_app.targets.cli).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import click
from flask import current_app

from ..cli_types import fail
from ..errors import DomainError
from ..web import clock, database
from .files import ImportResult, RowError
from .jobs import runner_for
from .limits import ImportLimits, check_size
from .places import import_places


class _Outcome(Protocol):
    """What every import service returns: at least its row errors."""

    @property
    def errors(self) -> Sequence[object]: ...


R = TypeVar("R", bound=_Outcome)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(result: ImportResult) -> str:
    """Return the one-line summary of an import, in Danish."""
    prefix = "Prøvekørsel, intet gemt: " if result.dry_run else ""
    return (
        f"{prefix}{_count(result.rows_read, 'række', 'rækker')} læst; "
        f"{_count(result.places_created, 'plads', 'pladser')} oprettet, "
        f"{_count(result.places_updated, 'plads', 'pladser')} opdateret, "
        f"{_count(result.units_created, 'enhed', 'enheder')} oprettet, "
        f"{_count(result.events_created, 'statusændring', 'statusændringer')} registreret, "
        f"{_count(result.corrections, 'rettelse', 'rettelser')}, "
        f"{_count(result.unchanged, 'uændret', 'uændrede')}."
    )


def run_file_import(importer: Callable[..., R], file: Path, *, dry_run: bool) -> R:
    """Run an import service on FILE in its own session as "cli"; commit only a real run without errors.

    A refused file (DomainError) ends the command with its message.
    """
    now = current_app.extensions["quota_clock"].now()
    limits = ImportLimits.from_settings(current_app.config["QUOTA_SETTINGS"])
    session = database().session(write=not dry_run)  # a real import takes SQLite's write lock first
    try:
        check_size(file.stat().st_size, limits)  # before reading a byte of it
        result = importer(
            session,
            data=file.read_bytes(),
            filename=file.name,
            actor="cli",
            now=now,
            dry_run=dry_run,
            limits=limits,
        )
        if result.errors or dry_run:
            session.rollback()
        else:
            session.commit()
    except DomainError as exc:
        session.rollback()
        fail(exc.message)
    finally:
        session.close()
    return result


def echo_row_errors(errors: Iterable[RowError]) -> None:
    """Print one line per bad row on stderr."""
    for error in errors:
        click.echo(f"række {error.row}: {error.message}", err=True)


def exit_on_row_errors(errors: Sequence[RowError]) -> None:
    """With bad rows (the targets' and units' imports): print each on stderr and exit 1, nothing saved."""
    if errors:
        echo_row_errors(errors)
        click.echo(f"Fejl: {len({e.row for e in errors})} rækker har fejl; intet er gemt.", err=True)
        sys.exit(1)


def report_errors(result: ImportResult) -> None:
    """Print every bad row on stderr and exit 1: nothing was saved."""
    echo_row_errors(result.errors)
    rows = len({e.row for e in result.errors})
    click.echo(f"Fejl: {_count(rows, 'række', 'rækker')} med fejl; intet er gemt.", err=True)
    sys.exit(1)


@click.command(
    "places",
    short_help="Import places and their status events.",
    help="Import places and their status events from CSV or XLSX with the columns "
    "reference;department;type;status;effective_date;unit;title;fte;note (the first five required).",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would happen; save nothing.")
def import_places_command(file: Path, dry_run: bool) -> None:
    result = run_file_import(import_places, file, dry_run=dry_run)
    if result.errors:
        report_errors(result)
    click.echo(summary(result))


@click.command(
    "run-jobs",
    short_help="Run the queued browser import jobs, then exit.",
    help="Run the browser imports waiting in the background (previews and saves), after queuing again the "
    "ones whose worker stopped. The web app and the scheduler run them too; this is for operators.",
)
def run_jobs_command() -> None:
    runner = runner_for(
        database(),
        clock(),
        Path(current_app.instance_path),
        worker=f"cli-{os.getpid()}",
        limits=ImportLimits.from_settings(current_app.config["QUOTA_SETTINGS"]),
    )
    ran = runner.run_all()
    click.echo(f"{_count(len(ran), 'import job', 'import jobs')} run.")
