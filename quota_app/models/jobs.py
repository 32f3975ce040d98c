"""Background import jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from .base import TableModel, _in, _utc

IMPORT_JOB_STATES = ("queued", "running", "done", "failed")
IMPORT_JOB_KINDS = ("preview", "save")  # the dry run after an upload; the real import after confirming


class ImportJob(TableModel, table=True):
    """A browser import's preview or save, run in the background (quota_app/imports/jobs.py); one each per upload."""

    __tablename__ = "import_job"
    __table_args__ = (
        sa.UniqueConstraint("token", "kind"),  # a second confirm of the same upload finds the first job
        sa.CheckConstraint(_in("state", IMPORT_JOB_STATES), name="state_known"),
        sa.CheckConstraint(_in("kind", IMPORT_JOB_KINDS), name="kind_known"),
        sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        sa.Index("ix_import_job_state", "state"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    token: str = Field(max_length=64)  # the upload's (UploadStore)
    kind: str = Field(default="save", max_length=10)
    filename: str = Field(max_length=200)
    user_id: int = Field(foreign_key="user.id")
    department_id: int = Field(foreign_key="department.id")
    state: str = Field(default="queued", max_length=10)
    attempts: int = Field(default=0)
    rows_total: int = Field(default=0)
    rows_done: int = Field(default=0)
    claimed_by: str | None = Field(default=None, max_length=100)
    started_at: datetime | None = _utc(nullable=True)
    finished_at: datetime | None = _utc(nullable=True)
    result: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON(), nullable=True)
    )  # the counts
    error: Any = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))  # texts.to_data
    created_at: datetime = _utc()
