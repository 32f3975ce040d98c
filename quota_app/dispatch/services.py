"""The dispatch ledger: plan who gets which mail, claim each row in the database, send, record the outcome.

Exactly once per (period, scope, recipient, kind): the unique constraint stops a row being planned twice,
and a row is *claimed* with an atomic conditional UPDATE (pending -> sending) that is committed before the
SMTP conversation starts, so a restart, a second scheduler process or a manual `quota dispatch` at the same
moment finds the row taken and leaves it alone.

Outcomes: sent (message id, sent_at); a temporary failure (no connection, 4xx) goes back to pending with
next_attempt_at = now + back-off, until MAX_ATTEMPTS, then failed; a permanent failure (5xx) is failed at
once. Every failure to a recipient other than BIF itself adds a failure_notice row for BIF (sent once).

A row left in 'sending' longer than STALE_AFTER (the process died during the SMTP call) is NOT sent again
automatically: nobody knows whether the server accepted it. It is marked failed with an explanation, BIF is
told, and a person decides whether to resend (explicitly, from the browser or `quota dispatch --resend`).

Planning and resending are ordinary services (flush, the caller commits). Delivery is the one place that
commits by itself, row by row, because the claim must be durable before the mail leaves: it therefore
takes a Database, not a Session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from ..audit.services import record, snapshot
from ..clock import Clock
from ..comments.services import lock_comment
from ..db import Database
from ..errors import DomainError, NotFound
from ..mail.services import (
    Attachment,
    MailError,
    OutgoingMail,
    PermanentMailError,
    Transport,
    build_message,
    message_domain,
    text_to_html,
)
from ..models import (
    MUNICIPALITY_SCOPE,
    Department,
    Dispatch,
    Place,
    PlaceEvent,
    PlacementType,
    ReportArchive,
    Unit,
    User,
)
from ..periods import Period, half_year_of, parse_period
from ..reconcile.places import place_listing
from ..settings import Settings
from ..texts import N_

log = logging.getLogger("quota.dispatch")

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)
STALE_AFTER = timedelta(minutes=30)
LONG_OPEN_DAYS = 90
FIRST_ALERT_WINDOW = timedelta(days=7)
REPORT_KINDS = ("report", "consolidated")
SCHEDULER_STATUS_KEY = "scheduler.status"  # AppText the scheduler process writes: its jobs and a heartbeat

Actor = User | str


# --- Where the PDFs come from: the reports package, looked up in this one place. ---


@dataclass(frozen=True)
class ReportSource:
    """The functions of reports.services (and reports.gather) dispatch uses; tests may pass their own."""

    build_department: Callable[..., bytes]
    build_consolidated: Callable[..., bytes]
    archive: Callable[..., ReportArchive]
    # The figures all of a period's reports share, counted once and passed to the builders as context.
    gather: Callable[..., Any] | None = None


def default_report_source() -> ReportSource:
    try:
        # imported late: reports renders PDFs, the ledger only stores them
        from reports import services as report_services
    except ImportError as exc:
        raise DomainError(
            N_(
                "Rapportmodulet kan ikke indlæses (%(problem)s); rapporterne kan ikke dannes.",
                problem=str(exc),
            )
        ) from exc

    return ReportSource(
        build_department=report_services.build_department_report,
        build_consolidated=report_services.build_consolidated_report,
        archive=report_services.archive_report,
        gather=report_services.gather_context,
    )


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


def _existing(session: Session, *, period: str, scope: str, kind: str) -> dict[str, Dispatch]:
    rows = session.exec(
        select(Dispatch).where(Dispatch.period == period, Dispatch.scope == scope, Dispatch.kind == kind)
    ).all()
    return {row.recipient: row for row in rows}


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
    return list(session.exec(statement.order_by(Department.sort, Department.code)).all())


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
    With dry_run nothing is built or written; the result says what is there and what would be added."""
    if now.astimezone(settings.zone).date() <= period.end:
        raise DomainError(N_("Perioden %(period)s er ikke slut endnu.", period=period.label), field="period")
    result = PlanResult()
    scopes: list[tuple[str, str, Department | None, list[str]]] = []
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
    if department_code is None:
        committee = [a.lower() for a in settings.committee_addresses]
        if not committee:
            result.warnings.append(
                N_("Ingen udvalgsadresser (QUOTA_COMMITTEE_EMAILS): samlet rapport sendes ikke.")
            )
        scopes.append(("consolidated", MUNICIPALITY_SCOPE, None, committee))

    builder = _Builder(session, source, period=period, known_at=now)
    for kind, scope, department, recipients in scopes:
        existing = _existing(session, period=period.label, scope=scope, kind=kind)
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
            row = Dispatch(
                period=period.label,
                department_id=department.id if department else None,
                scope=scope,
                recipient=recipient,
                kind=kind,
                pdf_sha256=archive.sha256,
                archive_id=archive.id,
                created_at=now,
            )
            session.add(row)
            session.flush()
            record(session, actor=actor, action="dispatch.plan", entity=row, after=snapshot(row), at=now)
            result.mails.append(
                PlannedMail(period.label, scope, recipient, kind, row.state, row.id, new=True)
            )
    return result


