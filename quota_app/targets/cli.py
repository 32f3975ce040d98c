"""`quota import targets FILE [--dry-run]` (in the `import` group that quota_app.commands puts together)."""

from __future__ import annotations

from pathlib import Path

import click

from ..imports.cli import exit_on_row_errors, run_file_import
from .target_import import TargetImportResult, import_targets


def summary(result: TargetImportResult, *, dry_run: bool) -> str:
    prefix = "Prøvekørsel, intet gemt: " if dry_run else ""
    return (
        f"{prefix}{result.rows_read} rækker læst; {result.created} måltal oprettet, "
        f"{result.changed} ændret, {result.unchanged} uændrede."
    )


@click.command("targets", help="Import targets: year;department;type;value;decided_on;reference.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would happen; save nothing.")
def import_targets_command(file: Path, dry_run: bool) -> None:
    result = run_file_import(import_targets, file, dry_run=dry_run)
    exit_on_row_errors(result.errors)
    click.echo(summary(result, dry_run=dry_run))
