"""Personal API tokens: a high-entropy secret shown once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from .. import converters
from ..audit import services as audit
from ..errors import DomainError, NotFound
from ..models import ApiToken, User
from ..texts import N_

TOKEN_PREFIX = "qk_"  # noqa: S105 - a marker, not a secret
MAX_ACTIVE_TOKENS = 20
# last_used_at is noted at most this often: a write per API request would queue every read behind writers.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    session: Session, *, user: User, name: str, actor: User | str, now: datetime
) -> tuple[ApiToken, str]:
    """Create a token for user; return it and the secret (shown once, never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 100 or converters.control_character(name) is not None:
        raise DomainError(N_("Giv nøglen et navn på 1-100 tegn."), field="name")
    active = session.exec(
        select(ApiToken).where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
    ).all()
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise DomainError(N_("Du kan højst have %(max)d aktive nøgler.", max=MAX_ACTIVE_TOKENS), field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hash_secret(secret), prefix=secret[:10], created_at=now
    )
    session.add(token)
    session.flush()
    audit.record(
        session, actor=actor, action="api_token.create", entity=token, after=audit.snapshot(token), at=now
    )
    return token, secret


def user_tokens(session: Session, *, user: User) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken).where(col(ApiToken.user_id) == user.id).order_by(col(ApiToken.created_at).desc())
        ).all()
    )


def may_revoke(user: User, token: ApiToken) -> bool:
    """A user may revoke their own tokens; an admin anyone's."""
    return token.user_id == user.id or user.role == "admin"


def revoke_token(
    session: Session, *, token_id: int, user: User, actor: User | str, now: datetime
) -> ApiToken:
    """Revoke one of user's tokens (an admin may revoke anyone's); revoking twice changes nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or not may_revoke(user, token):
        raise NotFound(N_("Nøglen findes ikke."))
    if token.revoked_at is None:
        before = audit.snapshot(token)
        token.revoked_at = now
        audit.flush_audited(session, token, action="api_token.revoke", before=before, actor=actor, now=now)
    return token


def find_token(session: Session, *, secret: str) -> tuple[ApiToken, User] | None:
    """Return a valid, unrevoked token and its active user; else None. Reads only."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    found = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.token_hash) == digest)
    ).first()
    if found is None:
        return None
    token, user = found
    if not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None or not user.active:
        return None
    return token, user


def use_due(token: ApiToken, *, now: datetime) -> bool:
    """Whether the token's last use is worth noting again (at most once per LAST_USED_RESOLUTION)."""
    return token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION


def note_use(session: Session, *, token_id: int, now: datetime) -> None:
    """Note that a token was used now (its last_used_at), unless noted within LAST_USED_RESOLUTION."""
    token = session.get(ApiToken, token_id)
    if token is not None and use_due(token, now=now):
        token.last_used_at = now
        session.flush()


def authenticate_token(session: Session, *, secret: str, now: datetime) -> User | None:
    """Return the active user of a valid, unrevoked token and note when it was used; else None."""
    found = find_token(session, secret=secret)
    if found is None:
        return None
    token, user = found
    note_use(session, token_id=token.id, now=now)
    return user
