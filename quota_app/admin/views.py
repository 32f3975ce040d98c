"""Pages for departments (mayors, HR contacts) and placement types. BIF and admin may edit both."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.views import roles_required
from ..core import loading
from ..i18n import _
from ..web import db_session, now, saved_change
from . import services
from .forms import DepartmentForm, EditTypeForm, NewTypeForm, TypeActionForm

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")
# BIF keeps mayors' addresses and the list of types current (they send the reports and set targets);
# admins may do the same. HR users may not.
EDITORS = ("bif", "admin")


@bp.route("/departments")
@roles_required(*EDITORS)
def departments() -> ResponseReturnValue:
    return render_template("admin/departments.html", departments=services.list_departments(db_session()))


@bp.route("/departments/<id:department_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_department(department_id: int) -> ResponseReturnValue:
    department = loading.department_or_404(department_id)
    form = DepartmentForm(obj=department)
    if saved_change(
        form,
        services.update_department,
        _("Forvaltningen er gemt."),
        department_id=department_id,
        code=form.code.data,
        name=form.name.data,
        mayor_title=form.mayor_title.data or "",
        mayor_name=form.mayor_name.data or "",
        mayor_email=form.mayor_email.data or "",
        hr_emails=form.hr_emails.data or "",
        active=form.active.data,
    ):
        return redirect(url_for("admin.departments"))
    return render_template("admin/department_edit.html", form=form, department=department)


@bp.route("/types", methods=["GET", "POST"])
@roles_required(*EDITORS)
def types() -> ResponseReturnValue:
    session = db_session()
    form = NewTypeForm()
    if saved_change(
        form,
        services.add_type,
        _("Ordningen er tilføjet."),
        code=form.code.data,
        name_da=form.name_da.data,
        name_en=form.name_en.data,
        measure=form.measure.data,
        target_unit=form.target_unit.data,
    ):
        return redirect(url_for("admin.types"))
    return render_template(
        "admin/types.html", form=form, types=services.list_types(session), action_form=TypeActionForm()
    )


@bp.route("/types/<id:type_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_type(type_id: int) -> ResponseReturnValue:
    placement_type = loading.placement_type_or_404(type_id)
    form = EditTypeForm(obj=placement_type)
    if saved_change(
        form,
        services.update_type,
        _("Ordningen er gemt."),
        type_id=type_id,
        name_da=form.name_da.data,
        name_en=form.name_en.data,
        target_unit=form.target_unit.data,
    ):
        return redirect(url_for("admin.types"))
    return render_template("admin/type_edit.html", form=form, placement_type=placement_type)


@bp.route("/types/<id:type_id>/action", methods=["POST"])
@roles_required(*EDITORS)
def type_action(type_id: int) -> ResponseReturnValue:
    form = TypeActionForm()
    if not form.validate_on_submit() or form.action.data not in ("retire", "activate", "up", "down"):
        abort(400)
    placement_type = loading.placement_type_or_404(type_id)
    session = db_session()
    if form.action.data in ("retire", "activate"):
        services.set_type_active(
            session,
            type_id=placement_type.id,
            active=form.action.data == "activate",
            actor=current_user,
            now=now(),
        )
    else:
        services.move_type(
            session,
            type_id=placement_type.id,
            direction=-1 if form.action.data == "up" else 1,
            actor=current_user,
            now=now(),
        )
    session.commit()
    flash(_("Ordningerne er opdateret."), "success")
    return redirect(url_for("admin.types"))
