"""`quota dispatch` and `quota scheduler` (docs/cli.md)."""

from __future__ import annotations

import os
import socket
import sys
from datetime import datetime

import click
from flask import current_app

from ..db import Database
from ..errors import DomainError
from ..mail.services import transport_from_settings
from ..models import Dispatch
from ..periods import Period, parse_period
from ..settings import Settings
from ..web import database
from . import delivery, ledger, overdue, run
from .report_source import APP_EXTENSION


def _worker(kind: str) -> str:
    return f"{kind}@{socket.gethostname()}:{os.getpid()}"


@click.command("dispatch", help="Send a period's reports (each department's, and the consolidated one).")
@click.option("--period", "period_text", help="2025-H1, 2025-H2 or 2025 (required unless --check).")
@click.option("--department", "department_code", help="Only this department's report (no consolidated).")
@click.option("--dry-run", is_flag=True, help="Write nothing, send nothing: say what would be sent.")
@click.option("--resend", is_flag=True, help="Send failed and already sent mails of the selection again.")
@click.option(
    "--check",
    is_flag=True,
    help="Send nothing: exit 1 naming each half-year whose reports are overdue (planned time plus "
    "QUOTA_MISFIRE_GRACE_SECONDS passed, not sent), 0 otherwise.",
)
def dispatch_command(
    period_text: str | None, department_code: str | None, dry_run: bool, resend: bool, check: bool
) -> None:
    from ..cli_types import fail

    settings = current_app.config["QUOTA_SETTINGS"]
    clock = current_app.extensions["quota_clock"]
    db = database()
    if check:
        _check(db, settings, clock.now())
        return
    if not period_text:
        raise click.UsageError("Angiv --period (eller --check).")
    try:
        period = parse_period(period_text)
        if department_code is not None:
            department_code = department_code.strip().upper()
        if dry_run:
            _dry_run(db, settings, period, department_code, resend, clock.now())
            return
        if resend:
            with db.begin() as session:
                again = delivery.resend_period(
                    session,
                    period=period.label,
                    scope=department_code,
                    actor="cli",
                    now=clock.now(),
                    allow_sent=True,
                )
            click.echo(f"{len(again)} mail(s) sat til at blive sendt igen.")
        plan, delivered = run.run_dispatch(
            db,
            settings=settings,
            period=period,
            transport=transport_from_settings(settings),
            clock=clock,
            worker=_worker("cli"),
            actor="cli",
            department_code=department_code,
            source=current_app.extensions.get(APP_EXTENSION),
        )
    except DomainError as exc:
        fail(exc.message)
        return
    for warning in plan.warnings:
        click.echo(f"Advarsel: {warning}", err=True)
    click.echo(
        f"{period.label}: {len(plan.new)} nye i udsendelsesloggen, {len(delivered.sent)} sendt, "
        f"{len(delivered.retrying)} forsøges igen senere, {len(delivered.failed)} fejlet."
    )
    with db.begin() as session:
        for dispatch_id in delivered.retrying + delivered.failed:
            row = session.get_one(Dispatch, dispatch_id)
            click.echo(
                f"  {row.state:8} {row.kind:14} {row.scope:4} {row.recipient}: {row.last_error}", err=True
            )
        untouched = [
            r
            for r in ledger.ledger(session, period=period.label)
            if r.state == "failed" and r.id not in delivered.failed
        ]
    if untouched:
        click.echo(
            f"{len(untouched)} tidligere fejlede mail(s) venter; brug --resend for at sende dem igen.",
            err=True,
        )
    if delivered.failed:
        sys.exit(1)


def _check(db: Database, settings: Settings, now: datetime) -> None:
    with db.begin() as session:
        late = overdue.overdue_periods(session, settings=settings, now=now)
    for item in late:
        click.echo(f"Fejl: {item.describe(settings)}", err=True)
    if late:
        sys.exit(1)
    click.echo("OK: ingen halvårsstatus er forsinket.")


def _dry_run(
    db: Database, settings: Settings, period: Period, department_code: str | None, resend: bool, now: datetime
) -> None:
    session = db.session()
    try:
        plan = ledger.plan_period(
            session,
            settings=settings,
            period=period,
            actor="cli",
            now=now,
            department_code=department_code,
            dry_run=True,
        )
        click.echo(f"Prøvekørsel for {period.label}: intet skrives og intet sendes.")
        for warning in plan.warnings:
            click.echo(f"Advarsel: {warning}", err=True)
        would = 0
        for mail in plan.mails:
            would_send = mail.new or mail.state == "pending" or (resend and mail.state in ("failed", "sent"))
            if mail.new:
                action = "ville sende (ny)"
            elif mail.state == "pending":
                action = "ville sende (venter)"
            elif would_send:
                action = f"ville gensende ({mail.state})"
            else:
                action = f"sendes ikke ({mail.state})"
            would += would_send
            click.echo(f"  {action:24} {mail.kind:13} {mail.scope:4} {mail.recipient}")
        click.echo(f"I alt {would} mail(s) ville blive sendt.")
    finally:
        session.rollback()
        session.close()


@click.command("scheduler", help="Run the scheduler process (the same as python -m scheduler).")
def scheduler_command() -> None:
    # The web app never imports the scheduler (import-linter contract): start it as its own program.
    os.execv(sys.executable, [sys.executable, "-m", "scheduler"])  # noqa: S606
