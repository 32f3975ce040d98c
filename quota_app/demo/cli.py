"""`quota demo`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..cli_types import integer
from ..web import database
from .services import load_demo


@click.command("demo", help="Load demo data: departments, types, rules, targets, units, users and places.")
@click.option("--seed", default=2015, show_default=True, type=integer(), help="Same seed, same data.")
@click.option(
    "--places",
    default=300,
    show_default=True,
    type=integer(low=0, high=200_000),
    help="0: reference data, targets and users only.",
)
@with_appcontext
def demo_command(seed: int, places: int) -> None:
    now = current_app.extensions["quota_clock"].now()
    with database().begin() as session:
        result = load_demo(session, seed=seed, places=places, now=now)
    click.echo(f"Demo data loaded: {result.places} places, {result.events} events (seed {seed}).")
    click.echo(
        "Demo users (passwords are shown once; run 'quota demo' again for new ones):"
        if not result.reset
        else "Demo data was already there; demo users have new passwords (shown once):"
    )
    for email, password in result.passwords.items():
        click.echo(f"  {email:24} {password}")
