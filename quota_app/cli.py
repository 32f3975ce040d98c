"""The `quota` command: the Flask CLI of the app with the commands of docs/cli.md."""

from __future__ import annotations

import importlib
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, with_appcontext

from .db import MIGRATIONS_DIR
from .errors import DomainError


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


@click.group("users", cls=AppGroup, help="User accounts.")
def users_group() -> None:
    pass


@users_group.command("create", help="Create a user and print a generated password once.")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["hr", "bif", "admin"]))
@click.option("--department", "department_code", help="Department code, required for hr.")
@click.option("--name", default="")
@click.option("--password", envvar="QUOTA_NEW_USER_PASSWORD", help="Default: a generated one, printed once.")
def users_create(email: str, role: str, department_code: str | None, name: str, password: str | None) -> None:
    from .auth import services as auth
    from .web import database

    db = database()
    generated = password is None
    password = password or auth.generate_password()
    try:
        with db.begin() as session:
            user = auth.create_user(
                session,
                email=email,
                role=role,
                password=password,
                name=name,
                department_code=department_code,
                actor="cli",
                now=current_app.extensions["quota_clock"].now(),
            )
            email = user.email
    except DomainError as exc:
        fail(exc.message)
    click.echo(f"Created {role} user {email}.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@users_group.command(
    "set-password", help="Give a user a new password (printed once if generated); ends their sessions."
)
@click.option("--email", required=True)
@click.option("--password", envvar="QUOTA_NEW_USER_PASSWORD", help="Default: a generated one, printed once.")
def users_set_password(email: str, password: str | None) -> None:
    from .auth import services as auth
    from .web import database

    generated = password is None
    password = password or auth.generate_password()
    try:
        with database().begin() as session:
            user = auth.get_user_by_email(session, email)
            auth.set_password(
                session,
                user=user,
                password=password,
                actor="cli",
                now=current_app.extensions["quota_clock"].now(),
            )
            email = user.email
    except DomainError as exc:
        fail(exc.message)
    click.echo(f"New password set for {email}; their sessions have ended.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@users_group.command("deactivate", help="Deactivate a user: they cannot sign in, and their sessions end.")
@click.option("--email", required=True)
def users_deactivate(email: str) -> None:
    _set_active(email, active=False)
    click.echo(f"Deactivated {email.strip().lower()}; their sessions have ended.")


@users_group.command("activate", help="Let a deactivated user sign in again.")
@click.option("--email", required=True)
def users_activate(email: str) -> None:
    _set_active(email, active=True)
    click.echo(f"Activated {email.strip().lower()}.")


def _set_active(email: str, *, active: bool) -> None:
    from .auth import services as auth
    from .web import database

    try:
        with database().begin() as session:
            user = auth.get_user_by_email(session, email)
            auth.set_active(
                session,
                user=user,
                active=active,
                actor="cli",
                now=current_app.extensions["quota_clock"].now(),
            )
    except DomainError as exc:
        fail(exc.message)


# "module:attribute" of each feature's click command or group; add one line per feature.
COMMANDS = (
    "quota_app.demo.cli:demo_command",
    "quota_app.imports.cli:import_group",
    "quota_app.reconcile.cli:reconcile_command",
    "quota_app.reports_web.cli:report_command",
    "quota_app.dispatch.cli:dispatch_command",
    "quota_app.dispatch.cli:scheduler_command",
)


def register_commands(app: Flask) -> None:
    """Add every command group."""
    for command in (db_group, users_group):
        app.cli.add_command(command)
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
