"""Department HR's pages: the places list, a place and its history, registering, changing and importing."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select
from wtforms.fields.choices import SelectChoice

from .. import contention, converters
from ..auth.services import can_see_all_departments, ensure_department_access
from ..auth.views import roles_required
from ..csv_writer import write_csv
from ..errors import Conflict, DomainError, NotFound
from ..i18n import _
from ..imports import web as import_web
from ..imports import workflow
from ..models import STATUSES, Department, Place, PlaceEvent, PlacementType, Unit
from ..periods import last_completed_half_year
from ..reconcile.services import reconcile
from ..web import READ_METHODS, db_session, localized, now, today
from . import queries
from . import services as lifecycle
from .forms import ConfirmImportForm, CorrectForm, ImportForm, PlaceForm, StatusForm, VoidForm

bp = Blueprint(
    "places", __name__, template_folder="templates", static_folder="static", static_url_path="/places/static"
)

VIEW_ROLES = ("hr", "bif", "admin")
EDIT_ROLES = ("hr",)
TEMPLATE_HEADER = (
    "reference",
    "department",
    "type",
    "status",
    "effective_date",
    "unit",
    "title",
    "fte",
    "note",
)
TEMPLATE_HEADER_DA = (
    "reference",
    "forvaltning",
    "ordning",
    "status",
    "dato",
    "enhed",
    "titel",
    "årsværk",
    "note",
)


def _place_or_404(place_id: int) -> Place:
    place = db_session().get(Place, place_id)
    if place is None:
        abort(404)
    try:
        ensure_department_access(current_user, place.department_id)
    except NotFound:
        abort(404)
    return place


def _chosen_department() -> Department:
    """HR: their own department. BIF and admin: ?department=CODE, else the first one."""
    session = db_session()
    if not can_see_all_departments(current_user):
        department = session.get(Department, current_user.department_id)
        if department is None:
            abort(404)
        return department
    code = request.args.get("department", "")
    departments = queries.departments(session)
    if not departments:
        abort(404)
    return next((d for d in departments if d.code == code), departments[0])


def _field_error(form, error: DomainError) -> bool:  # type: ignore[no-untyped-def]
    """Put a domain error next to its field; return False when the form has no such field."""
    aliases = {"type": "type_code", "type_code": "type_code", "unit": "unit_id", "date": "effective_date"}
    name = aliases.get(error.field or "", error.field or "")
    if name and name in form and name not in ("csrf_token", "version"):
        form[name].errors = [*form[name].errors, localized(error)]
        return True
    return False


def _type_choices(session) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    english = str(get_locale() or "da") == "en"
    return [SelectChoice("", _("Vælg ordning"))] + [
        SelectChoice(t.code, t.name_en if english else t.name_da) for t in queries.active_types(session)
    ]


# --- the list ---


@bp.route("/places/", endpoint="list")
@roles_required(*VIEW_ROLES)
def place_list():  # type: ignore[no-untyped-def]
    session = db_session()
    department = _chosen_department()
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


# --- one place ---


def _detail_context(place: Place) -> dict:
    session = db_session()
    return {
        "place": place,
        "department": session.get(Department, place.department_id),
        "placement_type": session.get(PlacementType, place.type_id),
        "unit": session.get(Unit, place.unit_id) if place.unit_id else None,
        "timeline": queries.timeline(session, place_id=place.id),
        "days": (today() - place.current_since).days if place.current_since else None,
        "can_edit": current_user.role in EDIT_ROLES,
    }


def _render_detail(place: Place, *, status_code: int = 200, **forms):  # type: ignore[no-untyped-def]
    context = _detail_context(place)
    status_form = forms.pop("status_form", None) or StatusForm(formdata=None, version=place.version)
    event_forms = {}
    for item in context["timeline"]:
        if item.voided:
            continue
        correct = forms.get(f"correct_{item.id}") or CorrectForm(
            formdata=None, prefix=f"c{item.id}", version=place.version, status=item.status
        )
        void = forms.get(f"void_{item.id}") or VoidForm(
            formdata=None, prefix=f"v{item.id}", version=place.version
        )
        event_forms[item.id] = (correct, void)
    return (
        render_template(
            "places/detail.html",
            status_form=status_form,
            event_forms=event_forms,
            conflict=forms.get("conflict"),
            problem=forms.get("problem"),
            **context,
        ),
        status_code,
    )


@bp.route("/places/<id:place_id>")
@roles_required(*VIEW_ROLES)
def detail(place_id: int):  # type: ignore[no-untyped-def]
    return _render_detail(_place_or_404(place_id))


def _expected_version(form) -> int | None:  # type: ignore[no-untyped-def]
    value = (form.version.data or "").strip()
    return converters.int_or(value, None, low=0)


def _after_failure(place_id: int, form, error: DomainError, form_key: str):  # type: ignore[no-untyped-def]
    """Roll back, then show the page again with the user's values kept and the newest state of the place."""
    session = db_session()
    session.rollback()
    place = _place_or_404(place_id)
    session.refresh(place)
    if isinstance(error, Conflict):
        # The user has now seen the newer state; sending the same values again is a deliberate choice.
        form.version.data = str(place.version)
        return _render_detail(place, status_code=409, conflict=localized(error), **{form_key: form})
    problem = None if _field_error(form, error) else localized(error)
    return _render_detail(place, status_code=422, problem=problem, **{form_key: form})


