"""A browser import's preview and save run as background jobs; their page shows the progress and the outcome.

Uploading starts the upload's preview job; its page (/places/import/jobs/<id>, polling <id>.json) leads to
the preview when it is done. POST /places/import/<token>/confirm creates the upload's one save job (a second
confirm finds it) and leads to its page. No request reads or saves a large file itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user

from ..auth.views import roles_required
from ..core import loading
from ..imports import jobs, leases
from ..imports.background import BackgroundRunner
from ..imports.limits import ImportLimits
from ..models import ImportJob
from ..web import clock, database, db_session, localized, now
from .blueprint import EDIT_ROLES, VIEW_ROLES
from .forms import ConfirmImportForm
from .import_views import _check_owner, _go_to, _uploads
from .uploads import StoredUpload, valid_token

bp = Blueprint("import_jobs", __name__, template_folder="templates")

FINISHED = ("done", "failed")


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _runner() -> BackgroundRunner:
    """This process's runner, made on first use (create_app stays free of side effects)."""
    runner = current_app.extensions.get("quota_import_runner")
    if runner is None:
        runner = current_app.extensions["quota_import_runner"] = BackgroundRunner(
            jobs.runner_for(
                database(),
                clock(),
                Path(current_app.instance_path),
                worker=f"web-{os.getpid()}",
                limits=ImportLimits.from_settings(current_app.config["QUOTA_SETTINGS"]),
            )
        )
    return runner


def _load_upload(token: str) -> bytes | None:
    try:
        return _uploads().load(token)[1]
    except KeyError:
        return None


def start_preview(upload: StoredUpload) -> str:
    """Queue the dry run of a new upload and set it going; return where the browser goes next."""
    session = db_session()
    job, _new = jobs.create_job(
        session,
        token=upload.token,
        kind="preview",
        filename=upload.filename,
        user_id=current_user.id,
        department_id=upload.department_id,
        rows_total=0,
        now=now(),
    )
    session.commit()
    job_id = job.id
    _runner().kick()
    return url_for("import_jobs.page", job_id=job_id)


def preview_job_url(token: str) -> str:
    job = jobs.job_for_token(db_session(), token, "preview")
    if job is None:
        abort(404)
    return url_for("import_jobs.page", job_id=job.id)


@bp.route("/places/import/<token>/confirm", methods=["POST"])
@roles_required(*EDIT_ROLES)
def confirm(token: str):  # type: ignore[no-untyped-def]
    if not valid_token(token):
        abort(404)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    session = db_session()
    job = jobs.job_for_token(session, token)
    if job is None or job.user_id != current_user.id:
        try:
            upload = _uploads().load_meta(token)
        except KeyError:
            abort(404)
        _check_owner(upload)
    if job is None:
        if not upload.preview or upload.preview.get("errors") or _load_upload(token) is None:
            abort(404)  # not previewed yet, or a file with errors (never kept): nothing to confirm
        job, _new = jobs.create_job(
            session,
            token=token,
            filename=upload.filename,
            user_id=current_user.id,
            department_id=upload.department_id,
            rows_total=int(upload.preview.get("rows_read") or 0),
            now=now(),
        )
        session.commit()
    job_id = job.id  # a second confirm (double click, second tab) goes to the same job
    _runner().kick()
    return _go_to(url_for("import_jobs.page", job_id=job_id))


def _visible_job(job_id: int) -> ImportJob:
    """The job, after a look at whether its worker is gone; 404 for another department's HR."""
    session = db_session()
    job = loading.import_job_or_404(job_id)
    if job.state == "running" and jobs.recover(database(), _folder(), now=now(), job_ids=[job.id]):  # type: ignore[list-item]
        session.refresh(job)
    if job.state == "queued":
        _runner().kick()  # whoever looks makes sure it runs, even with the scheduler down
        session.refresh(job)
    return job


def _view(job: ImportJob) -> dict:
    data = leases.status(job, _folder())
    data["error"] = localized(job.error) if job.error is not None else None
    data["finished"] = job.state in FINISHED
    data["places_url"] = url_for("places.list")
    return data


@bp.route("/places/import/jobs/<id:job_id>")
@roles_required(*VIEW_ROLES)
def page(job_id: int):  # type: ignore[no-untyped-def]
    job = _visible_job(job_id)
    if job.kind == "preview" and job.state == "done":
        return redirect(url_for("places.import_preview", token=job.token))
    return render_template("places/import_job.html", job=job, status=_view(job))


@bp.route("/places/import/jobs/<id:job_id>.json")
@roles_required(*VIEW_ROLES)
def status_json(job_id: int):  # type: ignore[no-untyped-def]
    response = jsonify(_view(_visible_job(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response
