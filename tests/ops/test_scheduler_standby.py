"""A scheduler that finds the lock taken stands by (QUOTA_SCHEDULER_STANDBY_SECONDS) and takes over when the
holder dies; the holder notices a lost lock. PostgreSQL with two processes and a kill in the middle of
sending: test_scale_out.py; here the SQLite file lock, and the PostgreSQL lock's connection itself."""

from __future__ import annotations

import signal
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel

from benchmarks.databases import fresh_postgresql
from quota_app.db import Database
from quota_app.reference import ensure_departments
from scheduler.runner import ADVISORY_LOCK_KEY, LOCK_KEEPALIVES, SchedulerLock
from tests.ops.cluster import Scheduler, environment


def test_a_standby_scheduler_takes_over_when_the_holder_is_killed_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'quota.db'}"
    db = Database(url)
    SQLModel.metadata.create_all(db.engine)
    with db.begin() as session:
        ensure_departments(session)
    db.dispose()
    env = environment(
        QUOTA_ENV="test",
        QUOTA_DATABASE_URL=url,
        QUOTA_INSTANCE_PATH=str(tmp_path / "instance"),
        QUOTA_SCHEDULER_STANDBY_SECONDS="1",
    )
    first = Scheduler(env)
    second = None
    try:
        first.output.wait_for("Scheduler started", what="the first scheduler's jobs")
        second = Scheduler(env)
        second.output.wait_for("standing by", what="the second standing by")
        assert first.process.poll() is None and second.process.poll() is None
        first.process.send_signal(signal.SIGKILL)
        second.output.wait_for("took over the scheduler lock", timeout=60, what="the takeover")
        second.output.wait_for("Scheduler started", what="the second's jobs")
    finally:
        first.process.kill()
        first.stop()
        if second is not None:
            assert second.stop() == 0  # SIGTERM: stopped cleanly
            assert "scheduler stopped" in second.output.text()  # stop() read the output to its end


def test_the_holder_knows_when_its_lock_connection_is_gone(pg_url: str) -> None:
    with fresh_postgresql() as url:
        holder, other = SchedulerLock(Database(url)), SchedulerLock(Database(url))
        try:
            assert holder.acquire() and holder.still_held()
            assert other.acquire() is False
            connection = holder._connection
            assert connection is not None
            for name, value in LOCK_KEEPALIVES.items():  # a vanished machine's lock is dropped in ~40 s
                assert connection.execute(sa.text(f"SHOW {name}")).scalar_one() == str(value)
            with other.db.engine.connect() as admin:  # the holder's connection breaks (a network cut)
                admin.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks WHERE locktype = 'advisory'"
                        " AND objsubid = 1 AND (classid::bigint << 32) + objid::bigint = :key"
                    ),
                    {"key": ADVISORY_LOCK_KEY},
                )
            assert holder.still_held() is False  # it stops working (runner: exit 1)
            assert other.acquire() is True  # and another takes over
        finally:
            holder.release()
            other.release()
            holder.db.dispose()
            other.db.dispose()
