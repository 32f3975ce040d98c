"""The `quota` command: the Flask CLI of the app (its commands are put together in quota_app.commands).

What the operator can fix (a bad setting, a database out of reach) is said in one line, not a traceback.
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup, ScriptInfo

from . import create_app


def main() -> None:
    """Run the quota command line; what the operator must fix is one line on stderr and exit 1."""
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
