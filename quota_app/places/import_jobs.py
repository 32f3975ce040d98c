"""A browser import's preview and save run as background jobs; their page shows the progress and the outcome.

Uploading starts the upload's preview job; its page (/places/import/jobs/<id>, polling <id>.json) leads to
the preview when it is done. POST /places/import/<token>/confirm creates the upload's one save job (a second
confirm finds it) and leads to its page. No request reads or saves a large file itself. The steps are the
services of quota_app.imports.workflow.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.views import roles_required
from ..core import loading
from ..imports import leases, workflow
from ..imports import web as import_web
from ..models import ImportJob
from ..web import database, db_session, localized, now
from .blueprint import EDIT_ROLES, VIEW_ROLES
from .forms import ConfirmImportForm
from .import_views import _go_to

bp = Blueprint("import_jobs", __name__, template_folder="templates")

FINISHED = ("done", "failed")


@bp.route("/places/import/<token>/confirm", methods=["POST"])
@roles_required(*EDIT_ROLES)
def confirm(token: str) -> ResponseReturnValue:
    token = loading.upload_token_or_404(token)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    session = db_session()
    with loading.found_or_404():
        job = workflow.confirm(
            session,
            store=import_web.upload_store(),
            token=token,
            user=current_user,
            browser_tokens=import_web.remembered_uploads(),
            now=now(),
        )
    session.commit()
    job_id = job.id  # a second confirm (double click, second tab) goes to the same job
    import_web.runner().kick()
    return _go_to(url_for("import_jobs.page", job_id=job_id))


def _visible_job(job_id: int) -> ImportJob:
    session = db_session()
    with loading.found_or_404():
        job = workflow.visible_job(
            session, db=database(), folder=import_web.folder(), job_id=job_id, user=current_user, now=now()
        )
    if job.state == "queued":
        import_web.runner().kick()  # whoever looks makes sure it runs, even with the scheduler down
        session.refresh(job)
    return job


def _view(job: ImportJob) -> dict:
    data = leases.status(job, import_web.folder())
    data["error"] = localized(job.error) if job.error is not None else None
    data["finished"] = job.state in FINISHED
    data["places_url"] = url_for("places.list")
    return data


@bp.route("/places/import/jobs/<id:job_id>")
@roles_required(*VIEW_ROLES)
def page(job_id: int) -> ResponseReturnValue:
    job = _visible_job(job_id)
    if job.kind == "preview" and job.state == "done":
        return redirect(url_for("places.import_preview", token=job.token))
    return render_template("places/import_job.html", job=job, status=_view(job))


@bp.route("/places/import/jobs/<id:job_id>.json")
@roles_required(*VIEW_ROLES)
def status_json(job_id: int) -> ResponseReturnValue:
    response = jsonify(_view(_visible_job(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response
