"""User accounts as administrators keep them: find, create, change role or department, deactivate.

Users are never deleted (the audit trail names them). The last active administrator can be neither
deactivated nor given another role, and no administrator can do either to themselves. A new role, a new
department or a deactivation ends the user's sessions. A new user has no password: they choose one with
a mailed sign-in link (`users.links`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from .. import converters
from ..admin.services import normalise_email
from ..audit import services as audit
from ..auth import services as auth
from ..db import danish_contains, danish_order
from ..errors import DomainError, NotFound
from ..models import ROLES, AuditEntry, Department, User
from ..texts import N_
from . import links

PER_PAGE = 25
NAME = N_("Navnet")
# What a user's history shows: changes, not every sign-in and sign-out.
SIGN_INS = ("user.login", "user.logout")


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    department_code: str | None
    department_name: str | None
    active: bool
    last_login_at: datetime | None


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    total: int
    page: int
    pages: int


def list_users(
    session: Session,
    *,
    text: str | None = None,
    role: str | None = None,
    department_id: int | None = None,
    active: bool | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> UserPage:
    """One page of users, by name (then e-mail), filtered by a search text, role, department and state."""
    statement = select(User, Department).join(
        Department, col(Department.id) == col(User.department_id), isouter=True
    )
    if text and text.strip():
        term = text.strip()
        statement = statement.where(
            sa.or_(danish_contains(User.name, term), danish_contains(User.email, term))
        )
    if role in ROLES:
        statement = statement.where(User.role == role)
    if department_id is not None:
        statement = statement.where(User.department_id == department_id)
    if active is not None:
        statement = statement.where(User.active == active)
    total = session.exec(select(sa.func.count()).select_from(statement.subquery())).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    ordered = statement.order_by(danish_order(col(User.name)), col(User.email), col(User.id))
    rows = [
        UserRow(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            department_code=department.code if department else None,
            department_name=department.name if department else None,
            active=user.active,
            last_login_at=user.last_login_at,
        )
        for user, department in session.exec(ordered.offset((page - 1) * per_page).limit(per_page)).all()
    ]
    return UserPage(rows=rows, total=total, page=page, pages=pages)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("Brugeren findes ikke."))
    return user


def history(session: Session, *, user: User, limit: int = 50) -> list[AuditEntry]:
    """The latest changes to a user's account (sign-ins and sign-outs left out), newest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(
                AuditEntry.entity_type == "user",
                AuditEntry.entity_id == str(user.id),
                col(AuditEntry.action).not_in(SIGN_INS),
            )
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .limit(limit)
        ).all()
    )


def _name(name: str) -> str:
    return converters.clean_text(name, field="name", label=NAME, max_length=200, cpr_guard=True)


def _department_code(session: Session, role: str, department_id: int | None) -> str | None:
    """The department an HR user belongs to (required); other roles belong to none."""
    if role not in ROLES:
        raise DomainError(N_("Vælg en rolle."), field="role")
    if role != "hr":
        return None
    department = session.get(Department, department_id) if department_id is not None else None
    if department is None:
        raise DomainError(N_("En HR-bruger skal høre til en forvaltning."), field="department")
    return department.code


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    department_id: int | None,
    actor: User | str,
    now: datetime,
) -> User:
    """Create a user without a password (they choose one with a sign-in link); audited."""
    return auth.create_user(
        session,
        email=normalise_email(email, field="email"),
        name=_name(name),
        role=role,
        password=None,
        department_code=_department_code(session, role, department_id),
        actor=actor,
        now=now,
    )


def update_user(
    session: Session,
    *,
    user_id: int,
    name: str,
    role: str,
    department_id: int | None,
    actor: User | str,
    now: datetime,
) -> User:
    """Change a user's name, role or department; a new role or department ends their sessions."""
    user = get_user(session, user_id)
    name = _name(name)
    code = _department_code(session, role, department_id)
    new_department_id = department_id if code is not None else None
    if role != user.role:
        _refuse_own_account(user, actor, N_("Du kan ikke ændre din egen rolle."), field="role")
        if user.role == "admin":
            _ensure_an_admin_remains(session, user, field="role")
    before = audit.snapshot(user)
    access_changes = (role, new_department_id) != (user.role, user.department_id)
    user.name, user.role, user.department_id = name, role, new_department_id
    if access_changes:
        auth.end_sessions(user)
    session.flush()
    after = audit.snapshot(user)
    if after != before:
        audit.record(
            session, actor=actor, action="user.update", entity=user, before=before, after=after, at=now
        )
    return user


def set_active(session: Session, *, user: User, active: bool, actor: User | str, now: datetime) -> User:
    """Deactivate a user (they cannot sign in, their sessions and open sign-in links end) or let them back."""
    if user.active == active:
        return user
    if not active:
        _refuse_own_account(user, actor, N_("Du kan ikke deaktivere dig selv."), field="active")
        if user.role == "admin":
            _ensure_an_admin_remains(session, user, field="active")
        auth.end_sessions(user)
        links.revoke_open_links(session, user=user, now=now)
    before = audit.snapshot(user)
    user.active = active
    action = "user.activate" if active else "user.deactivate"
    audit.flush_audited(session, user, action=action, before=before, actor=actor, now=now)
    return user


def _refuse_own_account(user: User, actor: User | str, message: str, *, field: str) -> None:
    """An administrator cannot lock themselves out: another administrator has to do it."""
    if isinstance(actor, User) and actor.id == user.id:
        raise DomainError(message, field=field)


def _ensure_an_admin_remains(session: Session, user: User, *, field: str) -> None:
    """Refuse when user is the last active administrator.

    The active administrators' rows are locked (PostgreSQL; SQLite writes one at a time anyway), so two
    administrators deactivating each other at the same moment cannot leave none: the second one counts
    again after the first has committed.
    """
    admins = session.exec(
        select(User.id).where(User.role == "admin", User.active == sa.true()).with_for_update()
    ).all()
    if set(admins) <= {user.id}:
        raise DomainError(
            N_(
                "%(email)s er den sidste aktive administrator. Giv en anden bruger rollen administrator først.",
                email=user.email,
            ),
            field=field,
        )
