"""Department comments, archived reports, their links, the dispatch ledger and editable texts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from .base import DAY_KINDS, DISPATCH_KINDS, DISPATCH_STATES, PERIOD_KINDS, TableModel, _in, _utc


class DepartmentComment(TableModel, table=True):
    __tablename__ = "department_comment"
    __table_args__ = (sa.UniqueConstraint("period", "department_id"),)

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    period: str = Field(max_length=10)
    department_id: int = Field(foreign_key="department.id")
    text: str = Field(default="", max_length=10000)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = _utc()
    locked_at: datetime | None = _utc(nullable=True)


class ReportArchive(TableModel, table=True):
    __tablename__ = "report_archive"
    __table_args__ = (sa.Index("ix_report_archive_lookup", "period", "scope", "known_at"),)

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    period: str = Field(max_length=10)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    scope: str = Field(max_length=10)  # department code, or MUNICIPALITY_SCOPE for the consolidated report
    known_at: datetime = _utc()
    pdf: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    sha256: str = Field(max_length=64)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    # The figures the PDF was rendered from (reports.stored), for its HTML twin and the mail's verdict
    # ("verdict": level, fulfilment_pct, counted, target, short, behind); None before migration 0009.
    report_data: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))


class ReportLink(TableModel, table=True):
    """A link to an archived report's HTML page that needs no sign-in: a long random secret of which only
    the hash is kept. Made when a report mail is sent (the mail carries it) or by BIF; BIF can revoke it."""

    __tablename__ = "report_link"

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    archive_id: int = Field(foreign_key="report_archive.id", index=True)
    dispatch_id: int | None = Field(default=None, foreign_key="dispatch.id")  # the mail that carried it
    token_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the secret in the link
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = _utc(nullable=True)
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")


class Dispatch(TableModel, table=True):
    """One mail to one recipient; the row is claimed before sending.

    What the mail is about has one column per meaning: `period` (a period label such as 2025-H1) for the
    reports and reminders, `as_of` (a day) for the daily alert and the weekly warning (the week's Monday), `failed_dispatch_id` (the row that failed)
    for a failure notice. Each is planned once: unique per what it is about, scope, recipient and kind."""

    __tablename__ = "dispatch"
    __table_args__ = (
        sa.UniqueConstraint("period", "scope", "recipient", "kind"),
        sa.UniqueConstraint("as_of", "scope", "recipient", "kind"),
        sa.UniqueConstraint("failed_dispatch_id", "recipient"),
        sa.CheckConstraint(_in("kind", DISPATCH_KINDS), name="kind_known"),
        sa.CheckConstraint(_in("state", DISPATCH_STATES), name="state_known"),
        sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        sa.CheckConstraint(
            f"({_in('kind', PERIOD_KINDS)} AND period IS NOT NULL AND as_of IS NULL"
            " AND failed_dispatch_id IS NULL)"
            f" OR ({_in('kind', DAY_KINDS)} AND as_of IS NOT NULL AND period IS NULL"
            " AND failed_dispatch_id IS NULL)"
            " OR (kind = 'failure_notice' AND failed_dispatch_id IS NOT NULL AND period IS NULL"
            " AND as_of IS NULL)",
            name="about_one_thing",
        ),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    period: str | None = Field(default=None, max_length=20)
    as_of: date | None = None
    failed_dispatch_id: int | None = Field(default=None, foreign_key="dispatch.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    scope: str = Field(max_length=10)
    recipient: str = Field(max_length=254)
    kind: str = Field(max_length=20)
    state: str = Field(default="pending", max_length=10)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=2000)
    message_id: str | None = Field(default=None, max_length=300)
    pdf_sha256: str | None = Field(default=None, max_length=64)
    archive_id: int | None = Field(default=None, foreign_key="report_archive.id")
    next_attempt_at: datetime | None = _utc(nullable=True)
    claimed_at: datetime | None = _utc(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=100)
    sent_at: datetime | None = _utc(nullable=True)
    created_at: datetime = _utc()
    # The message as it left (dispatch.sent_copy): from, to, reply-to, subject, text, html, attachments with
    # their SHA-256; a report link's secret is not kept. None until sent, and for mails sent before 0009.
    sent_message: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))


class AppText(TableModel, table=True):
    """Editable texts and settings kept as data (e.g. the mayor's letter)."""

    __tablename__ = "app_text"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(default="", max_length=20000)
    updated_at: datetime = _utc()
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