class _Builder:
    """Builds a period's reports as known at one moment, counting their shared figures at most once."""

    def __init__(
        self, session: Session, source: ReportSource | None, *, period: Period, known_at: datetime
    ) -> None:
        self.session, self._source, self.period, self.known_at = session, source, period, known_at
        self._shared: dict[str, Any] | None = None

    @property
    def source(self) -> ReportSource:
        if self._source is None:
            self._source = default_report_source()  # only when a report is built: dry runs build none
        return self._source

    def _context(self) -> dict[str, Any]:
        if self._shared is None:
            gather = self.source.gather
            self._shared = (
                {"context": gather(self.session, period=self.period, known_at=self.known_at)}
                if gather
                else {}
            )
        return self._shared

    def build(self, department: Department | None) -> bytes:
        common = {"period": self.period, "known_at": self.known_at, **self._context()}
        if department is None:
            return self.source.build_consolidated(self.session, **common)
        return self.source.build_department(self.session, department_code=department.code, **common)

    def archive(
        self, department: Department | None, pdf: bytes, *, actor: Actor, now: datetime
    ) -> ReportArchive:
        return self.source.archive(
            self.session,
            period=self.period,
            department_code=department.code if department else None,
            known_at=self.known_at,
            pdf=pdf,
            actor=actor,
            now=now,
        )


def _archive_for(
    session: Session,
    existing: Iterable[Dispatch],
    department: Department | None,
    builder: _Builder,
    actor: Actor,
    now: datetime,
) -> ReportArchive:
    """The archived PDF the period's rows for this scope already use, or a new one built now."""
    for row in existing:
        if row.archive_id is not None:
            archive = session.get(ReportArchive, row.archive_id)
            if archive is not None:
                return archive
    return builder.archive(department, builder.build(department), actor=actor, now=now)


def period_planned(session: Session, period: Period) -> bool:
    """Whether the period's reports have been planned (any report row exists)."""
    return (
        session.exec(
            select(Dispatch.id)
            .where(Dispatch.period == period.label, Dispatch.kind.in_(REPORT_KINDS))
            .limit(1)
        ).first()
        is not None
    )


def plan_reminders(session: Session, *, settings: Settings, today: date, actor: Actor, now: datetime) -> int:
    """From N days before a half-year ends until its last day: one reminder per HR contact (once)."""
    period = half_year_of(today)
    if not period.end - timedelta(days=settings.reminder_days_before) <= today <= period.end:
        return 0
    added = 0
    for department in _active_departments(session):
        existing = _existing(session, period=period.label, scope=department.code, kind="reminder")
        for recipient in department.hr_addresses:
            recipient = recipient.lower()
            if recipient in existing:
                continue
            row = Dispatch(
                period=period.label,
                department_id=department.id,
                scope=department.code,
                recipient=recipient,
                kind="reminder",
                created_at=now,
            )
            session.add(row)
            session.flush()
            record(session, actor=actor, action="dispatch.plan", entity=row, after=snapshot(row), at=now)
            existing[recipient] = row
            added += 1
    return added


