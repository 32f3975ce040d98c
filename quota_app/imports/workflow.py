"""A browser import's way: upload → preview → confirm, and a look at its jobs (docs/files.md §3).

Uploading keeps the file (`uploads.UploadStore`) and queues its preview job, the dry run; the preview is
kept with the upload when that job is done. Confirming queues the upload's one save job (a second confirm
finds the first). An upload is its uploader's, from the browser that uploaded it: whoever else asks gets
NotFound, as for a token that never existed. The jobs themselves run in `jobs.Runner`.

Services in the house style: a session, keyword arguments, an explicit user and clock reading; they flush
and leave the commit (and setting the runner going) to the caller. `visible_job` is the exception that
looks at a running job's lease through the Database, as `jobs.recover` does.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from ..auth.services import ensure_department_access
from ..db import Database
from ..errors import NotFound
from ..models import ImportJob, User
from ..texts import N_
from . import jobs
from .uploads import StoredUpload, UploadStore

NO_UPLOAD = N_("Den uploadede fil findes ikke.")
NOTHING_TO_CONFIRM = N_("Der er ingen gennemset fil uden fejl at gemme.")
NO_JOB = N_("Importen findes ikke.")
MAX_ID = (
    2**31 - 1
)  # an integer key on both engines: larger ids do not exist (and PostgreSQL would refuse them)


def receive(
    session: Session,
    *,
    store: UploadStore,
    data: bytes,
    filename: str,
    user: User,
    department_id: int,
    now: datetime,
) -> tuple[StoredUpload, ImportJob]:
    """Keep an uploaded file and queue its preview (the dry run); return the upload and its preview job."""
    upload = store.save(data, filename=filename, user_id=user.id, department_id=department_id, now=now)
    job, _new = jobs.create_job(
        session,
        token=upload.token,
        kind="preview",
        filename=upload.filename,
        user_id=user.id,
        department_id=upload.department_id,
        rows_total=0,
        now=now,
    )
    return upload, job


def own_upload(
    store: UploadStore, token: str, *, user: User, browser_tokens: Collection[str]
) -> StoredUpload:
    """The upload with its preview, for its uploader in the browser that uploaded it; NotFound otherwise."""
    try:
        upload = store.load_meta(token)
    except KeyError:
        raise NotFound(NO_UPLOAD) from None
    if upload.user_id != user.id or upload.department_id != user.department_id:
        raise NotFound(NO_UPLOAD)
    if upload.token not in browser_tokens:
        raise NotFound(NO_UPLOAD)
    return upload


def preview_job(session: Session, token: str) -> ImportJob:
    """The upload's preview job (its page shows how far the dry run has come)."""
    job = jobs.job_for_token(session, token, "preview")
    if job is None:
        raise NotFound(NO_JOB)
    return job


def confirm(
    session: Session,
    *,
    store: UploadStore,
    token: str,
    user: User,
    browser_tokens: Collection[str],
    now: datetime,
) -> ImportJob:
    """Queue the save of a previewed upload without errors; a second confirm returns the first one's job."""
    job = jobs.job_for_token(session, token)
    if job is not None and job.user_id == user.id:
        return job  # a double click, a second tab
    upload = own_upload(store, token, user=user, browser_tokens=browser_tokens)
    if job is not None:
        return job
    if not upload.preview or upload.preview.get("errors"):
        raise NotFound(NOTHING_TO_CONFIRM)  # not previewed yet, or a file with errors (never kept)
    try:
        store.load(token)
    except KeyError:
        raise NotFound(NOTHING_TO_CONFIRM) from None
    job, _new = jobs.create_job(
        session,
        token=token,
        filename=upload.filename,
        user_id=user.id,
        department_id=upload.department_id,
        rows_total=int(upload.preview.get("rows_read") or 0),
        now=now,
    )
    return job


def visible_job(
    session: Session, *, db: Database, folder: Path, job_id: int, user: User, now: datetime
) -> ImportJob:
    """The job, after a look at whether its worker is gone; NotFound for another department's HR."""
    job = session.get(ImportJob, job_id) if 0 < job_id <= MAX_ID else None
    if job is None:
        raise NotFound(NO_JOB)
    ensure_department_access(user, job.department_id)
    if job.state == "running" and jobs.recover(db, folder, now=now, job_ids=[job.id]):
        session.refresh(job)
    return job
