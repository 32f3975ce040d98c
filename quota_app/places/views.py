"""Department HR's places pages: the list, registering a place, and the department's status.

The app registers this module's `bp` (blueprint.py); importing place_views, edit_views and import_views
adds the place page, its edit page and the import pages to it.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from sqlmodel import Session, select

from .. import converters
from ..auth.services import can_see_all_departments
from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..form_fields import SelectChoice
from ..i18n import _
from ..models import STATUSES, PlacementType
from ..periods import last_completed_half_year
from ..reconcile.figures import reconcile
from ..web import db_session, localized, now, today
from . import edit_views, import_views, place_views, queries, registration
from .blueprint import EDIT_ROLES, VIEW_ROLES, bp, field_error
from .forms import PlaceForm

__all__ = ["bp", "edit_views", "import_views", "place_views"]  # the page modules' routes are on bp


def _type_choices(session: Session) -> list[SelectChoice]:
    english = str(get_locale() or "da") == "en"
    return [SelectChoice("", _("Vælg ordning"))] + [
        SelectChoice(t.code, t.name_en if english else t.name_da) for t in queries.active_types(session)
    ]


# --- the list ---


@bp.route("/places/", endpoint="list")
@roles_required(*VIEW_ROLES)
def place_list() -> ResponseReturnValue:
    session = db_session()
    department = loading.chosen_department_or_404()
    args = request.args
    page_number = converters.int_or(args.get("page"), 1, low=1, high=converters.MAX_PAGE)
    open_over = args.get("open_over", "")
    unit_arg = args.get("unit", "")
    filters = {
        "type": args.get("type", ""),
        "status": args.get("status", "") if args.get("status", "") in STATUSES else "",
        "unit": unit_arg if converters.is_id(unit_arg) else "",
        "q": args.get("q", "")[:100],
        "open_over": open_over if open_over in ("30", "60", "90") else "",
        "sort": args.get("sort", "reference") if args.get("sort") in queries.SORTS else "reference",
    }
    result = queries.list_places(
        session,
        department_id=department.id,
        today=today(),
        type_code=filters["type"] or None,
        status=filters["status"] or None,
        unit_id=int(filters["unit"]) if filters["unit"] else None,
        text=filters["q"] or None,
        open_over=int(filters["open_over"]) if filters["open_over"] else None,
        sort=filters["sort"],
        page=page_number,
    )
    base_args = {k: v for k, v in filters.items() if v}
    if can_see_all_departments(current_user):
        base_args["department"] = department.code
    return render_template(
        "places/list.html",
        department=department,
        departments=queries.departments(session) if can_see_all_departments(current_user) else [],
        types=queries.active_types(session),
        units=queries.department_units(session, department.id),
        filters=filters,
        result=result,
        base_args=base_args,
        can_edit=current_user.role in EDIT_ROLES,
    )


# --- register ---


@bp.route("/places/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new() -> ResponseReturnValue:
    session = db_session()
    department = loading.own_department_or_404()
    form = PlaceForm()
    form.type_code.choices = _type_choices(session)
    form.unit_id.choices = [SelectChoice("", _("Ingen enhed valgt"))] + [
        SelectChoice(str(u.id), u.name) for u in queries.department_units(session, department.id)
    ]
    if request.method == "GET":
        form.effective_date.data = today()
    status_code = 200
    problem = None
    if form.is_submitted():
        status_code = 422
        if form.validate():
            try:
                place = registration.register_place(
                    session,
                    department_id=department.id,
                    type_code=form.type_code.data,
                    reference=(form.reference.data or "").strip(),
                    title=(form.title.data or "").strip(),
                    unit_id=int(form.unit_id.data) if form.unit_id.data else None,
                    fte=form.fte.data,
                    status=form.status.data,
                    effective_date=form.effective_date.data,
                    note=form.note.data or "",
                    actor=current_user,
                    now=now(),
                    source="web",
                )
                session.commit()
            except DomainError as error:
                session.rollback()
                if not field_error(form, error):
                    problem = localized(error)
            else:
                flash(_("Pladsen %(reference)s er registreret.", reference=place.reference), "success")
                return redirect(url_for("places.detail", place_id=place.id))
    return render_template("places/new.html", form=form, department=department, problem=problem), status_code


# --- the department's status ---


@bp.route("/places/status")
@roles_required(*VIEW_ROLES)
def status_page() -> ResponseReturnValue:
    session = db_session()
    department = loading.chosen_department_or_404()
    day = today()
    known_at = now()
    last_half = last_completed_half_year(day)
    current = reconcile(session, as_of=day, known_at=known_at, department_codes=[department.code])
    previous = reconcile(session, period=last_half, known_at=known_at, department_codes=[department.code])
    types = {t.code: t for t in session.exec(select(PlacementType)).all()}
    return render_template(
        "places/status.html",
        department=department,
        departments=queries.departments(session) if can_see_all_departments(current_user) else [],
        day=day,
        last_half=last_half,
        current=current,
        previous=previous,
        types=types,
    )
