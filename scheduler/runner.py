"""Build and run the BlockingScheduler: its own process, never inside web workers.

A database lock makes a second scheduler process harmless: PostgreSQL's session advisory lock, or on SQLite
an exclusive lock on a file next to the database. The process that does not get the lock exits. (Even
without it nothing would be sent twice: every ledger row is claimed in the database before sending.)
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import signal
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from quota_app.db import Database
from quota_app.settings import Settings

from . import jobs

log = logging.getLogger("quota.scheduler")

ADVISORY_LOCK_KEY = 7_424_031_501  # "the quota scheduler", any fixed 64-bit number
DELIVER_EVERY_MINUTES = 5
IMPORTS_EVERY_MINUTES = 1  # queued or abandoned browser imports


class SchedulerLock:
    """Held for the life of the process; acquire() returns False if another scheduler holds it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._connection: sa.Connection | None = None
        self._file: Any = None

    def acquire(self) -> bool:
        engine = self.db.engine
        if engine.dialect.name == "postgresql":
            connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            if got.scalar():
                self._connection = connection
                return True
            connection.close()
            return False
        database = engine.url.database or "quota"
        path = Path(f"{database}.scheduler.lock") if database != ":memory:" else Path("quota.scheduler.lock")
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(sa.exc.DBAPIError):
                self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
            self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def build_scheduler(
    settings: Settings,
    *,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
    database_url: str | None = None,
) -> BaseScheduler:
    """A scheduler in the settings' time zone (QUOTA_TIMEZONE) with every job registered under a fixed id."""
    scheduler = scheduler_class(timezone=settings.zone)
    common = {
        "replace_existing": True,
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": settings.misfire_grace_seconds,
        "kwargs": {"database_url": database_url},
    }
    scheduler.add_job(
        jobs.dispatch_job, jobs.dispatch_trigger(settings), id="dispatch", name="Halvårsstatus", **common
    )
    scheduler.add_job(
        jobs.reminder_job, jobs.reminder_trigger(settings), id="reminder", name="Påmindelser", **common
    )
    scheduler.add_job(
        jobs.alert_job, jobs.alert_trigger(settings), id="alert", name="Ledige pladser", **common
    )
    scheduler.add_job(
        jobs.deliver_job,
        IntervalTrigger(minutes=DELIVER_EVERY_MINUTES, timezone=settings.zone),
        id="deliver",
        name="Genforsøg",
        **common,
    )
    scheduler.add_job(
        jobs.import_jobs_job,
        IntervalTrigger(minutes=IMPORTS_EVERY_MINUTES, timezone=settings.zone),
        id="imports",
        name="Importer i baggrunden",
        **common,
    )
    return scheduler


def next_runs(scheduler: BaseScheduler, ctx: jobs.JobContext) -> list[tuple[str, Any]]:
    now = ctx.clock.now()
    return [
        (job.id, getattr(job, "next_run_time", None) or job.trigger.get_next_fire_time(None, now))
        for job in scheduler.get_jobs()
    ]


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        ctx = jobs.context()
        lock = SchedulerLock(ctx.db)
        acquired = lock.acquire()
    except Exception as exc:  # as the quota command: what the operator must fix, in one line
        from quota_app.cli import operator_error

        message = operator_error(exc)
        if message is None:
            raise
        print(f"Fejl: {message}", file=sys.stderr)
        return 1
    if not acquired:
        log.warning("another scheduler process holds the lock; this one exits")
        return 0
    try:
        done = jobs.catch_up_in(ctx)
        log.info("catch-up on start: %s", ", ".join(done) or "nothing missed")
        scheduler = build_scheduler(ctx.settings)

        def _after_job(_event: Any) -> None:
            jobs.publish_status(ctx, next_runs(scheduler, ctx))

        scheduler.add_listener(_after_job, EVENT_SCHEDULER_STARTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        log.info("scheduler starting with %d jobs", len(scheduler.get_jobs()))
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))  # stop cleanly: release the lock
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            log.info("scheduler stopped")
            if scheduler.running:
                scheduler.shutdown(wait=False)
    finally:
        lock.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
