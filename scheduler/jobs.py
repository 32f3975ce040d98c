"""The scheduler's jobs: module-level functions with plain arguments (APScheduler can store and call them).

Each job builds what it needs from the settings (QUOTA_* environment) and uses services and models only:
no Flask app, no views. The `*_in(ctx)` functions do the work against an explicit context, so tests can
give them a database, a transport and a controlled clock.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from apscheduler.triggers.cron import CronTrigger

from quota_app.clock import Clock
from quota_app.db import Database
from quota_app.dispatch import delivery, heartbeat, ledger, run, weekly_warning
from quota_app.dispatch.report_source import ReportSource
from quota_app.imports.jobs import runner_for
from quota_app.imports.limits import ImportLimits
from quota_app.mail.services import Transport, transport_from_settings
from quota_app.periods import last_completed_half_year
from quota_app.settings import REMINDER_CRON, Settings, load_settings
from reports.services import report_source

log = logging.getLogger("quota.scheduler")


@dataclass
class JobContext:
    settings: Settings
    db: Database
    clock: Clock
    transport: Transport
    source: ReportSource = field(default_factory=report_source)  # the reports package; tests pass their own

    @property
    def worker(self) -> str:
        return f"scheduler@{socket.gethostname()}:{os.getpid()}"


def context(database_url: str | None = None) -> JobContext:
    settings = load_settings()
    return JobContext(
        settings=settings,
        db=Database(
            database_url or settings.effective_database_url, lock_timeout_ms=settings.lock_timeout_ms
        ),
        clock=Clock(),
        transport=transport_from_settings(settings),
    )


def dispatch_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.dispatch_cron, timezone=settings.zone)


def alert_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.alert_cron, timezone=settings.zone)


def warning_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.warning_cron, timezone=settings.zone)


def reminder_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(REMINDER_CRON, timezone=settings.zone)


def last_fire_time(
    trigger: CronTrigger, now: datetime, *, horizon: timedelta = timedelta(days=400)
) -> datetime | None:
    """The latest time at or before now when the trigger fired (or would have), within the horizon."""
    last, moment = None, now - horizon
    while True:
        fire = trigger.get_next_fire_time(None, moment)
        if fire is None or fire > now:
            return last
        last, moment = fire, fire + timedelta(seconds=1)


# --- The work, against an explicit context ---


def dispatch_in(ctx: JobContext) -> ledger.PlanResult:
    """The half-yearly dispatch for the half-year that ended before today (local time)."""
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    period = last_completed_half_year(today)
    plan, delivered = run.run_dispatch(
        ctx.db,
        settings=ctx.settings,
        period=period,
        transport=ctx.transport,
        clock=ctx.clock,
        worker=ctx.worker,
        actor="scheduler",
        source=ctx.source,
    )
    log.info(
        "dispatch %s: %d planned, %d sent, %d failed",
        period,
        len(plan.new),
        len(delivered.sent),
        len(delivered.failed),
    )
    return plan


def deliver_in(ctx: JobContext) -> delivery.DeliveryResult:
    """Retries that are due, failure notices, and stale rows marked for a person to look at."""
    return delivery.deliver_due(
        ctx.db, settings=ctx.settings, transport=ctx.transport, clock=ctx.clock, worker=ctx.worker
    )


T = TypeVar("T")


def _plan_then_deliver(ctx: JobContext, plan: Callable[..., T]) -> T:
    """Plan in one transaction for today (in the settings' zone) as "scheduler", then deliver what is due."""
    now = ctx.clock.now()
    with ctx.db.begin() as session:
        planned = plan(
            session,
            settings=ctx.settings,
            today=now.astimezone(ctx.settings.zone).date(),
            actor="scheduler",
            now=now,
        )
    deliver_in(ctx)
    return planned


def reminder_in(ctx: JobContext) -> int:
    return _plan_then_deliver(ctx, ledger.plan_reminders)


def alert_in(ctx: JobContext) -> bool:
    return _plan_then_deliver(ctx, ledger.plan_alert) is not None


def warning_in(ctx: JobContext) -> int:
    """The weekly early warning (once a week per recipient and scope), then delivery."""
    return _plan_then_deliver(ctx, weekly_warning.plan_warnings)


def catch_up_in(ctx: JobContext) -> list[str]:
    """On start: run what was missed while the scheduler was stopped, once.

    The job store is in memory, so APScheduler itself does not know about missed runs. The ledger does:
    if the latest planned dispatch time lies within the misfire grace and that period has no report rows,
    the dispatch runs now (once: afterwards the rows exist). Reminders are idempotent per period and are
    simply planned; pending retries are delivered."""
    done: list[str] = []
    now = ctx.clock.now()
    last = last_fire_time(dispatch_trigger(ctx.settings), now)
    if last is not None and now - last <= timedelta(seconds=ctx.settings.misfire_grace_seconds):
        period = last_completed_half_year(last.astimezone(ctx.settings.zone).date())
        with ctx.db.begin() as session:
            planned = ledger.period_planned(session, period)
        if not planned:
            log.info("catching up the dispatch of %s planned for %s", period, last.isoformat())
            dispatch_in(ctx)
            done.append(f"dispatch {period.label}")
    if reminder_in(ctx):
        done.append("reminder")
    deliver_in(ctx)
    return done


def import_jobs_in(ctx: JobContext) -> list[int]:
    """Browser imports waiting in the background (a backstop: the web worker that took them runs them too)."""
    runner = runner_for(
        ctx.db,
        ctx.clock,
        ctx.settings.instance_path.resolve(),
        worker=ctx.worker,
        limits=ImportLimits.from_settings(ctx.settings),
    )
    return runner.run_all()


def publish_status(ctx: JobContext, jobs: list[tuple[str, datetime | None]]) -> None:
    """Write the job table and a heartbeat where the web app can show them (it never imports us)."""
    with ctx.db.begin() as session:
        heartbeat.publish_status(session, worker=ctx.worker, now=ctx.clock.now(), next_runs=jobs)
    log.info("status published: %d jobs", len(jobs))


# --- Module-level jobs, as registered with APScheduler (plain arguments only) ---


def dispatch_job(database_url: str | None = None) -> None:
    dispatch_in(context(database_url))


def deliver_job(database_url: str | None = None) -> None:
    deliver_in(context(database_url))


def reminder_job(database_url: str | None = None) -> None:
    reminder_in(context(database_url))


def alert_job(database_url: str | None = None) -> None:
    alert_in(context(database_url))


def warning_job(database_url: str | None = None) -> None:
    warning_in(context(database_url))


def import_jobs_job(database_url: str | None = None) -> None:
    import_jobs_in(context(database_url))
