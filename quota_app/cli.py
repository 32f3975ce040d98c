"""The `quota` command: the Flask CLI of the app with the commands of docs/cli.md."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, with_appcontext

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def main() -> None:
    """Run the quota command line; what the operator must fix is one line on stderr and exit 1."""
    from . import create_app

    cli = QuotaGroup(create_app=lambda: create_app(), add_default_commands=False, add_version_option=False)
    cli.help = "Quota tracking for supported employment (støttet beskæftigelse)."
    try:
        cli.main(prog_name="quota")
    except Exception as exc:
        message = operator_error(exc)
        if message is None:
            raise  # a bug: the traceback is what a developer needs
        click.echo(f"Fejl: {message}", err=True)
        sys.exit(1)


class QuotaGroup(FlaskGroup):
    """Flask's command group, except that an app that cannot be made (a bad setting) is not printed as a
    traceback while listing commands (`quota --help`): it reaches main() and is said in one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        ctx.ensure_object(ScriptInfo).load_app()
        return super().list_commands(ctx)


def operator_error(exc: BaseException) -> str | None:
    """One Danish line for failures the operator can fix, or None for anything else (a bug)."""
    import sqlalchemy as sa

    from .settings import SettingsError

    if isinstance(exc, SettingsError):
        return str(exc)
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        reason = next((line for line in str(exc.orig).splitlines() if line.strip()), type(exc.orig).__name__)
        hint = " (kør quota db upgrade)" if "no such table" in reason else ""
        return _one_line(f"Databasen {_database_url()} kan ikke nås eller bruges: {reason}{hint}")
    if isinstance(exc, OSError) and exc.filename:
        url = _database_url()
        if url.startswith("sqlite:") and str(exc.filename) in url:  # make_engine creates the folder
            return _one_line(
                f"Databasen {url} kan ikke nås: {exc.filename} kan ikke oprettes ({exc.strerror})"
            )
        return _one_line(f"{exc.filename} kan ikke bruges: {exc.strerror or exc}")
    return None


def _database_url() -> str:
    import sqlalchemy as sa

    from .settings import load_settings

    try:
        url = sa.engine.make_url(load_settings().effective_database_url)
        return url.render_as_string(hide_password=True)
    except Exception:  # the URL itself is what is wrong
        return "(QUOTA_DATABASE_URL)"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def fail(message: object) -> None:
    """Print a message on stderr and exit 1 (bad input)."""
    click.echo(f"Fejl: {message}", err=True)
    sys.exit(1)


def alembic_config(app: Flask):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = app.extensions["quota_db"].engine
    return config


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Bring the database schema up to date.")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(current_app), revision)
    click.echo(f"Database at {revision}.")


@db_group.command(
    "refresh-intervals",
    help="Check that the counted status intervals match the events; rebuild those that do not "
    "(needed only after events were written without the app, e.g. with plain SQL).",
)
@click.option("--check", is_flag=True, help="Only report the places out of step (exit 1 if any).")
def db_refresh_intervals(check: bool) -> None:
    from .reconcile.intervals import places_out_of_step, refresh_places
    from .web import database

    with database().begin() as session:
        stale = places_out_of_step(session)
        if stale and not check:
            refresh_places(session.connection(), stale)
    places = f"{len(stale)} {'plads' if len(stale) == 1 else 'pladser'}"
    if not stale:
        click.echo("Alle pladsers intervaller stemmer med deres hændelser.")
    elif check:
        fail(f"Intervallerne for {places} stemmer ikke med hændelserne (fx plads-id {stale[0]}).")
    else:
        click.echo(f"Intervallerne for {places} er genopbygget fra hændelserne.")


# "module:attribute" of each feature's click command or group; add one line per feature.
COMMANDS = (
    "quota_app.users.cli:users_group",
    "quota_app.demo.cli:demo_command",
    "quota_app.imports.cli:import_group",
    "quota_app.reconcile.cli:reconcile_command",
    "quota_app.reports_web.cli:report_command",
    "quota_app.dispatch.cli:dispatch_command",
    "quota_app.dispatch.cli:scheduler_command",
)


def register_commands(app: Flask) -> None:
    """Add every command group."""
    app.cli.add_command(db_group)
    for spec in COMMANDS:
        module, _, attribute = spec.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        _run_in_app_context(command)
        app.cli.add_command(command)


def _run_in_app_context(command: click.Command) -> None:
    """Give every command an app context, however it is invoked (the quota CLI or a test runner)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _run_in_app_context(sub)
    elif command.callback is not None and not getattr(command.callback, "_quota_app_context", False):
        command.callback = with_appcontext(command.callback)
        command.callback._quota_app_context = True  # type: ignore[attr-defined]
