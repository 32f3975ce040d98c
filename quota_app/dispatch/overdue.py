"""Is dispatch on time? The periods whose reports should have gone out and have not.

A half-year's reports are *planned* for the first run of the dispatch schedule (QUOTA_DISPATCH_CRON,
15 Feb/Aug 08:00 in Copenhagen by default) after the half-year ends. Within QUOTA_MISFIRE_GRACE_SECONDS
of that moment the scheduler still catches up by itself when it (re)starts (scheduler.jobs.catch_up_in);
after it nothing automatic will send them. From then on the period is *overdue* while its ledger holds
no report rows, or still holds rows waiting to go out: BIF's pages show it, the daily alert mail says
it, and `quota dispatch --check` exits 1.

Only the last LOOKBACK_PERIODS half-years are looked at, and only those whose planned time came after
the app was in use (a place event was recorded before it): a new installation is not told that it never
sent the reports of a half-year before its time.

The cron expression is evaluated with croniter: the web app may not import APScheduler (an import-linter
contract); for the schedules used here (minute, hour, day of month, month; weekday names) both read the
same expression the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from croniter import CroniterError, croniter
from sqlmodel import Session, col, select

from ..formatting import PeriodName, TimeOfDay
from ..models import REPORT_KINDS, Dispatch, PlaceEvent
from ..periods import Period, last_completed_half_year
from ..settings import Settings
from ..texts import N_, Text

LOOKBACK_PERIODS = 2  # the half-year just ended and the one before it
WAITING_STATES = ("pending", "sending")


@dataclass(frozen=True)
class OverduePeriod:
    period: Period
    planned_at: datetime  # aware, in the settings' zone
    due_at: datetime  # planned_at + the grace: from here on nothing sends it by itself
    waiting: int  # ledger rows of the period still waiting to go out (0: nothing was planned at all)

    @property
    def label(self) -> str:
        return self.period.label

    def describe(self, settings: Settings) -> Text:
        """One line (the CLI and the alert mail): what is late, since when, what to do."""
        planned = self.planned_at.astimezone(settings.zone)
        when = {
            "period": PeriodName(self.period),
            "code": self.label,
            "day": planned.date(),
            "time": TimeOfDay(planned),
        }
        if self.waiting:
            return N_(
                "Halvårsstatus for %(period)s er ikke sendt færdig (%(waiting)s mail(s) venter stadig); "
                "den skulle være sendt %(day)s kl. %(time)s. "
                "Send den fra siden Udsendelser eller med: quota dispatch --period %(code)s",
                waiting=self.waiting,
                **when,
            )
        return N_(
            "Halvårsstatus for %(period)s er ikke sendt; den skulle være sendt %(day)s kl. %(time)s. "
            "Send den fra siden Udsendelser eller med: quota dispatch --period %(code)s",
            **when,
        )


def planned_time(settings: Settings, period: Period) -> datetime | None:
    """The first run of the dispatch schedule after the period's last day (in the settings' zone), or
    None for a schedule that never runs (e.g. '0 8 31 2 *': nothing is planned, so nothing is late)."""
    day_after = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=settings.zone)
    try:
        # croniter gives the first fire strictly after its start: start a second early so midnight counts.
        return croniter(settings.dispatch_cron, day_after - timedelta(seconds=1)).get_next(datetime)
    except CroniterError:
        return None


def overdue_periods(session: Session, *, settings: Settings, now: datetime) -> list[OverduePeriod]:
    """The half-years, oldest first, whose reports have not gone out by their planned time plus grace."""
    grace = timedelta(seconds=settings.misfire_grace_seconds)
    period = last_completed_half_year(now.astimezone(settings.zone).date())
    found: list[OverduePeriod] = []
    for _i in range(LOOKBACK_PERIODS):
        planned = planned_time(settings, period)
        if planned is not None and planned + grace <= now:
            rows, waiting = _ledger(session, period, now)
            # the ledger first (its unique index starts with the period); the scan of events only then
            if (rows == 0 or waiting) and _in_use_before(session, planned):
                found.append(OverduePeriod(period, planned, planned + grace, waiting))
        period = period.previous()
    return found[::-1]


def _in_use_before(session: Session, moment: datetime) -> bool:
    return session.exec(select(sa.exists().where(col(PlaceEvent.recorded_at) < moment))).one()


def _ledger(session: Session, period: Period, now: datetime) -> tuple[int, int]:
    """(report rows of the period planned by now, of which still waiting to go out)."""
    rows = session.exec(
        select(Dispatch.state, sa.func.count())
        .where(
            Dispatch.period == period.label,
            col(Dispatch.kind).in_(REPORT_KINDS),
            Dispatch.created_at <= now,
        )
        .group_by(Dispatch.state)
    ).all()
    return sum(n for _state, n in rows), sum(n for state, n in rows if state in WAITING_STATES)
