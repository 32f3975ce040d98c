"""People who sign in, how they sign in, and the audit trail of what they did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from .base import ROLES, TableModel, _in, _utc


class User(TableModel, table=True):
    __tablename__ = "user"
    __table_args__ = (
        sa.CheckConstraint(_in("role", ROLES), name="role_known"),
        sa.CheckConstraint("role <> 'hr' OR department_id IS NOT NULL", name="hr_has_department"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("(oidc_issuer IS NULL) = (oidc_subject IS NULL)", name="oidc_identity_whole"),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=10)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    active: bool = Field(default=True)
    locale: str | None = Field(default=None, max_length=5)
    created_at: datetime = _utc()
    last_login_at: datetime | None = _utc(nullable=True)
    # Part of every session's user id: signing out, a new password or deactivation raise it, and every
    # session (and remember-me cookie) issued before no longer loads the user.
    session_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Who the user is at the organisation's OpenID provider (issuer and subject), once they signed in there.
    oidc_issuer: str | None = Field(default=None, max_length=300)
    oidc_subject: str | None = Field(default=None, max_length=255)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class LoginAttempt(TableModel, table=True):
    """A failed sign-in (or one being checked), counted per account and address by auth.throttle."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_pair", "account", "address", "at"),
        sa.Index("ix_login_attempt_address", "address", "at"),
        sa.Index("ix_login_attempt_at", "at"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    account: str = Field(max_length=254)
    address: str = Field(max_length=64)
    at: datetime = _utc()


class ApiToken(TableModel, table=True):
    __tablename__ = "api_token"

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the secret
    prefix: str = Field(max_length=12)  # the first characters, shown so a person can tell tokens apart
    created_at: datetime = _utc()
    last_used_at: datetime | None = _utc(nullable=True)
    revoked_at: datetime | None = _utc(nullable=True)


class SignInLink(TableModel, table=True):
    """A mailed link with which a user sets a password: single use, time-limited; only its hash is kept."""

    __tablename__ = "sign_in_link"

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the secret in the link
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    expires_at: datetime = _utc()
    used_at: datetime | None = _utc(nullable=True)
    revoked_at: datetime | None = _utc(nullable=True)  # a newer link, a deactivation or a failed mail


class AuditEntry(TableModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(max_length=254)  # e-mail, "system", "scheduler" or "cli"
    action: str = Field(max_length=60)
    entity_type: str = Field(max_length=60)
    entity_id: str = Field(default="", max_length=60)
    before: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))
    at: datetime = _utc(index=True)
