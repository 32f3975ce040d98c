"""A place's page: its details and history, and the forms on it (status change, correction, void).

A refused change shows the page again with the user's values kept (422), a clash with the place as it is
now (409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from .. import contention, converters
from ..auth.views import roles_required
from ..compliance.statements import place_compliance
from ..core import loading
from ..errors import Conflict, DomainError
from ..i18n import _
from ..models import Place, PlaceEvent
from ..web import READ_METHODS, db_session, localized, now, today
from . import corrections, queries, status_events
from .blueprint import EDIT_ROLES, VIEW_ROLES, bp, field_error
from .forms import CorrectForm, StatusForm, VoidForm, status_choices
from .rules import CONFLICT_MESSAGE, allowed_next, allowed_on, effective_by_date

DetailForm = StatusForm | CorrectForm | VoidForm  # the forms on a place's page
EventForm = TypeVar("EventForm", CorrectForm, VoidForm)  # the form of one event's change


def _detail_context(place: Place) -> dict:
    session = db_session()
    return {
        "place": place,
        "department": loading.department_or_404(place.department_id),
        "placement_type": loading.placement_type_or_404(place.type_id),
        "unit": loading.unit_or_404(place.unit_id, department_id=place.department_id)
        if place.unit_id
        else None,
        "timeline": queries.timeline(session, place_id=place.id),
        "days": (today() - place.current_since).days if place.current_since else None,
        "can_edit": current_user.role in EDIT_ROLES,
        "facts": place_compliance(session, place=place, day=today(), now=now()),
    }


def _render_detail(place: Place, *, status_code: int = 200, **forms: Any) -> ResponseReturnValue:
    """The place's page; forms: the forms as submitted, and a conflict or problem message."""
    context = _detail_context(place)
    status_form = forms.pop("status_form", None) or StatusForm(formdata=None, version=place.version)
    status_form.status.choices = status_choices(allowed_next(place.current_status))
    live = effective_by_date([item for item in context["timeline"] if not item.voided])
    history = {day: item.status for day, item in live.items()}
    event_forms = {}
    for item in context["timeline"]:
        if item.voided:
            continue
        correct = forms.get(f"correct_{item.id}") or CorrectForm(
            formdata=None,
            prefix=f"c{item.id}",
            version=place.version,
            status=item.status,
            effective_date=item.effective_date,
        )
        correct.status.choices = status_choices(allowed_on(history, item.effective_date))
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
def detail(place_id: int) -> ResponseReturnValue:
    return _render_detail(loading.place_or_404(place_id))


def _expected_version(form: DetailForm) -> int | None:
    value = (form.version.data or "").strip()
    return converters.int_or(value, None, low=0)


def _after_failure(place_id: int, form: DetailForm, error: DomainError, form_key: str) -> ResponseReturnValue:
    """Roll back, then show the page again with the user's values kept and the newest state of the place."""
    session = db_session()
    session.rollback()
    place = loading.place_or_404(place_id)
    session.refresh(place)
    if isinstance(error, Conflict):
        # The user has now seen the newer state; sending the same values again is a deliberate choice.
        form.version.data = str(place.version)
        return _render_detail(place, status_code=409, conflict=localized(error), **{form_key: form})
    problem = None if field_error(form, error) else localized(error)
    return _render_detail(place, status_code=422, problem=problem, **{form_key: form})


@bp.errorhandler(StaleDataError)
def _saved_first_by_another(error: StaleDataError) -> ResponseReturnValue:
    """A clash found at flush or commit time: on a place's page show the place as it is now (409)."""
    place_id = (request.view_args or {}).get("place_id")
    if place_id is None or request.method in READ_METHODS:
        return contention.answer(error)
    contention.rollback_request()
    place = loading.place_or_404(place_id)
    db_session().refresh(place)
    return _render_detail(place, status_code=409, conflict=localized(CONFLICT_MESSAGE))


def _apply_change(
    place: Place, form: DetailForm, form_key: str, change: Callable[[Session], object], done: str
) -> ResponseReturnValue:
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
def change_status(place_id: int) -> ResponseReturnValue:
    place = loading.place_or_404(place_id)
    form = StatusForm()
    return _apply_change(
        place,
        form,
        "status_form",
        lambda session: status_events.record_status(
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


def _change_event(
    place_id: int,
    event_id: int,
    form_class: type[EventForm],
    kind: str,
    change: Callable[[Session, PlaceEvent, EventForm], object],
    message: str,
) -> ResponseReturnValue:
    """Correct or void one of a place's events: the event's own form (prefix c<id> or v<id>), change(session,
    event, form) calls the service; answered as every change of a place is."""
    place = loading.place_or_404(place_id)
    event = loading.place_event_or_404(place, event_id)
    form = form_class(prefix=f"{kind[0]}{event.id}")
    return _apply_change(
        place, form, f"{kind}_{event.id}", lambda session: change(session, event, form), message
    )


@bp.route("/places/<id:place_id>/events/<id:event_id>/correct", methods=["POST"])
@roles_required(*EDIT_ROLES)
def correct(place_id: int, event_id: int) -> ResponseReturnValue:
    return _change_event(
        place_id,
        event_id,
        CorrectForm,
        "correct",
        lambda session, event, form: corrections.correct_event(
            session,
            event_id=event.id,
            status=form.status.data,
            reason=form.reason.data or "",
            effective_date=form.effective_date.data,
            expected_version=_expected_version(form),
            actor=current_user,
            now=now(),
        ),
        _("Registreringen er rettet."),
    )


@bp.route("/places/<id:place_id>/events/<id:event_id>/void", methods=["POST"])
@roles_required(*EDIT_ROLES)
def void(place_id: int, event_id: int) -> ResponseReturnValue:
    return _change_event(
        place_id,
        event_id,
        VoidForm,
        "void",
        lambda session, event, form: corrections.void_event(
            session,
            event_id=event.id,
            reason=form.reason.data or "",
            expected_version=_expected_version(form),
            actor=current_user,
            now=now(),
        ),
        _("Registreringen er annulleret."),
    )
