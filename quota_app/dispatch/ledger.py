"""The dispatch ledger: plan who gets which mail (one row per mail), and the queries that read the rows.

Exactly once per (what the mail is about, scope, recipient, kind): unique constraints stop a row being planned
twice. A mail is about a period (the reports, the reminders), a day (the daily alert; the weekly warning,
`weekly_warning.py`, its week's Monday) or a failed row (a failure notice to BIF); see `Dispatch`. Planning is an ordinary service: it flushes and the caller commits.
Sending the rows is `delivery`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..audit.services import record, snapshot
from ..comments.services import lock_comment
from ..errors import DomainError, NotFound
from ..formatting import PeriodName
from ..models import MUNICIPALITY_SCOPE, REPORT_KINDS, Department, Dispatch, ReportArchive, User
from ..periods import Period, half_year_of
from ..settings import Settings
from ..texts import N_
from .open_places import opened_places
from .overdue import overdue_periods
from .report_source import ReportBuilder, ReportSource

FIRST_ALERT_WINDOW = timedelta(days=7)

Actor = User | str


# --- Reading the ledger ---


def planned(
    session: Session, *, kind: str, scope: str, period: str | None = None, as_of: date | None = None
) -> dict[str, Dispatch]:
    """The rows of one kind and scope about a period (or a day), by recipient."""
    about = Dispatch.period == period if period is not None else Dispatch.as_of == as_of
    rows = session.exec(select(Dispatch).where(about, Dispatch.scope == scope, Dispatch.kind == kind)).all()
    return {row.recipient: row for row in rows}


def concerning(*, period: str | None = None, as_of: date | None = None) -> sa.ColumnElement[bool]:
    """Rows about the period (or the day), and the failure notices about those rows."""
    failed = aliased(Dispatch)
    if period is not None:
        own, failed_own = col(Dispatch.period) == period, col(failed.period) == period
    else:
        own, failed_own = col(Dispatch.as_of) == as_of, col(failed.as_of) == as_of
    return sa.or_(own, col(Dispatch.failed_dispatch_id).in_(select(failed.id).where(failed_own)))


def about(session: Session, row: Dispatch) -> Dispatch:
    """The row a failure notice is about; any other row is about itself."""
    if row.failed_dispatch_id is None:
        return row
    failed = session.get(Dispatch, row.failed_dispatch_id)
    assert failed is not None  # a foreign key
    return failed


def ledger(
    session: Session,
    *,
    period: str | None = None,
    as_of: date | None = None,
    state: str | None = None,
    limit: int = 500,
) -> list[Dispatch]:
    """The newest rows first, optionally about one period or day (with their failure notices), in one
    state."""
    statement = select(Dispatch)
    if period or as_of:
        statement = statement.where(concerning(period=period, as_of=as_of))
    if state:
        statement = statement.where(Dispatch.state == state)
    return list(
        session.exec(
            statement.order_by(col(Dispatch.created_at).desc(), col(Dispatch.id).desc()).limit(limit)
        ).all()
    )


def period_planned(session: Session, period: Period) -> bool:
    """Whether the period's reports have been planned (any report row exists)."""
    return (
        session.exec(
            select(Dispatch.id)
            .where(col(Dispatch.period) == period.label, col(Dispatch.kind).in_(REPORT_KINDS))
            .limit(1)
        ).first()
        is not None
    )


def alert_window_start(session: Session, recipient: str, before: datetime) -> datetime:
    """When the previous alert to the recipient was planned (a week back for the first one)."""
    previous = session.exec(
        select(Dispatch.created_at)
        .where(Dispatch.kind == "alert", Dispatch.recipient == recipient, Dispatch.created_at < before)
        .order_by(col(Dispatch.created_at).desc())
        .limit(1)
    ).first()
    return previous if previous is not None else before - FIRST_ALERT_WINDOW


def _active_departments(session: Session, department_code: str | None = None) -> list[Department]:
    statement = select(Department).where(Department.active == sa.true())
    if department_code is not None:
        department = session.exec(select(Department).where(Department.code == department_code)).first()
        if department is None:
            raise NotFound(N_("Ukendt forvaltning '%(code)s'.", code=department_code))
        if not department.active:
            raise DomainError(
                N_("Forvaltningen %(code)s er ikke aktiv.", code=department_code), field="department"
            )
        statement = statement.where(Department.id == department.id)
    return list(session.exec(statement.order_by(col(Department.sort), col(Department.code))).all())


# --- Planning ---


@dataclass
class PlannedMail:
    period: str
    scope: str
    recipient: str
    kind: str
    state: str | None = None  # None: not in the ledger yet
    dispatch_id: int | None = None
    new: bool = False  # added by this planning (or, in a dry run, would be)


@dataclass
class PlanResult:
    mails: list[PlannedMail] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def new(self) -> list[PlannedMail]:
        return [m for m in self.mails if m.new]


def report_recipients(settings: Settings, department: Department) -> list[str]:
    """The mayor, and BIF in copy (one ledger row each)."""
    recipients = [department.mayor_email.strip().lower()] if department.mayor_email.strip() else []
    bif = settings.bif_email.strip().lower()
    if bif and bif not in recipients:
        recipients.append(bif)
    return recipients


