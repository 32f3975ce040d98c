"""`quota users`: create a user (who gets a mailed sign-in link), mail a new link, the break-glass password,
deactivate and activate."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session, select

from .. import formatting
from ..cli_types import fail
from ..errors import DomainError
from ..models import ROLES, Department, User
from ..settings import Settings
from ..texts import N_
from ..web import database

NO_BASE_URL = N_(
    "Sæt QUOTA_BASE_URL til appens adresse (fx https://kvoter.kk.dk): linket i mailen skal pege på den."
)


@click.group("users", cls=AppGroup, help="User accounts.")
def users_group() -> None:
    pass


def _now() -> datetime:
    return current_app.extensions["quota_clock"].now()


def _base_url() -> str:
    """QUOTA_BASE_URL, which the links are made from; DomainError when it is not set."""
    settings: Settings = current_app.config["QUOTA_SETTINGS"]
    if not settings.base_url:
        raise DomainError(NO_BASE_URL)
    return settings.base_url


def _mail_link(session: Session, user: User) -> None:
    """Mail the user a sign-in link and say until when it works."""
    from .mailing import MailError, send_sign_in_link

    base_url = _base_url()
    email = user.email
    try:
        link = send_sign_in_link(session, user=user, base_url=base_url, actor="cli", now=_now())
    except MailError as exc:
        fail(f"Mailen med linket til {email} kunne ikke sendes, så linket virker ikke: {exc.message}")
    until = formatting.timestamp(link.expires_at, "en", current_app.config["QUOTA_SETTINGS"].zone)
    click.echo(
        f"A sign-in link was mailed to {email}; they choose their password with it (valid until {until})."
    )


@users_group.command("create", help="Create a user and mail them a link to choose their password.")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--department", "department_code", help="Department code, required for hr.")
@click.option("--name", default="")
def users_create(email: str, role: str, department_code: str | None, name: str) -> None:
    from . import services

    try:
        with database().begin() as session:
            department_id = None
            if department_code:
                department_id = session.exec(
                    select(Department.id).where(Department.code == department_code)
                ).first()
                if department_id is None:
                    raise DomainError(
                        N_("Ukendt forvaltning '%(code)s'.", code=department_code), field="department"
                    )
            user = services.create_user(
                session,
                email=email,
                name=name,
                role=role,
                department_id=department_id,
                actor="cli",
                now=_now(),
            )
            _base_url()  # before saying the user is created: without it nothing is saved
            click.echo(f"Created {role} user {user.email}.")
            _mail_link(session, user)
    except DomainError as exc:
        fail(exc.message)


@users_group.command("send-link", help="Mail a user a new link to choose their password (older links end).")
@click.option("--email", required=True)
def users_send_link(email: str) -> None:
    from ..auth import services as auth

    try:
        with database().begin() as session:
            _mail_link(session, auth.get_user_by_email(session, email))
    except DomainError as exc:
        fail(exc.message)


@users_group.command(
    "set-password",
    help="Break-glass: give a user a new password (printed once if generated); ends their sessions. "
    "Users normally choose their own with a mailed link.",
)
@click.option("--email", required=True)
@click.option("--password", envvar="QUOTA_NEW_USER_PASSWORD", help="Default: a generated one, printed once.")
def users_set_password(email: str, password: str | None) -> None:
    from ..auth import services as auth

    generated = password is None
    password = password or auth.generate_password()
    try:
        with database().begin() as session:
            user = auth.get_user_by_email(session, email)
            auth.set_password(session, user=user, password=password, actor="cli", now=_now())
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
    from ..auth import services as auth
    from . import services

    try:
        with database().begin() as session:
            user = auth.get_user_by_email(session, email)
            services.set_active(session, user=user, active=active, actor="cli", now=_now())
    except DomainError as exc:
        fail(exc.message)