@bp.errorhandler(StaleDataError)
def _saved_first_by_another(error: StaleDataError):  # type: ignore[no-untyped-def]
    """A clash found at flush or commit time: on a place's page show the place as it is now (409)."""
    place_id = (request.view_args or {}).get("place_id")
    if place_id is None or request.method in READ_METHODS:
        return contention.answer(error)
    contention.rollback_request()
    place = _place_or_404(place_id)
    db_session().refresh(place)
    return _render_detail(place, status_code=409, conflict=localized(lifecycle.CONFLICT_MESSAGE))


def _apply_change(place: Place, form, form_key: str, change: Callable[[Session], object], done: str):  # type: ignore[no-untyped-def]
    """Validate a detail-page form, run the lifecycle change and commit; show the page again on a refusal."""
    if not form.validate():
        return _render_detail(place, status_code=422, **{form_key: form})
    session = db_session()
    place_id = place.id  # a failed flush leaves place unreadable until the rollback
    try:
        change(session)
        session.commit()
    except DomainError as error:
        return _after_failure(place_id, form, error, form_key)
    flash(done, "success")
    return redirect(url_for("places.detail", place_id=place_id))


@bp.route("/places/<id:place_id>/status", methods=["POST"])
@roles_required(*EDIT_ROLES)
def change_status(place_id: int):  # type: ignore[no-untyped-def]
    place = _place_or_404(place_id)
    form = StatusForm()
    return _apply_change(
        place,
        form,
        "status_form",
        lambda session: lifecycle.record_status(
            session,
            place_id=place.id,
            status=form.status.data,
            effective_date=form.effective_date.data,
            note=form.note.data or "",
            expected_version=_expected_version(form),
            actor=current_user,
            now=now(),
            source="web",
        ),
        _("Den nye status er gemt."),
    )


def _event_of(place: Place, event_id: int) -> PlaceEvent:
    event = db_session().get(PlaceEvent, event_id)
    if event is None or event.place_id != place.id:
        abort(404)
    return event


@bp.route("/places/<id:place_id>/events/<id:event_id>/correct", methods=["POST"])
@roles_required(*EDIT_ROLES)
def correct(place_id: int, event_id: int):  # type: ignore[no-untyped-def]
    place = _place_or_404(place_id)
    event = _event_of(place, event_id)
    form = CorrectForm(prefix=f"c{event.id}")
    return _apply_change(
        place,
        form,
        f"correct_{event.id}",
        lambda session: lifecycle.correct_event(
            session,
            event_id=event.id,
            status=form.status.data,
            reason=form.reason.data,
            expected_version=_expected_version(form),
            actor=current_user,
            now=now(),
        ),
        _("Registreringen er rettet."),
    )