def plan_alert(
    session: Session, *, settings: Settings, today: date, actor: Actor, now: datetime
) -> Dispatch | None:
    """Today's open-place alert to BIF's recruitment address, if places opened since the last alert."""
    recipient = settings.recruitment_email.strip().lower()
    if not recipient:
        return None
    period = today.isoformat()
    if _existing(session, period=period, scope=MUNICIPALITY_SCOPE, kind="alert").get(recipient):
        return None
    from .overdue import overdue_periods  # imported late: overdue imports this module

    if not opened_places(session, since=_alert_window_start(session, recipient, now), until=now) and not (
        overdue_periods(session, settings=settings, now=now)
    ):
        return None
    row = Dispatch(period=period, scope=MUNICIPALITY_SCOPE, recipient=recipient, kind="alert", created_at=now)
    session.add(row)
    session.flush()
    record(session, actor=actor, action="dispatch.plan", entity=row, after=snapshot(row), at=now)
    return row


def _alert_window_start(session: Session, recipient: str, before: datetime) -> datetime:
    previous = session.exec(
        select(Dispatch.created_at)
        .where(Dispatch.kind == "alert", Dispatch.recipient == recipient, Dispatch.created_at < before)
        .order_by(Dispatch.created_at.desc())
        .limit(1)
    ).first()
    return previous if previous is not None else before - FIRST_ALERT_WINDOW


@dataclass(frozen=True)
class OpenPlaceForMail:
    """An open place as one line of a reminder or alert mail."""

    department: str
    unit: str
    type_name: str
    reference: str
    title: str
    since: date | None


def opened_places(session: Session, *, since: datetime, until: datetime) -> list[OpenPlaceForMail]:
    """Places still open whose opening was recorded in (since, until]."""
    opened = (
        select(PlaceEvent.place_id)
        .where(
            PlaceEvent.status == "open",
            PlaceEvent.voided_at.is_(None),
            PlaceEvent.recorded_at > since,
            PlaceEvent.recorded_at <= until,
        )
        .distinct()
    )
    return _place_lines(session, sa.and_(Place.id.in_(opened), Place.current_status == "open"))


def open_places_of(session: Session, department_id: int) -> list[OpenPlaceForMail]:
    return _place_lines(
        session, sa.and_(Place.department_id == department_id, Place.current_status == "open")
    )


def _place_lines(session: Session, condition: Any) -> list[OpenPlaceForMail]:
    rows = session.exec(
        place_listing(
            Department.code,
            Unit.name,
            PlacementType.name_da,
            Place.reference,
            Place.title,
            Place.current_since,
        )
        .where(condition)
        .order_by(Department.code, Place.current_since, Place.reference)
    ).all()
    return [OpenPlaceForMail(d, u or "", t, r, title, s) for d, u, t, r, title, s in rows]


# --- What each mail says ---


