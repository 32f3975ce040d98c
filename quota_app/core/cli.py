"""`quota db upgrade` and `quota db refresh-intervals` (docs/cli.md): the database's schema and derived data."""

from __future__ import annotations

import click
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup

from ..cli_types import fail
from ..db import MIGRATIONS_DIR
from ..reconcile.intervals import places_out_of_step, refresh_places
from ..web import database


def alembic_config(app: Flask) -> Config:
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
