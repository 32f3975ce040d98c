"""Uploading a file of places: the upload page, its preview and the file templates.

The preview and the save run as background jobs (import_jobs.py); the file waits in uploads.py meanwhile.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Response, abort, current_app, jsonify, redirect, render_template, request
from flask import session as flask_session
from flask_login import current_user
from openpyxl import Workbook

from ..auth.views import roles_required
from ..core import loading
from ..web import now
from .blueprint import EDIT_ROLES, VIEW_ROLES, bp
from .forms import ConfirmImportForm, ImportForm
from .uploads import UploadStore

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


def _uploads() -> UploadStore:
    return UploadStore(Path(current_app.instance_path) / "imports")


@bp.route("/places/import", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def import_upload():  # type: ignore[no-untyped-def]
    department = loading.own_department_or_404()
    form = ImportForm()
    if not form.validate_on_submit():
        status_code = 422 if form.is_submitted() else 200
        return render_template("places/import_upload.html", form=form, department=department), status_code
    data = form.file.data.read()
    upload = _uploads().save(
        data,
        filename=form.file.data.filename or "upload.csv",
        user_id=current_user.id,
        department_id=department.id,
        now=now(),
    )
    _remember_token(upload.token)
    from .import_jobs import start_preview  # it imports this module

    return _go_to(start_preview(upload))


def _go_to(location: str):  # type: ignore[no-untyped-def]
    """Redirect; the progress script posts with XMLHttpRequest and navigates itself (flash kept for it)."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return jsonify(location=location)
    return redirect(location)


def _remember_token(token: str) -> None:
    """Bind an upload to this browser session: only the token goes in the cookie, never the file."""
    tokens = [t for t in flask_session.get("import_tokens", []) if t != token][-4:]
    flask_session["import_tokens"] = [*tokens, token]


def _check_owner(upload) -> None:  # type: ignore[no-untyped-def]
    if upload.user_id != current_user.id or upload.department_id != current_user.department_id:
        abort(404)
    if upload.token not in flask_session.get("import_tokens", []):
        abort(404)


def _own_upload(token: str):  # type: ignore[no-untyped-def]
    try:
        upload, data = _uploads().load(token)
    except KeyError:
        abort(404)
    _check_owner(upload)
    return upload, data


@bp.route("/places/import/<token>", methods=["GET"])
@roles_required(*EDIT_ROLES)
def import_preview(token: str):  # type: ignore[no-untyped-def]
    try:
        upload = _uploads().load_meta(token)
    except KeyError:
        abort(404)
    _check_owner(upload)
    if not upload.preview:  # its preview job has not finished yet
        from .import_jobs import preview_job_url

        return redirect(preview_job_url(token))
    return render_template("places/import_preview.html", upload=upload, form=ConfirmImportForm(), result=None)


# Confirming starts a background job: see import_jobs.py.


@bp.route("/places/import/template.<fmt>")
@roles_required(*VIEW_ROLES)
def import_template(fmt: str):  # type: ignore[no-untyped-def]
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
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(TEMPLATE_HEADER_DA)
        writer.writerow(example)
        return Response(
            "\ufeff" + buffer.getvalue(),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=pladser-skabelon.csv"},
        )
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
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
    abort(404)
