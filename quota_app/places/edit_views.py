"""Editing a place: its page of forms (reference and title; unit and fte from a date) and voiding a dated
change of unit and fte. The services are those of editing.py; a refusal shows the page again (422), a
clash the place as it is now (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import Session

from .. import converters
from ..auth.views import roles_required
from ..core import loading
from ..errors import Conflict, DomainError
from ..form_fields import SelectChoice
from ..i18n import _
from ..models import Place, PlaceAttribute
from ..web import db_session, localized, now, today
from . import editing, queries
from .blueprint import EDIT_ROLES, bp, field_error
from .forms import AttributesForm, RenameForm, VoidAttributesForm


def _unit_choices(place: Place) -> list[SelectChoice]:
    units = queries.department_units(db_session(), place.department_id)
    return [SelectChoice("", _("Ingen enhed"))] + [SelectChoice(str(u.id), u.name) for u in units]


def _render(
    place: Place, *, status_code: int = 200, problem: str | None = None, **forms: Any
) -> ResponseReturnValue:
    rename = forms.get("rename") or RenameForm(
        formdata=None, version=place.version, reference=place.reference, title=place.title
    )
    attributes = forms.get("attributes") or AttributesForm(
        formdata=None,
        version=place.version,
        unit_id=str(place.unit_id or ""),
        fte=place.fte,
        effective_date=today(),
    )
    attributes.unit_id.choices = _unit_choices(place)
    history = queries.attribute_history(db_session(), place_id=place.id)
    void_forms = {
        item.id: forms.get(f"void_{item.id}")
        or VoidAttributesForm(formdata=None, prefix=f"a{item.id}", version=place.version)
        for item in history
        if not item.voided and not item.from_start
    }
    return (
        render_template(
            "places/edit.html",
            place=place,
            rename=rename,
            attributes=attributes,
            history=history,
            void_forms=void_forms,
            problem=problem,
        ),
        status_code,
    )


@bp.route("/places/<id:place_id>/edit")
@roles_required(*EDIT_ROLES)
def edit(place_id: int) -> ResponseReturnValue:
    return _render(loading.place_or_404(place_id))


def _version(form: RenameForm | AttributesForm | VoidAttributesForm) -> int | None:
    return converters.int_or((form.version.data or "").strip(), None, low=0)


def _apply(
    place: Place,
    form: RenameForm | AttributesForm | VoidAttributesForm,
    key: str,
    change: Callable[[Session], object],
    done: str,
) -> ResponseReturnValue:
    if not form.validate():
        shown: dict[str, Any] = {key: form}
        return _render(place, status_code=422, **shown)
    session = db_session()
    place_id = place.id
    try:
        change(session)
        session.commit()
    except DomainError as error:
        session.rollback()
        place = loading.place_or_404(place_id)
        session.refresh(place)
        if isinstance(error, Conflict):
            form.version.data = str(place.version)
            return _render(place, status_code=409, problem=localized(error), **{key: form})
        problem = None if field_error(form, error) else localized(error)
        return _render(place, status_code=422, problem=problem, **{key: form})
    flash(done, "success")
    return redirect(url_for("places.detail", place_id=place_id))


@bp.route("/places/<id:place_id>/edit", methods=["POST"])
@roles_required(*EDIT_ROLES)
def rename(place_id: int) -> ResponseReturnValue:
    place = loading.place_or_404(place_id)
    form = RenameForm()
    return _apply(
        place,
        form,
        "rename",
        lambda session: editing.rename_place(
            session,
            place_id=place.id,
            reference=(form.reference.data or "").strip(),
            title=(form.title.data or "").strip(),
            expected_version=_version(form),
            actor=current_user,
            now=now(),
        ),
        _("Reference og stillingsbetegnelse er gemt."),
    )


@bp.route("/places/<id:place_id>/attributes", methods=["POST"])
@roles_required(*EDIT_ROLES)
def change_attributes(place_id: int) -> ResponseReturnValue:
    place = loading.place_or_404(place_id)
    form = AttributesForm()
    form.unit_id.choices = _unit_choices(place)
    return _apply(
        place,
        form,
        "attributes",
        lambda session: editing.change_attributes(
            session,
            place_id=place.id,
            effective_date=form.effective_date.data,
            unit_id=int(form.unit_id.data) if form.unit_id.data else None,
            fte=form.fte.data,
            note=form.note.data or "",
            expected_version=_version(form),
            actor=current_user,
            now=now(),
        ),
        _("Enhed og årsværk er gemt fra den valgte dato."),
    )


@bp.route("/places/<id:place_id>/attributes/<id:attribute_id>/void", methods=["POST"])
@roles_required(*EDIT_ROLES)
def void_attributes(place_id: int, attribute_id: int) -> ResponseReturnValue:
    place = loading.place_or_404(place_id)
    row = db_session().get(PlaceAttribute, attribute_id)
    if row is None or row.place_id != place.id:
        abort(404)
    form = VoidAttributesForm(prefix=f"a{row.id}")
    return _apply(
        place,
        form,
        f"void_{row.id}",
        lambda session: editing.void_attributes(
            session,
            attribute_id=row.id,
            reason=form.reason.data or "",
            expected_version=_version(form),
            actor=current_user,
            now=now(),
        ),
        _("Ændringen af enhed og årsværk er annulleret."),
    )
