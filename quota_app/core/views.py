"""The start page per role and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import refresh
from flask_login import current_user, login_required

from ..auth.views import safe_next
from ..forecast.scope import department_codes_for
from ..forecast.summary import EarlyWarning
from ..i18n import LANGUAGES
from ..monitor.forecasting import early_warning_for
from ..monitor.measure import placement_types
from ..monitor.presenters import locale
from ..web import db_session, local_zone, now
from . import loading, navigation, schedules

bp = Blueprint("core", __name__, template_folder="templates")
bp.record_once(lambda state: navigation.init_app(state.app))


@bp.route("/")
@login_required
def start() -> ResponseReturnValue:
    timetable = (
        schedules.schedules(current_app.config["QUOTA_SETTINGS"], now=now())
        if current_user.role == "admin"
        else []
    )
    warning = _own_early_warning() if current_user.role == "hr" else None
    return render_template(
        f"core/start_{current_user.role}.html",
        department=loading.own_department(),
        schedules=timetable,
        warning=warning,
        type_names={t.code: t.name(locale()) for t in placement_types(db_session())} if warning else {},
    )


def _own_early_warning() -> EarlyWarning | None:
    """HR's own lines of today's early warning (the overview's cached result, narrowed); None without a
    department."""
    session = db_session()
    codes = department_codes_for(session, user=current_user)
    if not codes:
        return None
    return early_warning_for(session, now=now(), zone=local_zone(), department_codes=codes)


@bp.route("/tilgaengelighed")
def accessibility() -> ResponseReturnValue:
    """The app's own page about its accessibility (the footer links here unless the municipality's
    statement is configured: QUOTA_ACCESSIBILITY_STATEMENT_URL)."""
    return render_template("core/accessibility.html")


@bp.route("/language", methods=["POST"])
def set_language() -> ResponseReturnValue:
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400)
    session["lang"] = lang
    refresh()  # the choice applies to anything rendered later in this app context
    return redirect(safe_next(request.form.get("next")) or url_for("core.start"))
