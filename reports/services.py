"""Build, archive and find the half-yearly status reports: the interface the CLI, web and scheduler use."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from quota_app.audit import services as audit
from quota_app.dispatch.report_source import ReportSource
from quota_app.errors import NotFound
from quota_app.models import MUNICIPALITY_SCOPE, Department, ReportArchive, User
from quota_app.periods import Period
from quota_app.texts import N_

from .data import DepartmentReport
from .gather import ReportContext, gather_consolidated_report, gather_context, gather_department_report
from .render import render_consolidated_report, render_department_report
from .stored import Report, to_json


def build_department_report(
    session: Session,
    *,
    period: Period,
    department_code: str,
    known_at: datetime,
    context: ReportContext | None = None,
) -> bytes:
    """Return the department's report for the period as known at known_at, as PDF bytes."""
    data = gather_department_report(
        session, period=period, department_code=department_code, known_at=known_at, context=context
    )
    return render_department_report(data)


def build_consolidated_report(
    session: Session, *, period: Period, known_at: datetime, context: ReportContext | None = None
) -> bytes:
    """Return the municipality's report (all departments side by side) as PDF bytes."""
    return render_consolidated_report(
        gather_consolidated_report(session, period=period, known_at=known_at, context=context)
    )


def build_all_reports(session: Session, *, period: Period, known_at: datetime) -> dict[str | None, bytes]:
    """Return every active department's report and the consolidated one (key None), reconciling once."""
    context = gather_context(session, period=period, known_at=known_at)
    reports: dict[str | None, bytes] = {
        d.code: build_department_report(
            session, period=period, department_code=d.code, known_at=known_at, context=context
        )
        for d in context.departments
    }
    reports[None] = build_consolidated_report(session, period=period, known_at=known_at, context=context)
    return reports


def sha256_of(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def _department(session: Session, code: str) -> Department:
    department = session.exec(select(Department).where(Department.code == code)).first()
    if department is None:
        raise NotFound(N_("Ukendt forvaltning '%(code)s'.", code=code))
    return department


def archive_report(
    session: Session,
    *,
    period: Period,
    department_code: str | None,
    known_at: datetime,
    pdf: bytes,
    actor: User | str,
    now: datetime,
    data: Report | None = None,
) -> ReportArchive:
    """Store a final report with its known_at and SHA-256 (department_code None: the consolidated one),
    and the data it was rendered from when given (for its HTML twin and the mail's verdict)."""
    department = _department(session, department_code) if department_code is not None else None
    entry = ReportArchive(
        period=period.label,
        department_id=department.id if department else None,
        scope=department.code if department else MUNICIPALITY_SCOPE,
        known_at=known_at,
        pdf=pdf,
        sha256=sha256_of(pdf),
        created_at=now,
        created_by_id=actor.id if isinstance(actor, User) else None,
        report_data=to_json(data) if data is not None else None,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session, actor=actor, action="report.archive", entity=entry, after=audit.snapshot(entry), at=now
    )
    return entry


def gather_report(
    session: Session,
    *,
    period: Period,
    department_code: str | None,
    known_at: datetime,
    context: ReportContext | None = None,
) -> Report:
    """A department's report data, or the consolidated report's (department_code None)."""
    if department_code is None:
        return gather_consolidated_report(session, period=period, known_at=known_at, context=context)
    return gather_department_report(
        session, period=period, department_code=department_code, known_at=known_at, context=context
    )


def render_report(data: Report) -> bytes:
    if isinstance(data, DepartmentReport):
        return render_department_report(data)
    return render_consolidated_report(data)


def build_archived_report(
    session: Session,
    *,
    period: Period,
    department_code: str | None,
    known_at: datetime,
    actor: User | str,
    now: datetime,
    context: ReportContext | None = None,
) -> ReportArchive:
    """Gather a report once, render its PDF, and archive the PDF with the data it shows."""
    data = gather_report(
        session, period=period, department_code=department_code, known_at=known_at, context=context
    )
    return archive_report(
        session,
        period=period,
        department_code=department_code,
        known_at=known_at,
        pdf=render_report(data),
        actor=actor,
        now=now,
        data=data,
    )


def find_archived(
    session: Session, *, period: Period, department_code: str | None, known_at: datetime | None = None
) -> ReportArchive | None:
    """Return the latest archived report for the period and scope (and known_at, if given), or None."""
    scope = department_code if department_code is not None else MUNICIPALITY_SCOPE
    statement = select(ReportArchive).where(
        ReportArchive.period == period.label, ReportArchive.scope == scope
    )
    if known_at is not None:
        statement = statement.where(ReportArchive.known_at == known_at)
    return session.exec(
        statement.order_by(col(ReportArchive.created_at).desc(), col(ReportArchive.id).desc())
    ).first()


def list_archived(
    session: Session, *, period: Period, scopes: list[str] | None = None
) -> list[ReportArchive]:
    """Return the archived reports of a period, newest first (scopes: department codes and/or 'KK')."""
    statement = (
        select(ReportArchive)
        .where(col(ReportArchive.period) == period.label)
        .options(defer(ReportArchive.pdf))  # type: ignore[arg-type]  # SQLModel types the mapped attribute as bytes
    )
    if scopes is not None:
        statement = statement.where(col(ReportArchive.scope).in_(scopes))
    return list(
        session.exec(
            statement.order_by(col(ReportArchive.created_at).desc(), col(ReportArchive.id).desc())
        ).all()
    )


def report_source() -> ReportSource:
    """These builders as dispatch takes them (dispatch never imports reports: it is given them)."""
    return ReportSource(
        build_department=build_department_report,
        build_consolidated=build_consolidated_report,
        archive=archive_report,
        gather=gather_context,
        build_archived=build_archived_report,
    )