@bp.route("/places/<id:place_id>/events/<id:event_id>/void", methods=["POST"])
@roles_required(*EDIT_ROLES)
def void(place_id: int, event_id: int):  # type: ignore[no-untyped-def]
    place = _place_or_404(place_id)
    event = _event_of(place, event_id)
    form = VoidForm(prefix=f"v{event.id}")
    return _apply_change(
        place,
        form,
        f"void_{event.id}",
        lambda session: lifecycle.void_event(
            session,
            event_id=event.id,
            reason=form.reason.data,
            expected_version=_expected_version(form),
            actor=current_user,
            now=now(),
        ),
        _("Registreringen er annulleret."),
    )


# --- register ---


@bp.route("/places/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new():  # type: ignore[no-untyped-def]
    session = db_session()
    department = session.get(Department, current_user.department_id)
    if department is None:
        abort(404)
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
                place = lifecycle.register_place(
                    session,
                    department_id=department.id,
                    type_code=form.type_code.data,
                    reference=form.reference.data.strip(),
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
                if not _field_error(form, error):
                    problem = localized(error)
            else:
                flash(_("Pladsen %(reference)s er registreret.", reference=place.reference), "success")
                return redirect(url_for("places.detail", place_id=place.id))
    return render_template("places/new.html", form=form, department=department, problem=problem), status_code


# --- import ---


@bp.route("/places/import", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def import_upload():  # type: ignore[no-untyped-def]
    session = db_session()
    department = session.get(Department, current_user.department_id)
    if department is None:
        abort(404)
    form = ImportForm()
    if not form.validate_on_submit():
        status_code = 422 if form.is_submitted() else 200
        return render_template("places/import_upload.html", form=form, department=department), status_code
    upload, job = workflow.receive(
        session,
        store=import_web.upload_store(),
        data=form.file.data.read(),
        filename=form.file.data.filename or "upload.csv",
        user=current_user,
        department_id=department.id,
        now=now(),
    )
    session.commit()
    import_web.remember_upload(upload.token)
    job_id = job.id
    import_web.runner().kick()
    return _go_to(url_for("import_jobs.page", job_id=job_id))


def _go_to(location: str):  # type: ignore[no-untyped-def]
    """Redirect; the progress script posts with XMLHttpRequest and navigates itself (flash kept for it)."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return jsonify(location=location)
    return redirect(location)


@bp.route("/places/import/<token>", methods=["GET"])
@roles_required(*EDIT_ROLES)
def import_preview(token: str):  # type: ignore[no-untyped-def]
    try:
        upload = workflow.own_upload(
            import_web.upload_store(),
            token,
            user=current_user,
            browser_tokens=import_web.remembered_uploads(),
        )
        if not upload.preview:  # its preview job has not finished yet
            return redirect(url_for("import_jobs.page", job_id=workflow.preview_job(db_session(), token).id))
    except NotFound:
        abort(404)
    return render_template("places/import_preview.html", upload=upload, form=ConfirmImportForm(), result=None)


# Confirming starts a background job: see import_jobs.py.


@bp.route("/places/import/template.<fmt>")
@roles_required(*VIEW_ROLES)
def import_template(fmt: str):  # type: ignore[no-untyped-def]
    department = _chosen_department()
    example = (
        f"{department.code}-2025-001",
        department.code,
        "Virksomhedspraktik",
        "åben",
        "01-09-2025",
        "",
        "Kontorpraktik",
        "1,0",
        "",
    )
    if fmt == "csv":
        return Response(
            write_csv(TEMPLATE_HEADER_DA, [example]),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=pladser-skabelon.csv"},
        )
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Pladser"
        sheet.append(TEMPLATE_HEADER_DA)
        sheet.append(example)
        out = io.BytesIO()
        workbook.save(out)
        return Response(
            out.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": "attachment; filename=pladser-skabelon.xlsx"},
        )
    abort(404)


# --- the department's status ---


@bp.route("/places/status")
@roles_required(*VIEW_ROLES)
def status_page():  # type: ignore[no-untyped-def]
    session = db_session()
    department = _chosen_department()
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