def _dk(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "–"


def pdf_filename(period: str, scope: str) -> str:
    """A Danish file name, e.g. halvaarsstatus-2025-H1-SOF.pdf (samlet for the consolidated report)."""
    name = "samlet" if scope == MUNICIPALITY_SCOPE else scope
    safe = name.replace("Ø", "OE").replace("Æ", "AE").replace("Å", "AA").replace("ø", "oe")
    return f"halvaarsstatus-{period}-{safe}.pdf"


def compose(session: Session, row: Dispatch, *, settings: Settings) -> OutgoingMail:
    """The mail a ledger row stands for: the same text for the preview and for sending."""
    department = session.get(Department, row.department_id) if row.department_id else None
    attachments: tuple[Attachment, ...] = ()
    if row.kind in REPORT_KINDS:
        archive = session.get(ReportArchive, row.archive_id) if row.archive_id else None
        if archive is None:
            raise PermanentMailError(N_("Rapporten mangler i arkivet; planlæg udsendelsen igen."))
        attachments = (Attachment(pdf_filename(row.period, row.scope), archive.pdf),)
    text, subject = _TEXTS[row.kind](session, row, department, settings)
    footer = (
        "\n\nMed venlig hilsen\nBeskæftigelses- og Integrationsforvaltningen (BIF)\n"
        f"Svar på denne mail går til {settings.mail_reply_to}."
    )
    body = text + footer
    return OutgoingMail(
        to=(row.recipient,), subject=subject, text=body, html=text_to_html(body), attachments=attachments
    )


def _report_text(session: Session, row: Dispatch, department: Department | None, settings: Settings):  # type: ignore[no-untyped-def]
    period = parse_period(row.period)
    archive = session.get(ReportArchive, row.archive_id) if row.archive_id else None
    known = archive.known_at.astimezone(settings.zone).strftime("%d.%m.%Y kl. %H:%M") if archive else "–"
    if department is None:
        raise PermanentMailError(N_("Forvaltningen findes ikke længere."))
    greeting = f"Kære {department.mayor_title} {department.mayor_name}".rstrip()
    copy = (
        ""
        if row.recipient == department.mayor_email.strip().lower()
        else (
            f"Kopi til BIF af halvårsstatus sendt til {department.mayor_title} "
            f"({department.mayor_email or 'ingen adresse'}).\n\n"
        )
    )
    text = (
        f"{copy}{greeting}\n\n"
        f"Hermed halvårsstatus for støttet beskæftigelse i {department.name} for perioden "
        f"{_dk(period.start)}–{_dk(period.end)} ({period.label}).\n\n"
        f"Rapporten i den vedhæftede PDF viser måltal, besatte og ledige pladser og opfyldelsen pr. ordning, "
        f"opgjort med de registreringer der var kendt {known}."
    )
    return text, f"Halvårsstatus {period.label}: støttet beskæftigelse i {department.name}"


def _consolidated_text(session: Session, row: Dispatch, department: Department | None, settings: Settings):  # type: ignore[no-untyped-def]
    period = parse_period(row.period)
    text = (
        "Til udvalget\n\n"
        f"Hermed den samlede halvårsstatus for støttet beskæftigelse i Københavns Kommune for perioden "
        f"{_dk(period.start)}–{_dk(period.end)} ({period.label}), med alle forvaltninger og ordninger."
    )
    return text, f"Samlet halvårsstatus {period.label}: støttet beskæftigelse i Københavns Kommune"


def _reminder_text(session: Session, row: Dispatch, department: Department | None, settings: Settings):  # type: ignore[no-untyped-def]
    period = parse_period(row.period)
    if department is None:
        raise PermanentMailError(N_("Forvaltningen findes ikke længere."))
    as_of = row.created_at.astimezone(settings.zone).date()
    places = open_places_of(session, department.id)  # type: ignore[arg-type]
    lines = []
    for p in places:
        days = (as_of - p.since).days if p.since else None
        mark = f" – LÆNGE LEDIG ({days} dage)" if days is not None and days >= LONG_OPEN_DAYS else ""
        unit = f", {p.unit}" if p.unit else ""
        lines.append(f"- {p.reference} {p.title} ({p.type_name}{unit}), ledig siden {_dk(p.since)}{mark}")
    listing = "\n".join(lines) if lines else "Der er ingen ledige pladser registreret."
    long_open = sum(1 for line in lines if "LÆNGE LEDIG" in line)
    text = (
        f"Til HR i {department.name}\n\n"
        f"Perioden {period.label} slutter {_dk(period.end)}, og halvårsstatus sendes til borgmesteren "
        "kort efter. Opdatér venligst registreringerne af pladserne inden da: nye pladser, besættelser, "
        "pauser og nedlæggelser.\n\n"
        f"Ledige pladser lige nu: {len(lines)}, heraf {long_open} ledige i mindst {LONG_OPEN_DAYS} dage.\n\n"
        f"{listing}"
    )
    return text, f"Påmindelse: opdatér pladserne inden {_dk(period.end)} ({department.code})"


def _alert_text(session: Session, row: Dispatch, department: Department | None, settings: Settings):  # type: ignore[no-untyped-def]
    from .overdue import alert_notice  # a missed half-year dispatch comes first (imported late, as above)

    warning, subject = alert_notice(session, settings=settings, now=row.created_at)
    since = _alert_window_start(session, row.recipient, row.created_at)
    places = opened_places(session, since=since, until=row.created_at)
    lines = [
        f"- {p.department}, {p.unit or 'ingen enhed'}: {p.type_name} – {p.title or p.reference} "
        f"(ref. {p.reference}), ledig fra {_dk(p.since)}"
        for p in places
    ]
    day = date.fromisoformat(row.period)
    text = (
        f"Til rekruttering i BIF\n\n{warning}"
        "Disse pladser er blevet ledige siden sidste besked "
        f"({since.astimezone(settings.zone).strftime('%d.%m.%Y %H:%M')}). "
        "Find gerne kandidater, før pladserne bliver gamle.\n\n"
        + ("\n".join(lines) or "Ingen nye ledige pladser.")
    )
    return text, f"{subject}Nye ledige pladser {_dk(day)}: {len(lines)}"


def _failure_text(session: Session, row: Dispatch, department: Department | None, settings: Settings):  # type: ignore[no-untyped-def]
    failed_id = int(row.period.rpartition(":")[2])
    failed = session.get(Dispatch, failed_id)
    if failed is None:
        raise PermanentMailError(N_("Den fejlede udsendelse findes ikke."))
    text = (
        "Til BIF\n\n"
        f"En mail kunne ikke sendes og er markeret som fejlet i udsendelsesloggen (nr. {failed.id}).\n\n"
        f"Slags: {failed.kind}\nPeriode: {failed.period}\nForvaltning: {failed.scope}\n"
        f"Modtager: {failed.recipient}\nForsøg: {failed.attempts}\nFejl: {failed.last_error}\n\n"
        "Ret årsagen (fx adressen) og gensend rækken fra siden Udsendelser"
        + (
            f" eller med quota dispatch --period {failed.period} --department {failed.scope} --resend."
            if failed.kind == "report"
            else "."
        )
    )
    return text, f"Fejl ved udsendelse: {failed.kind} {failed.period} til {failed.recipient}"


_TEXTS = {
    "report": _report_text,
    "consolidated": _consolidated_text,
    "reminder": _reminder_text,
    "alert": _alert_text,
    "failure_notice": _failure_text,
}


# --- Delivery: claim, send, record ---


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # claimed by someone else meanwhile


def backoff(attempts: int) -> timedelta:
    """5 minutes after the first failed attempt, doubling, at most 6 hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def claim(db: Database, *, dispatch_id: int, worker: str, now: datetime, message_id: str) -> bool:
    """Take a due pending row (pending -> sending) and commit, or return False if it is not ours."""
    with db.begin() as session:
        result = session.execute(
            sa.update(Dispatch)
            .where(
                Dispatch.id == dispatch_id,
                Dispatch.state == "pending",
                sa.or_(Dispatch.next_attempt_at.is_(None), Dispatch.next_attempt_at <= now),
            )
            .values(
                state="sending",
                claimed_by=worker,
                claimed_at=now,
                attempts=Dispatch.attempts + 1,
                message_id=message_id,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _due_ids(
    session: Session, *, now: datetime, period: str | None, scope: str | None, exclude: set[int]
) -> list[int]:
    statement = select(Dispatch.id).where(
        Dispatch.state == "pending",
        sa.or_(Dispatch.next_attempt_at.is_(None), Dispatch.next_attempt_at <= now),
    )
    if period is not None:
        statement = statement.where(
            sa.or_(Dispatch.period == period, Dispatch.period.startswith(f"{period}:"))
        )
    if scope is not None:
        statement = statement.where(Dispatch.scope == scope)
    return [i for i in session.exec(statement.order_by(Dispatch.id)).all() if i not in exclude]


def deliver_due(
    db: Database,
    *,
    settings: Settings,
    transport: Transport,
    clock: Clock,
    worker: str,
    period: str | None = None,
    scope: str | None = None,
) -> DeliveryResult:
    """Send every due pending row (optionally of one period and scope), each claimed first."""
    result = DeliveryResult()
    mark_stale(db, settings=settings, now=clock.now())
    tried: set[int] = set()
    while True:
        with db.begin() as session:
            ids = _due_ids(session, now=clock.now(), period=period, scope=scope, exclude=tried)
        if not ids:
            return result
        for dispatch_id in ids:
            tried.add(dispatch_id)
            _deliver_one(
                db,
                dispatch_id,
                settings=settings,
                transport=transport,
                clock=clock,
                worker=worker,
                result=result,
            )


def _deliver_one(
    db: Database,
    dispatch_id: int,
    *,
    settings: Settings,
    transport: Transport,
    clock: Clock,
    worker: str,
    result: DeliveryResult,
) -> None:
    from email.utils import make_msgid

    message_id = make_msgid(domain=message_domain(settings))
    if not claim(db, dispatch_id=dispatch_id, worker=worker, now=clock.now(), message_id=message_id):
        result.skipped.append(dispatch_id)
        return
    error: MailError | None = None
    try:
        with db.begin() as session:
            row = session.get(Dispatch, dispatch_id)
            assert row is not None
            mail = compose(session, row, settings=settings)
        transport.send(build_message(mail, settings=settings, now=clock.now(), message_id=message_id))
    except MailError as exc:
        error = exc
    except Exception as exc:
        log.exception("dispatch %s could not be composed", dispatch_id)
        error = PermanentMailError(f"Mailen kunne ikke dannes: {exc!r}")
    now = clock.now()
    with db.begin() as session:
        row = session.get(Dispatch, dispatch_id)
        assert row is not None
        before = snapshot(row)
        if row.state != "sending" or row.claimed_by != worker:  # marked stale meanwhile: leave it
            return
        if error is None:
            row.state, row.sent_at, row.last_error, row.next_attempt_at = "sent", now, None, None
            result.sent.append(dispatch_id)
            action = "dispatch.sent"
        elif error.temporary and row.attempts < MAX_ATTEMPTS:
            row.state, row.last_error = "pending", error.message[:2000]
            row.next_attempt_at = now + backoff(row.attempts)
            result.retrying.append(dispatch_id)
            action = "dispatch.retry"
        else:
            row.state, row.last_error, row.next_attempt_at = "failed", error.message[:2000], None
            if error.temporary:
                row.last_error = f"Opgivet efter {row.attempts} forsøg: {error.message}"[:2000]
            result.failed.append(dispatch_id)
            action = "dispatch.failed"
            _add_failure_notice(session, row, settings=settings, now=now)
        session.add(row)
        session.flush()
        record(
            session,
            actor=worker.partition("@")[0],
            action=action,
            entity=row,
            before=before,
            after=snapshot(row),
            at=now,
        )
    log.info("dispatch %s: %s", dispatch_id, action)


def _add_failure_notice(session: Session, row: Dispatch, *, settings: Settings, now: datetime) -> None:
    bif = settings.bif_email.strip().lower()
    if row.kind == "failure_notice" or not bif or row.recipient == bif:
        return
    period = f"{row.period}:{row.id}"
    if _existing(session, period=period, scope=row.scope, kind="failure_notice").get(bif):
        return
    session.add(
        Dispatch(
            period=period,
            department_id=row.department_id,
            scope=row.scope,
            recipient=bif,
            kind="failure_notice",
            created_at=now,
        )
    )
    session.flush()


def mark_stale(db: Database, *, settings: Settings, now: datetime) -> list[int]:
    """Rows left 'sending' for longer than STALE_AFTER: failed, BIF told, never resent automatically."""
    marked: list[int] = []
    with db.begin() as session:
        stale = session.exec(
            select(Dispatch).where(Dispatch.state == "sending", Dispatch.claimed_at < now - STALE_AFTER)
        ).all()
        for row in stale:
            before = snapshot(row)
            updated = session.execute(
                sa.update(Dispatch)
                .where(
                    Dispatch.id == row.id, Dispatch.state == "sending", Dispatch.claimed_at == row.claimed_at
                )
                .values(
                    state="failed",
                    last_error=(
                        f"Afsendelsen blev afbrudt ({row.claimed_by}); det er uvist om mailen nåede frem "
                        f"(Message-ID {row.message_id}). Kontrollér og gensend manuelt."
                    ),
                )
                .execution_options(synchronize_session=False)
            )
            if updated.rowcount == 1:
                session.refresh(row)
                _add_failure_notice(session, row, settings=settings, now=now)
                record(
                    session,
                    actor="scheduler",
                    action="dispatch.stale",
                    entity=row,
                    before=before,
                    after=snapshot(row),
                    at=now,
                )
                marked.append(row.id)  # type: ignore[arg-type]
    return marked


# --- Explicit resending ---


def resend(
    session: Session, *, dispatch_id: int, actor: Actor, now: datetime, allow_sent: bool = False
) -> Dispatch:
    """Put a failed row (or, explicitly, a sent one) back to pending so it is sent again."""
    row = session.get(Dispatch, dispatch_id)
    if row is None:
        raise NotFound(N_("Udsendelsen findes ikke."))
    allowed = ("failed", "sent") if allow_sent else ("failed",)
    if row.state not in allowed:
        raise DomainError(
            N_("Kun fejlede udsendelser kan gensendes.")
            if not allow_sent
            else N_("Kun fejlede eller sendte udsendelser kan gensendes."),
        )
    before = snapshot(row)
    row.state, row.attempts, row.next_attempt_at = "pending", 0, None
    row.claimed_at = row.claimed_by = None
    session.add(row)
    session.flush()
    record(
        session, actor=actor, action="dispatch.resend", entity=row, before=before, after=snapshot(row), at=now
    )
    return row


def resend_period(
    session: Session, *, period: str, scope: str | None, actor: Actor, now: datetime, allow_sent: bool
) -> list[Dispatch]:
    states = ("failed", "sent") if allow_sent else ("failed",)
    statement = select(Dispatch).where(
        sa.or_(Dispatch.period == period, Dispatch.period.startswith(f"{period}:")),
        Dispatch.state.in_(states),
        Dispatch.kind != "failure_notice",
    )
    if scope is not None:
        statement = statement.where(Dispatch.scope == scope)
    return [
        resend(session, dispatch_id=row.id, actor=actor, now=now, allow_sent=allow_sent)  # type: ignore[arg-type]
        for row in session.exec(statement.order_by(Dispatch.id)).all()
    ]


def ledger(
    session: Session, *, period: str | None = None, state: str | None = None, limit: int = 500
) -> list[Dispatch]:
    statement = select(Dispatch)
    if period:
        statement = statement.where(
            sa.or_(Dispatch.period == period, Dispatch.period.startswith(f"{period}:"))
        )
    if state:
        statement = statement.where(Dispatch.state == state)
    return list(
        session.exec(statement.order_by(Dispatch.created_at.desc(), Dispatch.id.desc()).limit(limit)).all()
    )


# --- The whole run, as the command line, the scheduler and the browser use it ---


def run_dispatch(
    db: Database,
    *,
    settings: Settings,
    period: Period,
    transport: Transport,
    clock: Clock,
    worker: str,
    actor: Actor,
    department_code: str | None = None,
    source: ReportSource | None = None,
) -> tuple[PlanResult, DeliveryResult]:
    """Plan the period (committed; a concurrent planner's rows win and are reused), then deliver."""
    for attempt in range(3):
        try:
            with db.begin() as session:
                plan = plan_period(
                    session,
                    settings=settings,
                    period=period,
                    actor=actor,
                    now=clock.now(),
                    department_code=department_code,
                    source=source,
                )
            break
        except (sa.exc.IntegrityError, sa.exc.OperationalError):
            # Another process planned the same rows at the same moment; read them on the next round.
            if attempt == 2:
                raise
    delivery = deliver_due(
        db,
        settings=settings,
        transport=transport,
        clock=clock,
        worker=worker,
        period=period.label,
        scope=department_code,
    )
    return plan, delivery
