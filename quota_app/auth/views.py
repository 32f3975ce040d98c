"""Sign-in, sign-out and the role guard every feature uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from .. import converters
from ..errors import DomainError
from ..extensions import login_manager
from ..i18n import _
from ..models import User
from ..users import links
from ..web import database, db_session, localized, now, render_error
from . import services
from .forms import LoginForm, SetPasswordForm
from .oidc import provisioning
from .oidc.sessions import ID_TOKEN_KEY, provider_logout_url
from .throttle import LoginThrottle, ThrottleUnavailable

bp = Blueprint("auth", __name__, template_folder="templates")

login_manager.login_view = "auth.login"
login_manager.login_message = _("Log ind for at se siden.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """Load the user of a session or remember-me cookie ("id:session_version"), if still valid."""
    ident, _sep, version = user_id.partition(":")
    if not (converters.is_id(ident) and version.isascii() and version.isdigit() and len(version) < 10):
        return None
    user = db_session().get(User, converters.parse_id(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


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


def login_throttle() -> LoginThrottle:
    """The app's sign-in throttle, made on first use (a Redis client connects only when used)."""
    throttle = current_app.extensions.get("quota_login_throttle")
    if throttle is None:
        throttle = LoginThrottle.from_settings(current_app.config["QUOTA_SETTINGS"], database())
        current_app.extensions["quota_login_throttle"] = throttle
    return throttle


def _refused(error: TooManyRequests | ServiceUnavailable, retry_after: int) -> ResponseReturnValue:
    return render_error(error.code or 500, error, headers={"Retry-After": str(retry_after)})


def _start_new_session() -> None:
    """Drop everything the anonymous session held (no fixation) and get a new CSRF token."""
    language = session.get("lang")
    session.clear()
    g.pop("csrf_token", None)
    if language is not None:
        session["lang"] = language


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("core.start"))
    settings = current_app.config["QUOTA_SETTINGS"]
    form = LoginForm()
    page = {"oidc_enabled": settings.oidc_enabled, "local_login": settings.local_login}
    if settings.local_login == "none" and request.method == "POST":  # passwords are switched off
        return render_template("auth/login.html", form=form, **page), 403
    if form.validate_on_submit():
        throttle = login_throttle()
        try:
            attempt = throttle.check(
                account=services.normalise_email(form.email.data or ""),
                address=request.remote_addr or "",
                now=now(),
            )
        except ThrottleUnavailable:
            current_app.logger.exception("the sign-in limits' storage cannot be reached")
            return _refused(ServiceUnavailable(), 30)
        if attempt.retry_after is not None:
            return _refused(TooManyRequests(), attempt.retry_after)
        db = db_session()
        user = services.authenticate(
            db, email=form.email.data or "", password=form.password.data or "", now=now()
        )
        if user is not None and settings.local_login == "admins" and user.role != "admin":
            db.rollback()  # a right password, but only the break-glass administrators may use one
            provisioning.record_refusal(
                db,
                reason="password_off",
                method="password",
                user=user,
                now=now(),
                address=request.remote_addr or "",
            )
            db.commit()
            user = None
        if user is not None:
            services.record_sign_in(db, user=user, now=now())
            db.commit()  # first: on SQLite the throttle's own transaction waits for this one's write lock
            throttle.succeeded(attempt)
            _start_new_session()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("core.start"))
        form.password.errors = [*form.password.errors, _("Forkert e-mail eller adgangskode.")]
    return render_template("auth/login.html", form=form, **page)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    db = db_session()
    services.sign_out(db, user=current_user._get_current_object(), now=now())
    db.commit()
    id_token = session.get(ID_TOKEN_KEY)
    _start_new_session()
    logout_user()
    flash(_("Du er logget ud."), "info")
    # Signed in with the organisation's login: end that session too, and come back here.
    return redirect(provider_logout_url(id_token) or url_for("auth.login"))


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
def sign_in_link(token: str) -> ResponseReturnValue:
    """Where a mailed sign-in link leads: its user chooses a password (the link is used up when saved)."""
    db = db_session()
    link = links.usable_link(db, token=token, now=now())
    headers = {"Cache-Control": "no-store"}
    if link is None:
        return render_template("auth/set_password.html", form=None, user=None), 404, headers
    user = db.get(User, link.user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            links.use_link(db, token=token, password=form.password.data or "", now=now())
        except DomainError as exc:
            db.rollback()
            if exc.field != "password":
                return render_template("auth/set_password.html", form=None, user=None), 404, headers
            form.password.errors = [*form.password.errors, localized(exc)]
        else:
            db.commit()
            if current_user.is_authenticated:
                logout_user()
            _start_new_session()
            flash(
                _("Din adgangskode er gemt. Log ind med din e-mailadresse og den nye adgangskode."), "success"
            )
            return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    page = render_template(
        "auth/set_password.html", form=form, user=user, min_length=services.MIN_PASSWORD_LENGTH
    )
    return page, status, headers
