"""The administrators' pages for user accounts: the list, a new user, a user (role, department, sign-in
link, deactivation). Only administrators may use them; nobody sees or types another person's password."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import Session

from .. import converters
from ..admin.services import list_departments
from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..i18n import _
from ..models import User
from ..web import db_session, localized, now, saved, show_error
from . import links, mailing, services
from .forms import EditUserForm, NewUserForm, UserActionForm, UserFilterForm

bp = Blueprint("users", __name__, template_folder="templates", url_prefix="/admin/users")
ACTIONS = ("link", "deactivate", "activate")


def _base_url() -> str:
    """Where links in mails point: the configured address, else the one the administrator is using."""
    return current_app.config["QUOTA_SETTINGS"].base_url or request.url_root


def _mail_link(session: Session, user: User) -> bool:
    """Mail user a new sign-in link; flash why when it could not be sent (False)."""
    try:
        mailing.send_sign_in_link(session, user=user, base_url=_base_url(), actor=current_user, now=now())
    except DomainError as exc:
        session.rollback()
        flash(localized(exc), "error")
        return False
    except mailing.MailError as exc:
        current_app.logger.warning("sign-in link to user %s not sent: %s", user.id, exc.message)
        flash(_("Mailen kunne ikke sendes, så linket virker ikke: %(error)s", error=exc.message), "error")
        return False
    return True


@bp.route("")
@roles_required("admin")
def index() -> ResponseReturnValue:
    session = db_session()
    departments = list_departments(session)
    form = UserFilterForm(request.args, departments=departments)
    filters = form.filters()
    active = {"yes": True, "no": False}.get(filters.get("active", ""))
    result = services.list_users(
        session,
        text=filters.get("q"),
        role=filters.get("role"),
        department_id=int(filters["department"]) if "department" in filters else None,
        active=active,
        page=converters.int_or(request.args.get("page"), 1, low=1, high=converters.MAX_PAGE),
    )
    return render_template("users/list.html", form=form, filters=filters, result=result)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def new() -> ResponseReturnValue:
    session = db_session()
    form = NewUserForm(departments=list_departments(session))
    if form.validate_on_submit():
        try:
            user = services.create_user(
                session,
                email=form.email.data or "",
                name=form.name.data or "",
                role=form.role.data,
                department_id=form.department_id,
                actor=current_user,
                now=now(),
            )
        except DomainError as exc:
            session.rollback()
            show_error(form, exc)
        else:
            session.commit()
            if _mail_link(session, user):
                flash(
                    _(
                        "%(email)s er oprettet og har fået et link til at vælge adgangskode.",
                        email=user.email,
                    ),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(email)s er oprettet, men har ikke fået et link. Send et nyt herfra.",
                        email=user.email,
                    ),
                    "warning",
                )
            return redirect(url_for("users.detail", user_id=user.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("users/new.html", form=form), status


@bp.route("/<id:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def detail(user_id: int) -> ResponseReturnValue:
    session = db_session()
    user = loading.user_or_404(user_id)
    departments = list_departments(session)
    form = EditUserForm(obj=user, departments=departments)
    if request.method == "GET" and user.department_id:
        form.department.data = str(user.department_id)
    status = 200
    if form.validate_on_submit():
        if saved(
            session,
            form,
            lambda: services.update_user(
                session,
                user_id=user_id,
                name=form.name.data or "",
                role=form.role.data,
                department_id=form.department_id,
                actor=current_user,
                now=now(),
            ),
            _("Brugeren er gemt."),
        ):
            return redirect(url_for("users.detail", user_id=user_id))
        status = 422
        user = loading.user_or_404(user_id)
    elif request.method == "POST":
        status = 422
    return render_template(
        "users/detail.html",
        user=user,
        form=form,
        link=links.latest_link(session, user=user),
        history=services.history(session, user=user),
        departments={d.id: d for d in departments},
        now=now(),
    ), status


@bp.route("/<id:user_id>/action", methods=["POST"])
@roles_required("admin")
def action(user_id: int) -> ResponseReturnValue:
    form = UserActionForm()
    if not form.validate_on_submit() or form.action.data not in ACTIONS:
        abort(400)
    session = db_session()
    user = loading.user_or_404(user_id)
    if form.action.data == "link":
        if _mail_link(session, user):
            flash(
                _(
                    "Et nyt link er sendt til %(email)s. Tidligere links virker ikke længere.",
                    email=user.email,
                ),
                "success",
            )
        return redirect(url_for("users.detail", user_id=user_id))
    active = form.action.data == "activate"
    try:
        services.set_active(session, user=user, active=active, actor=current_user, now=now())
    except DomainError as exc:
        session.rollback()
        flash(localized(exc), "error")
    else:
        session.commit()
        flash(_("Brugeren er genaktiveret.") if active else _("Brugeren er deaktiveret."), "success")
    return redirect(url_for("users.detail", user_id=user_id))
