"""Half-yearly status reports in the browser: preview, download, and download as final (archived)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import select

from reports import services as report_services

from ..auth.services import can_see_all_departments, scope_to_user
from ..auth.views import roles_required
from ..core.loading import archived_report_or_404, department_by_code_or_404, period_or_404
from ..dispatch.report_source import APP_EXTENSION
from ..models import MUNICIPALITY_SCOPE, Department
from ..periods import Period, last_completed_half_year, parse_period
from ..web import db_session, now, today
from .forms import PeriodForm

bp = Blueprint("reports", __name__, url_prefix="/rapporter", template_folder="templates")
# The app's dispatch (the "Send" page and `quota dispatch`) builds the reports it sends with these.
bp.record_once(lambda state: state.app.extensions.setdefault(APP_EXTENSION, report_services.report_source()))


def _pdf_response(pdf: bytes, filename: str, *, attachment: bool) -> Response:
    response = send_file(
        io.BytesIO(pdf), mimetype="application/pdf", as_attachment=attachment, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _filename(period: Period, scope: str) -> str:
    return f"halvaarsstatus-{period.label}-{scope}.pdf"


@bp.route("/")
@roles_required("hr", "bif", "admin")
def index() -> ResponseReturnValue:
    session = db_session()
    period = last_completed_half_year(today())
    form = PeriodForm(request.args, data={"period": period.label})
    if "period" in request.args and form.validate():
        period = parse_period(form.period.data or "")
    departments = session.exec(
        scope_to_user(
            select(Department).where(Department.active == True),  # noqa: E712
            Department.id,
            current_user,
        ).order_by(Department.sort, Department.code)
    ).all()
    all_departments = can_see_all_departments(current_user)
    scopes = [d.code for d in departments] + ([MUNICIPALITY_SCOPE] if all_departments else [])
    archived = report_services.list_archived(session, period=period, scopes=scopes)
    return render_template(
        "reports_web/index.html",
        period=period,
        form=form,
        departments=departments,
        can_finalise=all_departments,
        show_consolidated=all_departments,
        archived=archived,
    )


@bp.route("/<period>/<code>.pdf")
@roles_required("hr", "bif", "admin")
def department_pdf(period: str, code: str) -> ResponseReturnValue:
    chosen = period_or_404(period)
    session = db_session()
    department = department_by_code_or_404(code)
    pdf = report_services.build_department_report(
        session, period=chosen, department_code=department.code, known_at=now()
    )
    return _pdf_response(
        pdf, _filename(chosen, department.code), attachment=request.args.get("download") == "1"
    )


@bp.route("/<period>/<code>/endelig", methods=["POST"])
@roles_required("bif", "admin")
def department_final(period: str, code: str) -> ResponseReturnValue:
    chosen = period_or_404(period)
    session = db_session()
    at = now()
    department = department_by_code_or_404(code)
    entry = report_services.build_archived_report(
        session, period=chosen, department_code=department.code, known_at=at, actor=current_user, now=at
    )
    session.commit()
    return _pdf_response(entry.pdf, _filename(chosen, department.code), attachment=True)


@bp.route("/<period>/samlet.pdf")
@roles_required("bif", "admin")
def consolidated_pdf(period: str) -> ResponseReturnValue:
    chosen = period_or_404(period)
    pdf = report_services.build_consolidated_report(db_session(), period=chosen, known_at=now())
    return _pdf_response(
        pdf, _filename(chosen, MUNICIPALITY_SCOPE), attachment=request.args.get("download") == "1"
    )


@bp.route("/<period>/samlet/endelig", methods=["POST"])
@roles_required("bif", "admin")
def consolidated_final(period: str) -> ResponseReturnValue:
    chosen = period_or_404(period)
    session = db_session()
    at = now()
    entry = report_services.build_archived_report(
        session, period=chosen, department_code=None, known_at=at, actor=current_user, now=at
    )
    session.commit()
    return _pdf_response(entry.pdf, _filename(chosen, MUNICIPALITY_SCOPE), attachment=True)


@bp.route("/arkiv/<id:archive_id>.pdf")
@roles_required("hr", "bif", "admin")
def archived_pdf(archive_id: int) -> ResponseReturnValue:
    entry = archived_report_or_404(archive_id)
    return _pdf_response(entry.pdf, _filename(parse_period(entry.period), entry.scope), attachment=True)
