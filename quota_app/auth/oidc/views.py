"""/login/oidc sends the browser to the organisation's provider; /login/oidc/callback signs it in.

Both answer 404 while QUOTA_OIDC_ISSUER is unset. A provider that cannot be reached is 503 with
Retry-After; a refused sign-in is the refusal page (403 for who the person is, 400 for an answer that
does not check out), audited with its reason.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user
from sqlmodel import Session
from werkzeug.exceptions import ServiceUnavailable

from ...i18n import _
from ...web import database, localized, now, render_error
from ..views import _start_new_session, safe_next
from . import provisioning
from .client import OidcClient, ProviderUnavailable, TokenRefused
from .sessions import ID_TOKEN_KEY, keep_flow, oidc_client, take_flow

bp = Blueprint("oidc", __name__, template_folder="templates")

RETRY_AFTER_SECONDS = 30
# Refusals about the answer rather than the person: the flow is broken, stale or forged.
PROTOCOL_REASONS = {
    "provider_error": _("Login blev afbrudt eller afvist hos organisationens login."),
    "flow_expired": _("Det tog for lang tid at logge ind. Prøv igen."),
}


def _client() -> OidcClient:
    client = oidc_client()
    if client is None:
        abort(404)
    return client


def _callback_url() -> str:
    return url_for("oidc.callback", _external=True)


def _unavailable(error: ProviderUnavailable) -> ResponseReturnValue:
    current_app.logger.warning("the OpenID provider cannot be used: %s", error)
    return render_error(
        503,
        ServiceUnavailable(),
        explanation=str(_("Organisationens login svarer ikke lige nu. Prøv igen om lidt.")),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@bp.get("/login/oidc")
def start() -> ResponseReturnValue:
    client = _client()
    if current_user.is_authenticated:
        return redirect(url_for("core.start"))
    try:
        url, flow = client.begin(
            redirect_uri=_callback_url(), now=now(), next=safe_next(request.args.get("next"))
        )
    except ProviderUnavailable as error:
        return _unavailable(error)
    keep_flow(flow)
    return redirect(url)


@bp.get("/login/oidc/callback")
def callback() -> ResponseReturnValue:
    client = _client()
    flow = take_flow()
    settings = current_app.config["QUOTA_SETTINGS"]
    db = database().session(write=True)  # a GET that writes: the user, the audit
    try:
        try:
            identity = client.complete(
                flow=flow, params=request.args, redirect_uri=_callback_url(), now=now()
            )
            user = provisioning.sign_in(
                db,
                issuer=identity.issuer,
                subject=identity.subject,
                claims=identity.claims,
                role_claim=settings.oidc_role_claim,
                group_map=settings.oidc_groups,
                now=now(),
            )
        except ProviderUnavailable as error:
            return _unavailable(error)
        except TokenRefused as refusal:
            current_app.logger.warning("OpenID sign-in refused: %s", refusal)
            message = PROTOCOL_REASONS.get(
                refusal.reason, _("Login kunne ikke bekræftes. Prøv at logge ind igen.")
            )
            return _refused(db, refusal.reason, str(message), 400, detail=refusal.detail)
        except provisioning.SignInRefused as refusal:
            return _refused(
                db,
                refusal.reason,
                localized(refusal),
                refusal.status_code,
                user=refusal.user,
                subject=identity.subject,
                claims=identity.claims,
                role_claim=settings.oidc_role_claim,
            )
        db.commit()
        _start_new_session()
        session[ID_TOKEN_KEY] = identity.id_token
        login_user(user)
    finally:
        db.close()
    return redirect((flow.next if flow else None) or url_for("core.start"))


def _refused(db: Session, reason: str, message: str, status: int, **details: Any) -> ResponseReturnValue:
    """Audit the refusal (nothing else of the attempt is kept) and say why on the refusal page."""
    db.rollback()
    provisioning.record_refusal(
        db, reason=reason, method="oidc", now=now(), address=request.remote_addr or "", **details
    )
    db.commit()
    return render_template("oidc/refused.html", message=message, reason=reason), status
