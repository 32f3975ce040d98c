"""HR writes the department's half-yearly shortfall explanation; BIF reads every department's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import select

from .. import web
from ..auth.services import can_see_all_departments
from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..formatting import period_name
from ..i18n import _
from ..models import Department, PlacementType
from ..periods import Period, half_year_of, last_completed_half_year
from ..reconcile.figures import reconcile
from ..web import db_session, localized, now, reader_language
from . import services
from .forms import CommentForm

bp = Blueprint("comments", __name__, template_folder="templates")


def _period_choices() -> list[Period]:
    """The current half-year and the four before it, newest first."""
    period = half_year_of(web.today())
    choices = [period]
    for _i in range(4):
        period = period.previous()
        choices.append(period)
    return choices


@bp.route("/comments/", methods=["GET", "POST"])
@bp.route("/comments/<period>", methods=["GET", "POST"])
@roles_required("hr", "bif", "admin")
def edit(period: str | None = None) -> ResponseReturnValue:
    session = db_session()
    department = loading.chosen_department_or_404()
    if period is None:
        last = last_completed_half_year(web.today())
        existing = services.get_comment(session, period=last, department_id=department.id)
        chosen = last if existing is None or existing.locked_at is None else half_year_of(web.today())
        return redirect(url_for("comments.edit", period=chosen.label, **_dept_arg(department)))
    chosen = loading.period_or_404(period, half_year=True)
    comment = services.get_comment(session, period=chosen, department_id=department.id)
    can_edit = current_user.role == "hr" and (comment is None or comment.locked_at is None)
    form = CommentForm(obj=comment)
    status_code = 200
    if request.method == "POST":
        if current_user.role != "hr":
            abort(403)
        status_code = 422
        if form.validate_on_submit():
            try:
                services.save_comment(
                    session,
                    period=chosen,
                    department_id=department.id,
                    text=form.text.data or "",
                    actor=current_user,
                    now=now(),
                )
                session.commit()
            except DomainError as error:
                session.rollback()
                form.text.errors = [*form.text.errors, localized(error)]
                comment = services.get_comment(session, period=chosen, department_id=department.id)
                if comment is not None and comment.locked_at is not None:
                    status_code = 409
            else:
                flash(
                    _("Kommentaren for %(period)s er gemt.", period=period_name(chosen, reader_language())),
                    "success",
                )
                return redirect(url_for("comments.edit", period=chosen.label))
    others = (
        services.comments_for_period(session, period=chosen) if can_see_all_departments(current_user) else []
    )
    names = {d.id: d.name for d in session.exec(select(Department)).all()}
    # The figures the comment explains: the period's end, or today while the period is still running.
    today = web.today()
    figures = (
        reconcile(session, period=chosen, known_at=now(), department_codes=[department.code])
        if chosen.end <= today
        else reconcile(session, as_of=today, known_at=now(), department_codes=[department.code])
    )
    types = {t.code: t for t in session.exec(select(PlacementType)).all()}
    return (
        render_template(
            "comments/edit.html",
            form=form,
            comment=comment,
            department=department,
            period=chosen,
            periods=_period_choices(),
            can_edit=can_edit,
            others=others,
            names=names,
            figures=figures,
            figures_day=min(chosen.end, today),
            types=types,
        ),
        status_code,
    )


def _dept_arg(department: Department) -> dict:
    return {"department": department.code} if can_see_all_departments(current_user) else {}
