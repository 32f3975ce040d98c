"""The weekly early warning (issue 16, point 5; docs/forecast.md §5): planned once a week per recipient.

BIF's address (QUOTA_BIF_EMAIL) gets every department's lines, each department's HR contacts only their
own: the department × type lines whose projected fulfilment at the year end is below 90 %
(forecast.summary.below_threshold), and the status changes recorded in the past week more than 30 days
after their date (forecast.summary.late_registrations). Nothing to warn about: no row, no mail.

A row is about the week's Monday (`as_of`), so the unique (as_of, scope, recipient, kind) lets it be
planned once a week whatever day and how often the job runs. The mail says what was known when the row
was planned (its created_at): the projection and the late registrations are read as known at that moment,
so composing it again (a retry, the preview) says the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from ..forecast.pace import pace_needed, type_names
from ..forecast.projection import project
from ..forecast.summary import (
    LATE_REGISTRATION_DAYS,
    WARNING_PCT,
    LateRegistration,
    below_threshold,
    late_registrations,
)
from ..formatting import Decimal, Percent
from ..models import MUNICIPALITY_SCOPE, Department, Dispatch
from ..reconcile.rules import types_by_code
from ..settings import Settings
from ..texts import Text
from .ledger import Actor, _active_departments, _add, planned

KIND = "warning"
LATE_WINDOW = timedelta(days=7)  # "the past week": the status changes recorded in the 7 days before


def week_of(day: date) -> date:
    """The Monday of day's week: what a weekly warning is about."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WarningLine:
    """A department × type line projected below the threshold at the year end."""

    department: str
    type_name: Text
    target: int
    counted: Text
    projected: Text
    low: Text
    high: Text
    projected_pct: Text
    needed: int
    pace: Text | None  # what it takes, in words (docs/forecast.md §3)


@dataclass(frozen=True)
class LateLine:
    late: LateRegistration
    type_name: Text


@dataclass(frozen=True)
class WeeklyWarning:
    day: date  # the local date the warning was made
    year: int
    lines: tuple[WarningLine, ...]
    late: tuple[LateLine, ...]

    def __bool__(self) -> bool:
        return bool(self.lines or self.late)

    def of(self, department: str) -> WeeklyWarning:
        """The lines of one department only (what its HR contacts get)."""
        return WeeklyWarning(
            day=self.day,
            year=self.year,
            lines=tuple(line for line in self.lines if line.department == department),
            late=tuple(line for line in self.late if line.late.department == department),
        )


def gather_warning(
    session: Session, *, settings: Settings, known_at: datetime, department_codes: Sequence[str] | None
) -> WeeklyWarning:
    """What a warning made at known_at says, for these departments (None: every active one)."""
    today = known_at.astimezone(settings.zone).date()
    projection = project(
        session, year=today.year, as_of=today, known_at=known_at, department_codes=department_codes
    )
    below = below_threshold(projection, WARNING_PCT)
    late = late_registrations(
        session,
        since=known_at - LATE_WINDOW,
        until=known_at,
        zone=settings.zone,
        min_days=LATE_REGISTRATION_DAYS,
        department_codes=department_codes,
    )
    codes = sorted({r.type for r in below} | {r.type for r in late})
    names = type_names(types_by_code(session, codes)) if codes else {}
    pace = {(p.department, p.type): p.sentence for p in pace_needed(session, projection=projection)}
    lines = tuple(
        WarningLine(
            department=r.department,
            type_name=names[r.type],
            target=r.target or 0,  # never None: below_threshold keeps the lines with a target
            counted=Decimal(r.counted),
            projected=Decimal(r.year_end.projected),
            low=Decimal(r.year_end.low),
            high=Decimal(r.year_end.high),
            projected_pct=Percent(r.projected_pct or 0.0),  # never None, as the target
            needed=r.needed or 0,
            pace=pace.get((r.department, r.type)),
        )
        for r in below
    )
    return WeeklyWarning(
        day=today,
        year=today.year,
        lines=lines,
        late=tuple(LateLine(r, names[r.type]) for r in late),
    )


def _recipients(settings: Settings, department: Department | None) -> list[str]:
    if department is None:
        bif = settings.bif_email.strip().lower()
        return [bif] if bif else []
    return sorted({a.lower() for a in department.hr_addresses})


def plan_warnings(session: Session, *, settings: Settings, today: date, actor: Actor, now: datetime) -> int:
    """This week's warnings, to BIF (every department) and each department's HR contacts (their own
    lines), where there is something to warn about and the week's row is not there yet. Returns how many
    rows were added (flush only)."""
    week = week_of(today)
    scopes: list[tuple[str, Department | None]] = [(MUNICIPALITY_SCOPE, None)]
    scopes += [(d.code, d) for d in _active_departments(session)]
    everything: WeeklyWarning | None = None  # computed once, for every department, when a row may be missing
    added = 0
    for scope, department in scopes:
        existing = planned(session, kind=KIND, scope=scope, as_of=week)
        missing = [r for r in _recipients(settings, department) if r not in existing]
        if not missing:
            continue
        if everything is None:
            everything = gather_warning(session, settings=settings, known_at=now, department_codes=None)
        if not (everything if department is None else everything.of(department.code)):
            continue
        for recipient in missing:
            _add(
                session,
                Dispatch(
                    as_of=week,
                    department_id=department.id if department is not None else None,
                    scope=scope,
                    recipient=recipient,
                    kind=KIND,
                    created_at=now,
                ),
                actor=actor,
            )
            added += 1
    return added


def warning_context(
    session: Session, row: Dispatch, department: Department | None, settings: Settings
) -> dict[str, Any]:
    """The warning mail's context: what was known when the row was planned, for the row's scope."""
    codes = None if row.scope == MUNICIPALITY_SCOPE else [row.scope]
    warning = gather_warning(session, settings=settings, known_at=row.created_at, department_codes=codes)
    return {
        "warning": warning,
        "department": department,
        "threshold": Decimal(WARNING_PCT, digits=0),
        "late_days": LATE_REGISTRATION_DAYS,
    }
