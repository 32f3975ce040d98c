"""Build and run the BlockingScheduler: its own process, never inside web workers.

A database lock makes a second scheduler process harmless: PostgreSQL's session advisory lock, or on SQLite
an exclusive lock on a file next to the database. The process that does not get the lock exits, or with
QUOTA_SCHEDULER_STANDBY_SECONDS stands by and tries again that often, taking over when the holder dies:
the database drops a dead process's lock at once (its connection closes), and a vanished machine's within
about a minute (TCP keepalives on the lock's connection, LOCK_KEEPALIVES). The holder checks its lock after
every job (at least once a minute) and exits 1 when it has lost it. (Even two holders at once would send
nothing twice: every ledger row is claimed in the database before sending.)
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from quota_app.db import Database
from quota_app.ops.logs import configure_logging
from quota_app.settings import Settings

from . import jobs

log = logging.getLogger("quota.scheduler")

ADVISORY_LOCK_KEY = 7_424_031_501  # "the quota scheduler", any fixed 64-bit number
DELIVER_EVERY_MINUTES = 5
IMPORTS_EVERY_MINUTES = 1  # queued or abandoned browser imports
# The server probes the lock holder's connection after 20 s of silence, every 5 s, and drops it (and the
# lock) after 4 unanswered probes: a holder whose machine vanished frees the lock in about 40 s.
LOCK_KEEPALIVES = {"tcp_keepalives_idle": 20, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 4}


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
            for name, value in LOCK_KEEPALIVES.items():
                connection.execute(sa.text(f"SET {name} = {int(value)}"))
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

    def still_held(self) -> bool:
        """False when the lock's database connection is gone (and with it, on the server, the lock)."""
        if self._connection is None:
            return self._file is not None
        try:
            self._connection.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:  # the driver's error, or (asked again) the connection's invalid state
            return False

    def wait(self, every_seconds: int, stop: threading.Event) -> bool:
        """Stand by until the lock is ours (True), trying every so many seconds, or until stop is set."""
        while not stop.is_set():
            try:
                if self.acquire():
                    return True
            except sa.exc.DBAPIError as exc:  # the database is away for now: keep standing by
                log.warning("standby: cannot reach the database to try the lock: %s", exc)
            stop.wait(every_seconds)
        return False

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):  # a broken connection has lost it already
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
        jobs.warning_job, jobs.warning_trigger(settings), id="warning", name="Tidlig varsling", **common
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
    try:
        ctx = jobs.context()
        configure_logging(ctx.settings)
        lock = SchedulerLock(ctx.db)
        acquired = lock.acquire()
    except Exception as exc:  # as the quota command: what the operator must fix, in one line
        from quota_app.cli import operator_error

        message = operator_error(exc)
        if message is None:
            raise
        print(f"Fejl: {message}", file=sys.stderr)
        return 1
    # SIGTERM only sets a flag: an exception raised wherever the signal lands could be swallowed (APScheduler
    # catches what its listeners raise) and leave the process running. The lock is released on the way out.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    standby = ctx.settings.scheduler_standby_seconds
    if not acquired and not standby:
        log.warning("another scheduler process holds the lock; this one exits")
        return 0
    try:
        if not acquired:
            log.info("another scheduler process holds the lock; standing by (trying every %d s)", standby)
            if not lock.wait(standby, stop):
                log.info("scheduler stopped")
                return 0
            log.info("took over the scheduler lock")
        code = _run(ctx, lock, stop)
    except KeyboardInterrupt:
        code = 0
    finally:
        lock.release()
    log.info("scheduler stopped")
    return code


def _run(ctx: jobs.JobContext, lock: SchedulerLock, stop: threading.Event) -> int:
    """Catch up, then run the jobs (in the background) until SIGTERM or until the lock is lost: 1 then (the
    service manager restarts the process, which then stands by or takes the lock again)."""
    done = jobs.catch_up_in(ctx)
    log.info("catch-up on start: %s", ", ".join(done) or "nothing missed")
    scheduler = build_scheduler(ctx.settings, scheduler_class=BackgroundScheduler)
    lost = threading.Event()

    def _after_job(_event: Any) -> None:
        if not lock.still_held():
            log.error("the scheduler lock was lost (its database connection broke); stopping")
            lost.set()
            stop.set()
            return
        jobs.publish_status(ctx, next_runs(scheduler, ctx))

    scheduler.add_listener(_after_job, EVENT_SCHEDULER_STARTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    log.info("scheduler starting with %d jobs", len(scheduler.get_jobs()))
    scheduler.start()
    try:
        while not stop.wait(timeout=60):
            pass
    finally:
        scheduler.shutdown(wait=False)
    return 1 if lost.is_set() else 0


if __name__ == "__main__":
    sys.exit(main())
