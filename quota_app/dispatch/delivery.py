"""Delivery: claim each due ledger row in the database, send it, record the outcome; explicit resending.

A row is *claimed* with an atomic conditional UPDATE (pending -> sending) that is committed before the SMTP
conversation starts, so a restart, a second scheduler process or a manual `quota dispatch` at the same
moment finds the row taken and leaves it alone.

Outcomes: sent (message id, sent_at); a temporary failure (no connection, 4xx) goes back to pending with
next_attempt_at = now + back-off, until MAX_ATTEMPTS, then failed; a permanent failure (5xx) is failed at
once. Every failure to a recipient other than BIF itself adds a failure_notice row for BIF (sent once).

A row left in 'sending' longer than STALE_AFTER (the process died during the SMTP call) is NOT sent again
automatically: nobody knows whether the server accepted it. It is marked failed with an explanation, BIF is
told, and a person decides whether to resend (explicitly, from the browser or `quota dispatch --resend`).

Delivery is the one place that commits by itself, row by row, because the claim must be durable before the
mail leaves: it therefore takes a Database, not a Session. Resending is an ordinary service (flush only).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import make_msgid

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..audit.services import record, snapshot
from ..clock import Clock
from ..db import Database
from ..errors import DomainError, NotFound
from ..mail.services import MailError, PermanentMailError, Transport, build_message, message_domain
from ..models import REPORT_KINDS, Dispatch
from ..settings import Settings
from ..texts import N_
from . import report_links, sent_copy
from .ledger import Actor, concerning
from .mail_texts import compose

log = logging.getLogger("quota.dispatch")

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)
STALE_AFTER = timedelta(minutes=30)
ERROR_LENGTH = 2000  # Dispatch.last_error


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # claimed by someone else meanwhile


def backoff(attempts: int) -> timedelta:
    """5 minutes after the first failed attempt, doubling, at most 6 hours."""
    return min(BACKOFF_BASE * int(2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def claim(db: Database, *, dispatch_id: int, worker: str, now: datetime, message_id: str) -> bool:
    """Take a due pending row (pending -> sending) and commit, or return False if it is not ours."""
    with db.begin() as session:
        result = session.exec(
            sa.update(Dispatch)
            .where(
                col(Dispatch.id) == dispatch_id,
                col(Dispatch.state) == "pending",
                sa.or_(col(Dispatch.next_attempt_at).is_(None), col(Dispatch.next_attempt_at) <= now),
            )
            .values(
                state="sending",
                claimed_by=worker,
                claimed_at=now,
                attempts=Dispatch.attempts + 1,
                message_id=message_id,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _due_ids(
    session: Session,
    *,
    now: datetime,
    period: str | None,
    as_of: date | None,
    scope: str | None,
    exclude: set[int],
) -> list[int]:
    statement = select(Dispatch.id).where(
        Dispatch.state == "pending",
        sa.or_(col(Dispatch.next_attempt_at).is_(None), col(Dispatch.next_attempt_at) <= now),
    )
    if period is not None or as_of is not None:
        statement = statement.where(concerning(period=period, as_of=as_of))
    if scope is not None:
        statement = statement.where(Dispatch.scope == scope)
    return [i for i in session.exec(statement.order_by(col(Dispatch.id))).all() if i not in exclude]


def deliver_due(
    db: Database,
    *,
    settings: Settings,
    transport: Transport,
    clock: Clock,
    worker: str,
    period: str | None = None,
    as_of: date | None = None,
    scope: str | None = None,
) -> DeliveryResult:
    """Send every due pending row (optionally only those about one period or day, with the failure notices
    about them, and of one scope), each claimed first."""
    result = DeliveryResult()
    mark_stale(db, settings=settings, now=clock.now())
    tried: set[int] = set()
    while True:
        with db.begin() as session:
            ids = _due_ids(session, now=clock.now(), period=period, as_of=as_of, scope=scope, exclude=tried)
        if not ids:
            return result
        for dispatch_id in ids:
            tried.add(dispatch_id)
            _deliver_one(
                db,
                dispatch_id,
                settings=settings,
                transport=transport,
                clock=clock,
                worker=worker,
                result=result,
            )


def _deliver_one(
    db: Database,
    dispatch_id: int,
    *,
    settings: Settings,
    transport: Transport,
    clock: Clock,
    worker: str,
    result: DeliveryResult,
) -> None:
    message_id = make_msgid(domain=message_domain(settings))
    if not claim(db, dispatch_id=dispatch_id, worker=worker, now=clock.now(), message_id=message_id):
        result.skipped.append(dispatch_id)
        return
    error: MailError | None = None
    actor = worker.partition("@")[0]
    link_id, secret, kept = None, None, None
    try:
        with db.begin() as session:
            row = session.get(Dispatch, dispatch_id)
            assert row is not None
            if row.kind in REPORT_KINDS and row.archive_id is not None and settings.base_url:
                # The mail carries a new link to the report's HTML page; committed before the mail leaves.
                link, secret = report_links.issue_link(
                    session, archive_id=row.archive_id, dispatch_id=row.id, actor=actor, now=clock.now()
                )
                link_id = link.id
            mail = compose(session, row, settings=settings, link_token=secret)
        message = build_message(mail, settings=settings, now=clock.now(), message_id=message_id)
        kept = sent_copy.keep(mail, message, secret=secret)
        transport.send(message)
    except MailError as exc:
        error = exc
    except Exception as exc:
        log.exception("dispatch %s could not be composed", dispatch_id)
        error = PermanentMailError(N_("Mailen kunne ikke dannes: %(problem)s", problem=repr(exc)))
    now = clock.now()
    with db.begin() as session:
        row = session.get(Dispatch, dispatch_id)
        assert row is not None
        before = snapshot(row)
        if error is not None and link_id is not None:  # nobody got the link: end it
            report_links.revoke_link(session, link_id=link_id, actor=actor, now=now)
        if row.state != "sending" or row.claimed_by != worker:  # marked stale meanwhile: leave it
            return
        if error is None:
            row.state, row.sent_at, row.last_error, row.next_attempt_at = "sent", now, None, None
            row.sent_message = kept
            result.sent.append(dispatch_id)
            action = "dispatch.sent"
        elif error.temporary and row.attempts < MAX_ATTEMPTS:
            row.state, row.last_error = "pending", error.message[:ERROR_LENGTH]
            row.next_attempt_at = now + backoff(row.attempts)
            result.retrying.append(dispatch_id)
            action = "dispatch.retry"
        else:
            row.state, row.last_error, row.next_attempt_at = "failed", error.message[:ERROR_LENGTH], None
            if error.temporary:
                row.last_error = str(
                    N_(
                        "Opgivet efter %(attempts)s forsøg: %(problem)s",
                        attempts=row.attempts,
                        problem=error.message,
                    )
                )[:ERROR_LENGTH]
            result.failed.append(dispatch_id)
            action = "dispatch.failed"
            _add_failure_notice(session, row, settings=settings, now=now)
        session.add(row)
        session.flush()
        record(
            session,
            actor=actor,
            action=action,
            entity=row,
            before=before,
            after=snapshot(row),
            at=now,
        )
    log.info("dispatch %s: %s", dispatch_id, action)


def _add_failure_notice(session: Session, row: Dispatch, *, settings: Settings, now: datetime) -> None:
    bif = settings.bif_email.strip().lower()
    if row.kind == "failure_notice" or not bif or row.recipient == bif:
        return
    told = session.exec(
        select(Dispatch.id).where(Dispatch.failed_dispatch_id == row.id, Dispatch.recipient == bif)
    ).first()
    if told is not None:
        return
    session.add(
        Dispatch(
            failed_dispatch_id=row.id,
            department_id=row.department_id,
            scope=row.scope,
            recipient=bif,
            kind="failure_notice",
            created_at=now,
        )
    )
    session.flush()


def mark_stale(db: Database, *, settings: Settings, now: datetime) -> list[int]:
    """Rows left 'sending' for longer than STALE_AFTER: failed, BIF told, never resent automatically."""
    marked: list[int] = []
    with db.begin() as session:
        stale = session.exec(
            select(Dispatch).where(
                col(Dispatch.state) == "sending", col(Dispatch.claimed_at) < now - STALE_AFTER
            )
        ).all()
        for row in stale:
            before = snapshot(row)
            updated = session.exec(
                sa.update(Dispatch)
                .where(
                    col(Dispatch.id) == row.id,
                    col(Dispatch.state) == "sending",
                    col(Dispatch.claimed_at) == row.claimed_at,
                )
                .values(
                    state="failed",
                    last_error=str(
                        N_(
                            "Afsendelsen blev afbrudt (%(worker)s); det er uvist om mailen nåede frem "
                            "(Message-ID %(message_id)s). Kontrollér og gensend manuelt.",
                            worker=row.claimed_by,
                            message_id=row.message_id,
                        )
                    ),
                )
                .execution_options(synchronize_session=False)
            )
            if updated.rowcount == 1:
                session.refresh(row)
                _add_failure_notice(session, row, settings=settings, now=now)
                record(
                    session,
                    actor="scheduler",
                    action="dispatch.stale",
                    entity=row,
                    before=before,
                    after=snapshot(row),
                    at=now,
                )
                marked.append(row.id)
    return marked


# --- Explicit resending ---


def resend(
    session: Session, *, dispatch_id: int, actor: Actor, now: datetime, allow_sent: bool = False
) -> Dispatch:
    """Put a failed row (or, explicitly, a sent one) back to pending so it is sent again."""
    row = session.get(Dispatch, dispatch_id)
    if row is None:
        raise NotFound(N_("Udsendelsen findes ikke."))
    allowed = ("failed", "sent") if allow_sent else ("failed",)
    if row.state not in allowed:
        raise DomainError(
            N_("Kun fejlede udsendelser kan gensendes.")
            if not allow_sent
            else N_("Kun fejlede eller sendte udsendelser kan gensendes."),
        )
    before = snapshot(row)
    row.state, row.attempts, row.next_attempt_at = "pending", 0, None
    row.claimed_at = row.claimed_by = None
    session.add(row)
    session.flush()
    record(
        session, actor=actor, action="dispatch.resend", entity=row, before=before, after=snapshot(row), at=now
    )
    return row


def resend_period(
    session: Session, *, period: str, scope: str | None, actor: Actor, now: datetime, allow_sent: bool
) -> list[Dispatch]:
    """Resend the failed (and, with allow_sent, the sent) mails about a period, failure notices aside."""
    states = ("failed", "sent") if allow_sent else ("failed",)
    statement = select(Dispatch).where(col(Dispatch.period) == period, col(Dispatch.state).in_(states))
    if scope is not None:
        statement = statement.where(Dispatch.scope == scope)
    return [
        resend(session, dispatch_id=row.id, actor=actor, now=now, allow_sent=allow_sent)
        for row in session.exec(statement.order_by(col(Dispatch.id))).all()
    ]
