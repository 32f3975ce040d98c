"""Links to an archived report's HTML page that need no sign-in (the accessible twin of the PDF).

A link's secret is long and random (`secrets.token_urlsafe(32)`); only its SHA-256 is kept. A report mail
carries a new link, made as the mail is sent (a mail that could not be sent ends its link again); BIF can
make one to publish a report, and revoke any. The page itself is `quota_app.reports_web.twin`.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from ..audit import services as audit
from ..errors import DomainError, NotFound
from ..models import ReportArchive, ReportLink, User
from ..texts import N_
from ..users.links import MAX_TOKEN_LENGTH, hash_token

PATH = "/rapport/"  # the page's address: PATH followed by the secret


def link_url(base_url: str, token: str) -> str:
    """The address a link's secret opens, e.g. https://kvoter.kk.dk/rapport/<secret>."""
    return base_url.rstrip("/") + PATH + token


def issue_link(
    session: Session, *, archive_id: int, actor: User | str, now: datetime, dispatch_id: int | None = None
) -> tuple[ReportLink, str]:
    """Make a link to the archived report; return it and its secret (shown once, never stored)."""
    if session.get(ReportArchive, archive_id) is None:
        raise NotFound(N_("Rapporten findes ikke i arkivet."))
    token = secrets.token_urlsafe(32)
    link = ReportLink(
        archive_id=archive_id,
        dispatch_id=dispatch_id,
        token_hash=hash_token(token),
        created_at=now,
        created_by_id=actor.id if isinstance(actor, User) else None,
    )
    session.add(link)
    session.flush()
    audit.record(
        session, actor=actor, action="report_link.issue", entity=link, after=audit.snapshot(link), at=now
    )
    return link, token


def revoke_link(session: Session, *, link_id: int, actor: User | str, now: datetime) -> ReportLink:
    """End a link: its page answers as if it never existed."""
    link = session.get(ReportLink, link_id)
    if link is None:
        raise NotFound(N_("Linket findes ikke."))
    if link.revoked_at is not None:
        raise DomainError(N_("Linket er allerede trukket tilbage."))
    before = audit.snapshot(link)
    link.revoked_at = now
    link.revoked_by_id = actor.id if isinstance(actor, User) else None
    session.add(link)
    audit.flush_audited(session, link, action="report_link.revoke", before=before, actor=actor, now=now)
    return link


def usable_link(session: Session, *, token: str) -> ReportLink | None:
    """The link with this secret, unless it was revoked."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    return session.exec(
        select(ReportLink).where(
            col(ReportLink.token_hash) == hash_token(token), col(ReportLink.revoked_at).is_(None)
        )
    ).first()


def links_of(session: Session, *, archive_id: int) -> list[ReportLink]:
    """An archived report's links, newest first."""
    return list(
        session.exec(
            select(ReportLink)
            .where(ReportLink.archive_id == archive_id)
            .order_by(col(ReportLink.created_at).desc(), col(ReportLink.id).desc())
        ).all()
    )
