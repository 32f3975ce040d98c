"""A place's representative statement: the form (HR) and the PDF (whoever may see the place), on the
compliance blueprint (views.py imports this module)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..i18n import _
from ..models import Place, PlacementType
from ..web import db_session, localized, now, today
from .blueprint import bp
from .forms import StatementForm
from .statements import MAX_PDF_BYTES, check_pdf, place_compliance, save_statement, statement_for


def _page(place: Place, form: StatementForm, status_code: int = 200) -> ResponseReturnValue:
    session = db_session()
    facts = place_compliance(session, place=place, day=today(), now=now())
    return (
        render_template(
            "compliance/statement.html",
            place=place,
            facts=facts,
            form=form,
            placement_type=session.get(PlacementType, place.type_id),
            can_edit=current_user.role == "hr",
        ),
        status_code,
    )


@bp.route("/plads/<id:place_id>/udtalelse", methods=["GET", "POST"])
@roles_required("hr", "bif", "admin")
def statement(place_id: int) -> ResponseReturnValue:
    place = loading.place_or_404(place_id)
    session = db_session()
    existing = statement_for(session, place_id=place.id)
    form = StatementForm(obj=existing) if existing is not None else StatementForm()
    if not form.is_submitted():
        return _page(place, form)
    if current_user.role != "hr":
        return _page(place, form, 403)
    if form.validate_on_submit():
        upload = form.pdf.data
        pdf = (
            upload.read(MAX_PDF_BYTES + 1)
            if upload is not None and getattr(upload, "filename", None)
            else None
        )
        try:
            if pdf is not None:
                check_pdf(pdf)
            save_statement(
                session,
                place_id=place.id,
                statement_date=form.statement_date.data,
                representative_role=form.representative_role.data or "",
                net_addition=bool(form.net_addition.data),
                no_vacated_post=bool(form.no_vacated_post.data),
                pdf=pdf,
                actor=current_user,
                now=now(),
            )
            session.commit()
        except DomainError as error:
            session.rollback()
            target = getattr(form, error.field or "", None)
            if target is not None and hasattr(target, "errors") and error.field != "csrf_token":
                target.errors = [*target.errors, localized(error)]
            else:
                form.form_errors.append(localized(error))
        else:
            flash(_("Udtalelsen er gemt."), "success")
            return redirect(url_for("compliance.statement", place_id=place.id))
    return _page(place, form, 422)


@bp.route("/plads/<id:place_id>/udtalelse.pdf")
@roles_required("hr", "bif", "admin")
def statement_pdf(place_id: int) -> ResponseReturnValue:
    place = loading.place_or_404(place_id)
    found = statement_for(db_session(), place_id=place.id)
    if found is None or not found.pdf_data:
        return Response(status=404)
    response = Response(found.pdf_data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="udtalelse-{place.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
