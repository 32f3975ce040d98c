"""Uploading a file of places: the upload page, its preview and the file templates.

The preview and the save run as background jobs (import_jobs.py); the steps are the services of
quota_app.imports.workflow, the upload store and runner those of quota_app.imports.web.
"""

from __future__ import annotations

import io

from flask import Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from openpyxl import Workbook

from .. import converters
from ..auth.views import roles_required
from ..core import loading
from ..csv_writer import write_csv
from ..imports import web as import_web
from ..imports import workflow
from ..web import db_session, now
from .blueprint import EDIT_ROLES, VIEW_ROLES, bp
from .forms import ConfirmImportForm, ImportForm

CHANGES_PER_PAGE = 50  # the preview's list of what saving writes, a page at a time
TEMPLATE_HEADER = (
    "reference",
    "department",
    "type",
    "status",
    "effective_date",
    "unit",
    "title",
    "fte",
    "note",
)
TEMPLATE_HEADER_DA = (
    "reference",
    "forvaltning",
    "ordning",
    "status",
    "dato",
    "enhed",
    "titel",
    "årsværk",
    "note",
)


@bp.route("/places/import", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def import_upload() -> ResponseReturnValue:
    department = loading.own_department_or_404()
    form = ImportForm()
    if not form.validate_on_submit():
        status_code = 422 if form.is_submitted() else 200
        return render_template("places/import_upload.html", form=form, department=department), status_code
    session = db_session()
    upload, job = workflow.receive(
        session,
        store=import_web.upload_store(),
        data=form.file.data.read(),
        filename=form.file.data.filename or "upload.csv",
        user=current_user,
        department_id=department.id,
        now=now(),
    )
    session.commit()
    import_web.remember_upload(upload.token)
    job_id = job.id
    import_web.runner().kick()
    return _go_to(url_for("import_jobs.page", job_id=job_id))


def _go_to(location: str) -> ResponseReturnValue:
    """Redirect; the progress script posts with XMLHttpRequest and navigates itself (flash kept for it)."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return jsonify(location=location)
    return redirect(location)


@bp.route("/places/import/<token>", methods=["GET"])
@roles_required(*EDIT_ROLES)
def import_preview(token: str) -> ResponseReturnValue:
    with loading.found_or_404():
        upload = workflow.own_upload(
            import_web.upload_store(),
            token,
            user=current_user,
            browser_tokens=import_web.remembered_uploads(),
        )
        if not upload.preview:  # its preview job has not finished yet
            return redirect(url_for("import_jobs.page", job_id=workflow.preview_job(db_session(), token).id))
    changes = upload.preview.get("changes") or []
    pages = max(1, -(-len(changes) // CHANGES_PER_PAGE))
    page = converters.int_or(request.args.get("page"), 1, low=1, high=pages)
    start = (page - 1) * CHANGES_PER_PAGE
    return render_template(
        "places/import_preview.html",
        upload=upload,
        form=ConfirmImportForm(),
        result=None,
        changes=[_dated(c) for c in changes[start : start + CHANGES_PER_PAGE]],
        changes_total=len(changes),
        page=page,
        pages=pages,
    )


def _dated(change: dict) -> dict:
    """A listed change with its date as a date (the preview keeps it as ISO text)."""
    day = converters.parse_date(change["date"]) if change.get("date") else None
    return {**change, "date": day}


# Confirming starts a background job: see import_jobs.py.


@bp.route("/places/import/template.<fmt>")
@roles_required(*VIEW_ROLES)
def import_template(fmt: str) -> ResponseReturnValue:
    fmt = loading.file_format_or_404(fmt)
    department = loading.chosen_department_or_404()
    example = (
        f"{department.code}-2025-001",
        department.code,
        "Virksomhedspraktik",
        "åben",
        "01-09-2025",
        "",
        "Kontorpraktik",
        "1,0",
        "",
    )
    if fmt == "csv":
        return Response(
            write_csv(TEMPLATE_HEADER_DA, [example]),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=pladser-skabelon.csv"},
        )
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # the sheet a new workbook starts with
    sheet.title = "Pladser"
    sheet.append(TEMPLATE_HEADER_DA)
    sheet.append(example)
    out = io.BytesIO()
    workbook.save(out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=pladser-skabelon.xlsx"},
    )
