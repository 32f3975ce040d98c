"""Pages where a user creates (secret shown once) and revokes personal API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..i18n import _
from ..web import db_session, localized, now
from . import services
from .forms import CreateTokenForm, RevokeTokenForm

bp = Blueprint("tokens", __name__, template_folder="templates", url_prefix="/tokens")


@bp.route("/", methods=["GET", "POST"])
@roles_required("hr", "bif", "admin")
def index() -> ResponseReturnValue:
    session = db_session()
    form = CreateTokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            _token, secret = services.create_token(
                session, user=current_user, name=form.name.data or "", actor=current_user, now=now()
            )
        except DomainError as exc:
            session.rollback()
            form.name.errors = [*form.name.errors, localized(exc)]
        else:
            session.commit()
            form = CreateTokenForm(formdata=None)
    response = render_template(
        "tokens/index.html",
        form=form,
        secret=secret,
        tokens=services.user_tokens(session, user=current_user),
        revoke_form=RevokeTokenForm(),
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/<id:token_id>/revoke", methods=["POST"])
@roles_required("hr", "bif", "admin")
def revoke(token_id: int) -> ResponseReturnValue:
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    token = loading.token_or_404(token_id)
    session = db_session()
    services.revoke_token(session, token_id=token.id, user=current_user, actor=current_user, now=now())
    session.commit()
    flash(_("Nøglen er tilbagekaldt."), "success")
    return redirect(url_for("tokens.index"))
