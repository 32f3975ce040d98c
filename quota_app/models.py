"""The data model of docs/data-model.md; constraints live in the database, not only here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
import sqlalchemy.orm
from sqlmodel import Field, SQLModel

from .db import DayNumber, UTCDateTime

STATUSES = ("open", "filled", "paused", "closed")
ROLES = ("hr", "bif", "admin")
MEASURES = ("stock", "flow")
WEIGHTINGS = ("headcount", "fte")
DISPATCH_KINDS = ("report", "consolidated", "reminder", "alert", "failure_notice")
REPORT_KINDS = ("report", "consolidated")  # the kinds that carry a report PDF
PERIOD_KINDS = (*REPORT_KINDS, "reminder")  # the kinds about a period; an alert is about a day
DISPATCH_STATES = ("pending", "sending", "sent", "failed")
MUNICIPALITY_SCOPE = "KK"  # the whole municipality, where a row is not about one department

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _utc(nullable: bool = False, **kw: Any) -> Any:
    return Field(
        default=None if nullable else ..., sa_column=sa.Column(UTCDateTime(), nullable=nullable, **kw)
    )


class Department(SQLModel, table=True):
    __tablename__ = "department"
    __table_args__ = (sa.CheckConstraint("length(code) >= 2", name="code_length"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=200)
    mayor_title: str = Field(default="", max_length=200)
    mayor_name: str = Field(default="", max_length=200)
    mayor_email: str = Field(default="", max_length=254)
    hr_emails: str = Field(default="", max_length=2000)  # comma-separated HR contact addresses
    active: bool = Field(default=True)
    sort: int = Field(default=0)

    @property
    def hr_addresses(self) -> list[str]:
        return [a.strip() for a in self.hr_emails.split(",") if a.strip()]


class Unit(SQLModel, table=True):
    __tablename__ = "unit"
    __table_args__ = (sa.UniqueConstraint("department_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    name: str = Field(max_length=200)
    active: bool = Field(default=True)


class PlacementType(SQLModel, table=True):
    __tablename__ = "placement_type"
    __table_args__ = (
        sa.CheckConstraint(_in("measure", MEASURES), name="measure_known"),
        sa.CheckConstraint(_in("target_unit", ("places", "persons", "courses")), name="target_unit_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    measure: str = Field(default="stock", max_length=10)
    target_unit: str = Field(default="places", max_length=10)
    active: bool = Field(default=True)
    sort: int = Field(default=0)


class Target(SQLModel, table=True):
    """A department's target for one year and type (the current revision; history in TargetRevision)."""

    __tablename__ = "target"
    __table_args__ = (
        sa.UniqueConstraint("year", "department_id", "type_id"),
        sa.CheckConstraint("value >= 0", name="value_non_negative"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    department_id: int = Field(foreign_key="department.id", index=True)
    type_id: int = Field(foreign_key="placement_type.id")
    value: int
    decided_on: date | None = None
    reference: str = Field(default="", max_length=300)
    updated_at: datetime = _utc()
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class TargetRevision(SQLModel, table=True):
    """Every value a target has had, in the order it was recorded."""

    __tablename__ = "target_revision"
    __table_args__ = (sa.CheckConstraint("value >= 0", name="value_non_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="target.id", index=True)
    value: int
    decided_on: date | None = None
    reference: str = Field(default="", max_length=300)
    recorded_at: datetime = _utc()
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")


class MunicipalityTarget(SQLModel, table=True):
    """A municipality-wide target (e.g. the 2014 figures), from which department targets may be derived."""

    __tablename__ = "municipality_target"
    __table_args__ = (
        sa.UniqueConstraint("year", "type_id"),
        sa.CheckConstraint("value >= 0", name="value_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    type_id: int = Field(foreign_key="placement_type.id")
    value: int
    result: int | None = None  # the reported annual result, where a public document gives one
    decided_on: date | None = None
    reference: str = Field(default="", max_length=300)


class CountingRule(SQLModel, table=True):
    __tablename__ = "counting_rule"
    __table_args__ = (
        sa.UniqueConstraint("year", "type_id"),
        sa.CheckConstraint(_in("weighting", WEIGHTINGS), name="weighting_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    type_id: int = Field(foreign_key="placement_type.id")
    counted_statuses: str = Field(default="filled", max_length=60)  # comma-separated; flow types: starts
    weighting: str = Field(default="headcount", max_length=10)

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(s for s in self.counted_statuses.split(",") if s)


class DepartmentHeadcount(SQLModel, table=True):
    __tablename__ = "department_headcount"
    __table_args__ = (
        sa.UniqueConstraint("year", "department_id"),
        sa.CheckConstraint("employees >= 0", name="employees_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    department_id: int = Field(foreign_key="department.id")
    employees: int


_PLACE_VERSION = sa.Column("version", sa.Integer(), nullable=False)


class Place(SQLModel, table=True):
    """A place; its status lives in its events. current_* cache the latest known event for lists."""

    __tablename__ = "place"
    __table_args__ = (
        sa.UniqueConstraint("department_id", "reference"),
        sa.CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        sa.CheckConstraint(
            f"current_status IS NULL OR {_in('current_status', STATUSES)}", name="status_known"
        ),
        sa.Index("ix_place_department_type", "department_id", "type_id"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _PLACE_VERSION}  # optimistic locking

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    type_id: int = Field(foreign_key="placement_type.id")
    reference: str = Field(max_length=100)
    title: str = Field(default="", max_length=300)
    fte: float = Field(default=1.0)
    version: int | None = Field(default=None, sa_column=_PLACE_VERSION)
    current_status: str | None = Field(default=None, max_length=10)
    current_since: date | None = None
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="user.id")


class PlaceEvent(SQLModel, table=True):
    """One status change of a place; never deleted, voided by setting voided_at."""

    __tablename__ = "place_event"
    __table_args__ = (
        sa.CheckConstraint(_in("status", STATUSES), name="status_known"),
        sa.CheckConstraint("(voided_at IS NULL) = (void_reason IS NULL)", name="void_has_reason"),
        # A place's events in date order with every column its intervals are derived from (covering):
        # rebuilding a place's intervals and its status on a date are index-only reads.
        sa.Index(
            "ix_place_event_timeline",
            "place_id",
            "effective_date",
            "recorded_at",
            "id",
            "status",
            "voided_at",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id")
    status: str = Field(max_length=10)
    effective_date: date
    recorded_at: datetime = _utc()
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", max_length=2000)
    corrects_event_id: int | None = Field(default=None, foreign_key="place_event.id")
    source: str = Field(default="web", max_length=20)
    voided_at: datetime | None = _utc(nullable=True)
    voided_by_id: int | None = Field(default=None, foreign_key="user.id")
    void_reason: str | None = Field(default=None, max_length=2000)


OPEN_END = date.max  # valid_to of an interval that no later event ends


class _IntervalColumns(SQLModel):
    """A place's status from valid_from up to (not including) valid_to, derived from its events.

    Derived data (quota_app.reconcile.intervals rebuilds a place's rows from its events whenever they
    change): the status of every per-date winning event, from its date to the next winner's. Department,
    type and fte are copies of the place's, so counting never joins the places. Days are day numbers.
    """

    place_id: int = Field(foreign_key="place.id", primary_key=True)
    valid_from: date = Field(sa_type=DayNumber, primary_key=True)
    valid_to: date = Field(sa_type=DayNumber)  # OPEN_END: still holds
    status: str = Field(max_length=10)
    prev_status: str | None = Field(default=None, max_length=10)  # None: the place's first interval
    spell_start: date | None = Field(default=None, sa_type=DayNumber)  # start of the latest open spell
    department_id: int
    type_id: int
    fte: float
    known_from: datetime = _utc()  # known from this moment (a recording or a void)


# The columns every count reads, after the ones it seeks or ranges on: counts are index-only scans.
_COUNTED = ("valid_from", "known_from", "prev_status", "fte", "spell_start", "place_id")


class PlaceInterval(_IntervalColumns, table=True):
    """A status interval as known now (see _IntervalColumns)."""

    __tablename__ = "place_interval"
    __table_args__ = (
        # Per department, type and status, the intervals ending after a date: one range each.
        sa.Index("ix_place_interval_cell", "department_id", "type_id", "status", "valid_to", *_COUNTED),
    )


class SupersededInterval(_IntervalColumns, table=True):
    """A status interval that was known from known_from until a later recording or void at known_to."""

    __tablename__ = "place_interval_superseded"
    __table_args__ = (
        # Per department, type and status, the intervals superseded after T: one range each, short
        # unless T lies far back.
        sa.Index(
            "ix_place_interval_superseded_cell",
            "department_id",
            "type_id",
            "status",
            "known_to",
            "valid_to",
            *_COUNTED,
        ),
    )

    known_from: datetime = _utc(primary_key=True)
    known_to: datetime = _utc()


class DepartmentComment(SQLModel, table=True):
    __tablename__ = "department_comment"
    __table_args__ = (sa.UniqueConstraint("period", "department_id"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=10)
    department_id: int = Field(foreign_key="department.id")
    text: str = Field(default="", max_length=10000)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = _utc()
    locked_at: datetime | None = _utc(nullable=True)


class User(SQLModel, table=True):
    __tablename__ = "user"
    __table_args__ = (
        sa.CheckConstraint(_in("role", ROLES), name="role_known"),
        sa.CheckConstraint("role <> 'hr' OR department_id IS NOT NULL", name="hr_has_department"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("(oidc_issuer IS NULL) = (oidc_subject IS NULL)", name="oidc_identity_whole"),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=10)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    active: bool = Field(default=True)
    locale: str | None = Field(default=None, max_length=5)
    created_at: datetime = _utc()
    last_login_at: datetime | None = _utc(nullable=True)
    # Part of every session's user id: signing out, a new password or deactivation raise it, and every
    # session (and remember-me cookie) issued before no longer loads the user.
    session_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Who the user is at the organisation's OpenID provider (issuer and subject), once they signed in there.
    oidc_issuer: str | None = Field(default=None, max_length=300)
    oidc_subject: str | None = Field(default=None, max_length=255)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class LoginAttempt(SQLModel, table=True):
    """A failed sign-in (or one being checked), counted per account and address by auth.throttle."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_pair", "account", "address", "at"),
        sa.Index("ix_login_attempt_address", "address", "at"),
        sa.Index("ix_login_attempt_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=254)
    address: str = Field(max_length=64)
    at: datetime = _utc()


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the secret
    prefix: str = Field(max_length=12)  # the first characters, shown so a person can tell tokens apart
    created_at: datetime = _utc()
    last_used_at: datetime | None = _utc(nullable=True)
    revoked_at: datetime | None = _utc(nullable=True)


class SignInLink(SQLModel, table=True):
    """A mailed link with which a user sets a password: single use, time-limited; only its hash is kept."""

    __tablename__ = "sign_in_link"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the secret in the link
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    expires_at: datetime = _utc()
    used_at: datetime | None = _utc(nullable=True)
    revoked_at: datetime | None = _utc(nullable=True)  # a newer link, a deactivation or a failed mail


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(max_length=254)  # e-mail, "system", "scheduler" or "cli"
    action: str = Field(max_length=60)
    entity_type: str = Field(max_length=60)
    entity_id: str = Field(default="", max_length=60)
    before: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))
    after: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))
    at: datetime = _utc(index=True)


class ReportArchive(SQLModel, table=True):
    __tablename__ = "report_archive"
    __table_args__ = (sa.Index("ix_report_archive_lookup", "period", "scope", "known_at"),)

    id: int | None = Field(default=None, primary_key=True)
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
    report_data: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))


class ReportLink(SQLModel, table=True):
    """A link to an archived report's HTML page that needs no sign-in: a long random secret of which only
    the hash is kept. Made when a report mail is sent (the mail carries it) or by BIF; BIF can revoke it."""

    __tablename__ = "report_link"

    id: int | None = Field(default=None, primary_key=True)
    archive_id: int = Field(foreign_key="report_archive.id", index=True)
    dispatch_id: int | None = Field(default=None, foreign_key="dispatch.id")  # the mail that carried it
    token_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the secret in the link
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = _utc(nullable=True)
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")


class Dispatch(SQLModel, table=True):
    """One mail to one recipient; the row is claimed before sending.

    What the mail is about has one column per meaning: `period` (a period label such as 2025-H1) for the
    reports and reminders, `as_of` (a day) for the daily alert, `failed_dispatch_id` (the row that failed)
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
            " OR (kind = 'alert' AND as_of IS NOT NULL AND period IS NULL AND failed_dispatch_id IS NULL)"
            " OR (kind = 'failure_notice' AND failed_dispatch_id IS NOT NULL AND period IS NULL"
            " AND as_of IS NULL)",
            name="about_one_thing",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
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
    sent_message: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))


class AppText(SQLModel, table=True):
    """Editable texts and settings kept as data (e.g. the mayor's letter)."""

    __tablename__ = "app_text"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(default="", max_length=20000)
    updated_at: datetime = _utc()
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


IMPORT_JOB_STATES = ("queued", "running", "done", "failed")
IMPORT_JOB_KINDS = ("preview", "save")  # the dry run after an upload; the real import after confirming


class ImportJob(SQLModel, table=True):
    """A browser import's preview or save, run in the background (quota_app/imports/jobs.py); one each per upload."""

    __tablename__ = "import_job"
    __table_args__ = (
        sa.UniqueConstraint("token", "kind"),  # a second confirm of the same upload finds the first job
        sa.CheckConstraint(_in("state", IMPORT_JOB_STATES), name="state_known"),
        sa.CheckConstraint(_in("kind", IMPORT_JOB_KINDS), name="kind_known"),
        sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        sa.Index("ix_import_job_state", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
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
    result: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))  # the counts
    error: Any = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))  # texts.to_data
    created_at: datetime = _utc()


# Events are history: the database itself refuses to delete them, whatever the client.
_NO_EVENT_DELETE = {
    "sqlite": sa.DDL(
        "CREATE TRIGGER place_event_no_delete BEFORE DELETE ON place_event "
        "BEGIN SELECT RAISE(ABORT, 'place events cannot be deleted'); END"
    ),
    "postgresql": sa.DDL(
        "CREATE OR REPLACE FUNCTION place_event_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'place events cannot be deleted'; END $$; "
        "CREATE TRIGGER place_event_no_delete BEFORE DELETE ON place_event "
        "FOR EACH ROW EXECUTE FUNCTION place_event_no_delete()"
    ),
}
for _dialect, _ddl in _NO_EVENT_DELETE.items():
    sa.event.listen(PlaceEvent.__table__, "after_create", _ddl.execute_if(dialect=_dialect))
sa.event.listen(
    PlaceEvent.__table__,
    "after_drop",
    sa.DDL("DROP FUNCTION IF EXISTS place_event_no_delete()").execute_if(dialect="postgresql"),
)
