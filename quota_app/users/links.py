"""Sign-in links: a mailed, single-use, time-limited link with which a user sets their own password.

Only the SHA-256 of the link's secret is stored. A link is refused once used, after it expires, when a
newer link has been issued for the same user, and when the user is deactivated. No Flask here: the web
app and `quota users create` both issue links, and the sign-in page uses them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..audit import services as audit
from ..auth import services as auth
from ..errors import DomainError
from ..models import SignInLink, User
from ..texts import N_

MAX_TOKEN_LENGTH = 100  # a secret from token_urlsafe(32) has 43 characters
UNUSABLE = N_(
    "Linket kan ikke bruges: det er udløbet, allerede brugt eller afløst af et nyere. "
    "Bed en administrator om et nyt."
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(
    session: Session, *, user: User, lifetime: timedelta, actor: User | str, now: datetime
) -> tuple[SignInLink, str]:
    """Issue a new link for user (their older links stop working); return it and its secret (never stored)."""
    if not user.active:
        raise DomainError(N_("Brugeren er deaktiveret: genaktivér brugeren først."), field="active")
    revoke_open_links(session, user=user, now=now)
    token = secrets.token_urlsafe(32)
    link = SignInLink(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        created_by_id=actor.id if isinstance(actor, User) else None,
        expires_at=now + lifetime,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.sign_in_link",
        entity=user,
        after={"link_id": link.id, "expires_at": link.expires_at},
        at=now,
    )
    return link, token


def revoke_open_links(session: Session, *, user: User, now: datetime) -> None:
    """End every link of user that has not been used or ended yet."""
    session.execute(
        sa.update(SignInLink)
        .where(
            col(SignInLink.user_id) == user.id,
            col(SignInLink.used_at).is_(None),
            col(SignInLink.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )


def mail_failed(session: Session, *, link: SignInLink, reason: str, actor: User | str, now: datetime) -> None:
    """The link's mail could not be sent: nobody has it, so end it (and say why in the audit log)."""
    link.revoked_at = now
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.sign_in_link_failed",
        entity_type="user",
        entity_id=link.user_id,
        after={"link_id": link.id, "error": reason[:500]},
        at=now,
    )


def latest_link(session: Session, *, user: User) -> SignInLink | None:
    return session.exec(
        select(SignInLink)
        .where(SignInLink.user_id == user.id)
        .order_by(col(SignInLink.created_at).desc(), col(SignInLink.id).desc())
    ).first()


def usable_link(session: Session, *, token: str, now: datetime, lock: bool = False) -> SignInLink | None:
    """The link with this secret if it can still be used (its user active), else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    statement = (
        select(SignInLink)
        .join(User, col(User.id) == col(SignInLink.user_id))
        .where(
            SignInLink.token_hash == hash_token(token),
            col(SignInLink.used_at).is_(None),
            col(SignInLink.revoked_at).is_(None),
            SignInLink.expires_at > now,
            User.active == sa.true(),
        )
    )
    if lock:  # two submits of the same link at once: the second finds it used
        statement = statement.with_for_update(of=SignInLink)
    return session.exec(statement).first()


def use_link(session: Session, *, token: str, password: str, now: datetime) -> User:
    """Set the user's password with a link, which is then used up; their sessions end (audited)."""
    link = usable_link(session, token=token, now=now, lock=True)
    if link is None:
        raise DomainError(UNUSABLE)
    user = session.get(User, link.user_id)
    assert user is not None  # the join above found it
    auth.set_password(
        session, user=user, password=password, actor=user, now=now, action="user.set_password_by_link"
    )
    link.used_at = now
    session.flush()
    return user
