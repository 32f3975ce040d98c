"""`quota users create | set-password | deactivate | activate` (docs/cli.md): user accounts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..cli_types import fail
from ..errors import DomainError
from ..web import database
from . import services as auth


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
