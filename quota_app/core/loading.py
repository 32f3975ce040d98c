"""What views load from a request, scoped to the signed-in user: one helper per kind of object, else 404.

Views load through these instead of `session.get` and `abort(404)` of their own. A helper answers 404 both
when the object does not exist and when the user may not see it, so nothing leaks (never 403). Objects that
belong to a department are checked in one place, `_visible_or_404`, with the rule of
`auth.services.ensure_department_access` (HR sees their own department only; BIF and admin see all).
Roles are checked before, by `auth.views.roles_required`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import abort, request
from flask_login import current_user
from sqlmodel import SQLModel, col, select

from .. import converters
from ..auth.services import can_see_all_departments, ensure_department_access, get_department_for
from ..dispatch import report_links
from ..errors import DomainError, NotFound
from ..imports.uploads import valid_token
from ..models import (
    ApiToken,
    Department,
    Dispatch,
    Place,
    PlaceEvent,
    PlacementType,
    ReportArchive,
    ReportLink,
    Target,
    Unit,
    User,
)
from ..periods import Period, parse_period
from ..targets.checks import MAX_YEAR, MIN_YEAR
from ..tokens.services import may_revoke
from ..web import db_session

Row = TypeVar("Row", bound=SQLModel)
OfDepartment = TypeVar(
    "OfDepartment", Place, Target, ReportArchive, Dispatch, Unit
)  # rows with a department_id


def _row_or_404(model: type[Row], row_id: int) -> Row:
    """The row with this id, else 404 (also for an id no integer key on either engine can hold)."""
    if not converters.is_id(row_id):
        abort(404)
    row = db_session().get(model, row_id)
    if row is None:
        abort(404)
    return row


@contextmanager
def found_or_404() -> Iterator[None]:
    """A service's NotFound (a missing object, or one the user may not see) becomes 404 inside the block."""
    try:
        yield
    except NotFound:
        abort(404)


def _visible_or_404(department_id: int | None) -> None:
    """404 unless the signed-in user may see this department's data (None: the municipality's)."""
    try:
        ensure_department_access(current_user, department_id)
    except NotFound:
        abort(404)


def _department_row_or_404(model: type[OfDepartment], row_id: int) -> OfDepartment:
    """A row that belongs to a department (department_id None: the municipality's), if the user may see it."""
    row = _row_or_404(model, row_id)
    _visible_or_404(row.department_id)
    return row


# --- departments ---


def department_or_404(department_id: int) -> Department:
    department = _row_or_404(Department, department_id)
    _visible_or_404(department.id)
    return department


def department_by_code_or_404(code: str) -> Department:
    """The department with this code (as in a URL or ?department=), if the user may see it."""
    try:
        return get_department_for(db_session(), current_user, code)
    except NotFound:
        abort(404)


def own_department() -> Department | None:
    """The signed-in user's own department (HR's), or None for a user without one (BIF, admin)."""
    department_id = current_user.department_id
    return db_session().get(Department, department_id) if department_id is not None else None


def own_department_or_404() -> Department:
    department = own_department()
    if department is None:
        abort(404)
    return department


def chosen_department_or_404() -> Department:
    """The department a page is about: HR's own; for BIF and admin ?department=CODE, else the first one."""
    if not can_see_all_departments(current_user):
        return own_department_or_404()
    departments = (
        db_session().exec(select(Department).order_by(col(Department.sort), col(Department.code))).all()
    )
    if not departments:
        abort(404)
    code = request.args.get("department", "")
    return next((d for d in departments if d.code == code), departments[0])


def unit_or_404(unit_id: int, *, department_id: int) -> Unit:
    """A unit of this department."""
    unit = _row_or_404(Unit, unit_id)
    if unit.department_id != department_id:
        abort(404)
    _visible_or_404(unit.department_id)
    return unit


def unit_ref_or_404(ref: str, *, department_id: int) -> Unit | None:
    """A unit of this department as a URL names it: its id, or 'none' (the places without a unit): None."""
    if ref == "none":
        return None
    if not converters.is_id(ref):
        abort(404)
    return unit_or_404(converters.parse_id(ref), department_id=department_id)


def workplace_or_404(unit_id: int) -> Unit:
    """A unit (a workplace) of a department the user may see."""
    return _department_row_or_404(Unit, unit_id)


# --- places ---


def place_or_404(place_id: int) -> Place:
    return _department_row_or_404(Place, place_id)


def place_event_or_404(place: Place, event_id: int) -> PlaceEvent:
    """An event of this place (load the place with place_or_404 first)."""
    event = _row_or_404(PlaceEvent, event_id)
    if event.place_id != place.id:
        abort(404)
    return event


# --- reference data, targets, reports, mail ---


def placement_type_or_404(type_id: int) -> PlacementType:
    """A placement type (every role may see every type)."""
    return _row_or_404(PlacementType, type_id)


def target_or_404(target_id: int) -> Target:
    return _department_row_or_404(Target, target_id)


def archived_report_or_404(archive_id: int) -> ReportArchive:
    """An archived report: a department's, or the municipality's (BIF and admin only)."""
    return _department_row_or_404(ReportArchive, archive_id)


def linked_report_or_404(secret: str) -> ReportArchive:
    """The archived report a link's secret opens, for anyone who has it; 404 once the link is revoked."""
    session = db_session()
    link = report_links.usable_link(session, token=secret)
    entry = session.get(ReportArchive, link.archive_id) if link is not None else None
    if entry is None:
        abort(404)
    return entry


def report_link_or_404(link_id: int) -> ReportLink:
    """A link to an archived report the signed-in user may see."""
    link = _row_or_404(ReportLink, link_id)
    archived_report_or_404(link.archive_id)
    return link


def dispatch_or_404(dispatch_id: int) -> Dispatch:
    """A mail of the dispatch ledger: a department's, or the municipality's (BIF and admin only)."""
    return _department_row_or_404(Dispatch, dispatch_id)


def token_or_404(token_id: int) -> ApiToken:
    """An API token the signed-in user may revoke: their own (an admin's: anyone's)."""
    token = _row_or_404(ApiToken, token_id)
    if not may_revoke(current_user, token):
        abort(404)
    return token


def user_or_404(user_id: int) -> User:
    """A user account (the administrators' pages: roles_required("admin") comes first)."""
    return _row_or_404(User, user_id)


def upload_token_or_404(token: str) -> str:
    """An upload's token as a URL carries it (anything that cannot be one is 404 before the database)."""
    if not valid_token(token):
        abort(404)
    return token


# --- values in a URL ---

FILE_FORMATS = ("csv", "xlsx")


def file_format_or_404(fmt: str) -> str:
    """The format a download's URL names: csv or xlsx."""
    if fmt not in FILE_FORMATS:
        abort(404)
    return fmt


def target_year_or_404(year: int) -> int:
    """A year targets may be kept for (targets.checks' bounds)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(404)
    return year


def period_or_404(text: str, *, half_year: bool = False) -> Period:
    """The period a URL names (2025, 2025-H1, ...); with half_year, only a half-year."""
    try:
        period = parse_period(text)
    except DomainError:
        abort(404)
    if half_year and period.half is None:
        abort(404)
    return period