def plan_period(
    session: Session,
    *,
    settings: Settings,
    period: Period,
    actor: Actor,
    now: datetime,
    department_code: str | None = None,
    source: ReportSource | None = None,
    dry_run: bool = False,
) -> PlanResult:
    """Add the ledger rows for a period's reports (each department; the consolidated report without
    --department), archiving each PDF once. known_at is fixed here: every recipient gets the same figures.
    With dry_run nothing is built or written; the result says what is there and what would be added.
    The source builds the reports; a dry run needs none."""
    if now.astimezone(settings.zone).date() <= period.end:
        raise DomainError(
            N_("Perioden %(period)s er ikke slut endnu.", period=PeriodName(period)), field="period"
        )
    result = PlanResult()
    scopes: list[tuple[str, str, Department | None, list[str]]] = []
    department: Department | None  # each active one, then each scope's (None: the consolidated report)
    for department in _active_departments(session, department_code):
        recipients = report_recipients(settings, department)
        if not department.mayor_email.strip():
            result.warnings.append(
                N_(
                    "%(department)s: ingen e-mailadresse til borgmesteren; kun BIF får rapporten.",
                    department=department.code,
                )
            )
        scopes.append(("report", department.code, department, recipients))
    if not settings.base_url:
        result.warnings.append(
            N_("QUOTA_BASE_URL er ikke sat: rapportmailene får intet link til rapportens webside.")
        )
    if department_code is None:
        committee = [a.lower() for a in settings.committee_addresses]
        if not committee:
            result.warnings.append(
                N_("Ingen udvalgsadresser (QUOTA_COMMITTEE_EMAILS): samlet rapport sendes ikke.")
            )
        scopes.append(("consolidated", MUNICIPALITY_SCOPE, None, committee))

    builder = ReportBuilder(session, source, period=period, known_at=now)
    for kind, scope, department, recipients in scopes:
        existing = planned(session, kind=kind, scope=scope, period=period.label)
        missing = [r for r in recipients if r not in existing]
        for recipient, row in existing.items():
            result.mails.append(PlannedMail(period.label, scope, recipient, kind, row.state, row.id))
        if not missing:
            continue
        if dry_run:
            result.mails.extend(PlannedMail(period.label, scope, r, kind, new=True) for r in missing)
            continue
        archive = _archive_for(session, existing.values(), department, builder, actor, now)
        if department is not None and period.half is not None:
            # The comment is in the PDF now being sent: from here on it can no longer change.
            lock_comment(session, period=period, department_id=department.id, now=now, actor=actor)
        for recipient in missing:
            row = _add(
                session,
                Dispatch(
                    period=period.label,
                    department_id=department.id if department else None,
                    scope=scope,
                    recipient=recipient,
                    kind=kind,
                    pdf_sha256=archive.sha256,
                    archive_id=archive.id,
                    created_at=now,
                ),
                actor=actor,
            )
            result.mails.append(
                PlannedMail(period.label, scope, recipient, kind, row.state, row.id, new=True)
            )
    return result


def _archive_for(
    session: Session,
    existing: Iterable[Dispatch],
    department: Department | None,
    builder: ReportBuilder,
    actor: Actor,
    now: datetime,
) -> ReportArchive:
    """The archived PDF the period's rows for this scope already use, or a new one built now."""
    for row in existing:
        if row.archive_id is not None:
            archive = session.get(ReportArchive, row.archive_id)
            if archive is not None:
                return archive
    return builder.archived(department, actor=actor, now=now)


def _add(session: Session, row: Dispatch, *, actor: Actor) -> Dispatch:
    session.add(row)
    session.flush()
    record(session, actor=actor, action="dispatch.plan", entity=row, after=snapshot(row), at=row.created_at)
    return row


def plan_reminders(session: Session, *, settings: Settings, today: date, actor: Actor, now: datetime) -> int:
    """From N days before a half-year ends until its last day: one reminder per HR contact (once)."""
    period = half_year_of(today)
    if not period.end - timedelta(days=settings.reminder_days_before) <= today <= period.end:
        return 0
    added = 0
    for department in _active_departments(session):
        existing = planned(session, kind="reminder", scope=department.code, period=period.label)
        for recipient in department.hr_addresses:
            recipient = recipient.lower()
            if recipient in existing:
                continue
            existing[recipient] = _add(
                session,
                Dispatch(
                    period=period.label,
                    department_id=department.id,
                    scope=department.code,
                    recipient=recipient,
                    kind="reminder",
                    created_at=now,
                ),
                actor=actor,
            )
            added += 1
    return added


def plan_alert(
    session: Session, *, settings: Settings, today: date, actor: Actor, now: datetime
) -> Dispatch | None:
    """Today's alert to BIF's recruitment address, if places opened since the last alert or a half-year's
    reports are overdue."""
    recipient = settings.recruitment_email.strip().lower()
    if not recipient:
        return None
    if planned(session, kind="alert", scope=MUNICIPALITY_SCOPE, as_of=today).get(recipient):
        return None
    since = alert_window_start(session, recipient, now)
    if not opened_places(session, since=since, until=now) and not overdue_periods(
        session, settings=settings, now=now
    ):
        return None
    return _add(
        session,
        Dispatch(as_of=today, scope=MUNICIPALITY_SCOPE, recipient=recipient, kind="alert", created_at=now),
        actor=actor,
    )
