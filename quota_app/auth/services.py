"""Users, passwords and what each user may see."""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select

from ..audit import services as audit
from ..errors import DomainError, NotFound
from ..models import ROLES, Department, User
from ..texts import N_

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    """Refuse a password too weak to use (the one rule for every way a password is set)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            N_("Adgangskoden skal være mindst %(min)d tegn.", min=MIN_PASSWORD_LENGTH), field="password"
        )


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    *,
    email: str,
    role: str,
    password: str | None,
    name: str = "",
    department_code: str | None = None,
    actor: User | str | None,
    now: datetime,
) -> User:
    """Create a user, or raise DomainError with a message a person understands.

    Without a password the user cannot sign in until they set one with a mailed sign-in link (the hash
    is of a random secret nobody knows, so a sign-in attempt costs the same time as any other)."""
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise DomainError(N_("'%(address)s' er ikke en gyldig e-mailadresse.", address=email), field="email")
    if role not in ROLES:
        raise DomainError(
            N_("Ukendt rolle '%(role)s': brug %(roles)s.", role=role, roles=", ".join(ROLES)), field="role"
        )
    if password is not None:
        check_password(password)
    department = None
    if department_code:
        department = session.exec(select(Department).where(Department.code == department_code)).first()
        if department is None:
            raise DomainError(N_("Ukendt forvaltning '%(code)s'.", code=department_code), field="department")
    if role == "hr" and department is None:
        raise DomainError(N_("En HR-bruger skal høre til en forvaltning (--department)."), field="department")
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise DomainError(
            N_("Der findes allerede en bruger med e-mailen %(address)s.", address=email), field="email"
        )
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password if password is not None else secrets.token_urlsafe(32)),
        department_id=department.id if department and role == "hr" else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.create", entity=user, after=audit.snapshot(user), at=now)
    return user


def authenticate(session: Session, *, email: str, password: str, now: datetime) -> User | None:
    """Return the active user with these credentials, or None."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None or not user.active:
        _burn_time(password)
        return None
    if not verify_password(user, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise NotFound(
            N_("Der findes ingen bruger med e-mailen %(address)s.", address=normalise_email(email))
        )
    return user


def end_sessions(user: User) -> None:
    """End every session of this user, on every device (their session cookies no longer load the user)."""
    user.session_version += 1


def record_sign_in(session: Session, *, user: User, now: datetime) -> None:
    audit.record(session, actor=user, action="user.login", entity=user, at=now)


def sign_out(session: Session, *, user: User, now: datetime) -> None:
    """Sign the user out everywhere: a copied session cookie no longer works after this."""
    end_sessions(user)
    session.flush()
    audit.record(session, actor=user, action="user.logout", entity=user, at=now)


def set_password(
    session: Session,
    *,
    user: User,
    password: str,
    actor: User | str | None,
    now: datetime,
    action: str = "user.set_password",
) -> User:
    """Give the user a new password and end all their sessions."""
    check_password(password)
    user.password_hash = hash_password(password)
    end_sessions(user)
    session.flush()
    audit.record(session, actor=actor, action=action, entity=user, at=now)
    return user


def _burn_time(password: str) -> None:
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, password)


# --- What a user may see. Every feature scopes its queries through these. ---


def can_see_all_departments(user: User) -> bool:
    return user.role in ("bif", "admin")


def visible_department_ids(session: Session, user: User) -> list[int]:
    """Return the ids of the departments this user may see."""
    if can_see_all_departments(user):
        return list(session.exec(select(Department.id)).all())
    return [user.department_id] if user.department_id is not None else []


def scope_to_user(statement: Any, department_column: Any, user: User) -> Any:
    """Narrow a select to the rows of departments the user may see (HR: their own only)."""
    if can_see_all_departments(user):
        return statement
    if user.department_id is None:
        return statement.where(sa.false())
    return statement.where(department_column == user.department_id)


def ensure_department_access(user: User, department_id: int | None) -> None:
    """Raise NotFound when the user may not see this department's data (404, so nothing leaks)."""
    if can_see_all_departments(user):
        return
    if department_id is None or department_id != user.department_id:
        raise NotFound(N_("Siden findes ikke."))


def get_department_for(session: Session, user: User, code: str) -> Department:
    """Return the department with this code if the user may see it, else raise NotFound."""
    department = session.exec(select(Department).where(Department.code == code)).first()
    if department is None:
        raise NotFound(N_("Ukendt forvaltning '%(code)s'.", code=code))
    ensure_department_access(user, department.id)
    return department
