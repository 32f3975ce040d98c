"""Sign-in, sign-out and the role guard every feature uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import converters
from ..extensions import limiter, login_manager
from ..i18n import _
from ..models import User
from ..web import db_session, now
from . import services
from .forms import LoginForm

bp = Blueprint("auth", __name__, template_folder="templates")

login_manager.login_view = "auth.login"
login_manager.login_message = _("Log ind for at se siden.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if not converters.is_id(user_id):
        return None
    user = db_session().get(User, converters.parse_id(user_id))
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str | None:
    """Return target if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def roles_required(*roles: str) -> Callable:
    """Let only signed-in users with one of these roles through (403 for others)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _login_limit() -> str:
    return current_app.config["QUOTA_SETTINGS"].login_rate_limit


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("core.start"))
    form = LoginForm()
    if form.validate_on_submit():
        session = db_session()
        user = services.authenticate(session, email=form.email.data, password=form.password.data, now=now())
        if user is not None:
            session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("core.start"))
        form.password.errors.append(_("Forkert e-mail eller adgangskode."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    flash(_("Du er logget ud."), "info")
    return redirect(url_for("auth.login"))
