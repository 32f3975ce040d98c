"""What each mail says: the data a ledger row's templates need, rendered into the mail (the same for the
preview in the browser and for sending). The words are in templates/dispatch/mail/<kind>/ (plain text and
HTML, translatable); this module only gathers the figures, from data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from ..mail.services import Attachment, OutgoingMail, PermanentMailError
from ..mail.templates import render_mail
from ..models import MUNICIPALITY_SCOPE, REPORT_KINDS, Department, Dispatch, ReportArchive
from ..periods import parse_period
from ..settings import Settings
from ..texts import N_, ByLanguage, title_and_name
from ..verdicts import lines, verdict_figures
from .ledger import about, alert_window_start
from .open_places import open_places_of, opened_places
from .overdue import overdue_periods
from .report_links import link_url
from .weekly_warning import warning_context

TEMPLATES = Path(__file__).resolve().parent / "templates"
LONG_OPEN_DAYS = 90


def pdf_filename(period: str, scope: str) -> str:
    """A Danish file name, e.g. halvaarsstatus-2025-H1-SOF.pdf (samlet for the consolidated report)."""
    name = "samlet" if scope == MUNICIPALITY_SCOPE else scope
    safe = name.replace("Ø", "OE").replace("Æ", "AE").replace("Å", "AA").replace("ø", "oe")
    return f"halvaarsstatus-{period}-{safe}.pdf"


def compose(
    session: Session, row: Dispatch, *, settings: Settings, link_token: str | None = None
) -> OutgoingMail:
    """The mail a ledger row stands for, in the installation's language (QUOTA_DEFAULT_LOCALE). A report
    mail carries the link with link_token to the report's HTML page (none without QUOTA_BASE_URL)."""
    department = session.get(Department, row.department_id) if row.department_id else None
    attachments: tuple[Attachment, ...] = ()
    if row.kind in REPORT_KINDS:
        archive = session.get(ReportArchive, row.archive_id) if row.archive_id else None
        if archive is None:
            raise PermanentMailError(N_("Rapporten mangler i arkivet; planlæg udsendelsen igen."))
        attachments = (Attachment(pdf_filename(row.period or "", row.scope), archive.pdf),)
    context = _CONTEXTS[row.kind](session, row, department, settings)
    if row.kind in REPORT_KINDS:
        context["report_link"] = (
            link_url(settings.base_url, link_token) if link_token and settings.base_url else ""
        )
    mail = render_mail(
        TEMPLATES,
        f"dispatch/mail/{row.kind}",
        language=settings.default_locale,
        reply_to=settings.mail_reply_to,
        **context,
    )
    return OutgoingMail(
        to=(row.recipient,),
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        attachments=attachments,
        language=settings.default_locale,
    )


def _known_department(department: Department | None) -> Department:
    if department is None:
        raise PermanentMailError(N_("Forvaltningen findes ikke længere."))
    return department


def _report(
    session: Session, row: Dispatch, department: Department | None, settings: Settings
) -> dict[str, Any]:
    archive = session.get(ReportArchive, row.archive_id)
    assert archive is not None  # compose found it
    department = _known_department(department)
    # The verdict the PDF opens with, in three lines; a report archived without its data has none.
    figures = verdict_figures((archive.report_data or {}).get("verdict"))
    return {
        "department": department,
        "addressee": title_and_name(department.mayor_title, department.mayor_name),
        "period": parse_period(row.period or ""),
        "known": archive.known_at.astimezone(settings.zone),
        "copy": row.recipient != department.mayor_email.strip().lower(),
        "verdict": lines(figures) if figures is not None else (),
    }


def _consolidated(
    session: Session, row: Dispatch, department: Department | None, settings: Settings
) -> dict[str, Any]:
    return {"period": parse_period(row.period or "")}


@dataclass(frozen=True)
class ReminderPlace:
    """An open place in the reminder, with how long it has been open on the reminder's day."""

    reference: str
    title: str
    type_name: ByLanguage
    unit: str
    since: date | None
    days_open: int | None

    @property
    def long_open(self) -> bool:
        return self.days_open is not None and self.days_open >= LONG_OPEN_DAYS


def _reminder(
    session: Session, row: Dispatch, department: Department | None, settings: Settings
) -> dict[str, Any]:
    department = _known_department(department)
    as_of = row.created_at.astimezone(settings.zone).date()
    places = [
        ReminderPlace(
            p.reference, p.title, p.type_name, p.unit, p.since, (as_of - p.since).days if p.since else None
        )
        for p in open_places_of(session, department.id)
    ]
    return {
        "department": department,
        "period": parse_period(row.period or ""),
        "places": places,
        "long_open": sum(1 for place in places if place.long_open),
        "long_open_days": LONG_OPEN_DAYS,
    }


def _alert(
    session: Session, row: Dispatch, department: Department | None, settings: Settings
) -> dict[str, Any]:
    since = alert_window_start(session, row.recipient, row.created_at)
    return {
        "day": row.as_of,
        "since": since.astimezone(settings.zone),
        "places": opened_places(session, since=since, until=row.created_at),
        # a missed half-year dispatch comes first
        "late": overdue_periods(session, settings=settings, now=row.created_at),
        "settings": settings,
    }


def _failure_notice(
    session: Session, row: Dispatch, department: Department | None, settings: Settings
) -> dict[str, Any]:
    failed = about(session, row)
    return {"failed": failed, "about": failed.period or (failed.as_of.isoformat() if failed.as_of else "")}


_CONTEXTS: dict[str, Callable[[Session, Dispatch, Department | None, Settings], dict[str, Any]]] = {
    "report": _report,
    "consolidated": _consolidated,
    "reminder": _reminder,
    "alert": _alert,
    "warning": warning_context,
    "failure_notice": _failure_notice,
}
