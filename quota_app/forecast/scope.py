"""Whose lines a person sees: BIF and admin every department's, HR only their own (as everywhere else)."""

from __future__ import annotations

from sqlmodel import Session

from ..auth.services import can_see_all_departments
from ..models import Department, User


def department_codes_for(session: Session, *, user: User) -> list[str] | None:
    """The department codes to pass as department_codes for this user: None (every active department)
    for BIF and admin, the user's own department for HR (none without one)."""
    if can_see_all_departments(user):
        return None
    department = session.get(Department, user.department_id) if user.department_id is not None else None
    return [department.code] if department is not None else []
