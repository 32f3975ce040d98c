"""A worker process killed in the middle of saving an import: nothing is saved, the job runs again, once.

The worker is the real `quota import run-jobs` command in its own process. A test hook makes it stop, after it
has written events in its (open) transaction and reported that progress, on a FIFO that nobody writes: the
test then kills it with SIGKILL, as a restarted web worker or a crashed host would be.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from benchmarks.databases import fresh_database
from quota_app.auth import services as auth
from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.imports import jobs
from quota_app.imports.leases import LEASE_CLASS, ProgressFile
from quota_app.imports.uploads import UploadStore
from quota_app.models import ImportJob, Place, PlaceEvent
from quota_app.reference import ensure_default_rules, ensure_departments, ensure_placement_types
from tests.conftest import T0, TEST_PASSWORD
from tests.processes import LineReader

ROOT = Path(__file__).resolve().parents[2]
HEADER = "reference;department;type;status;effective_date;unit;title;fte;note"
PLACES = 3000  # two events each: the events are written in chunks of 2,000, so the pause falls mid-way


def _counts(db: Database) -> tuple[int, int]:
    with db.begin(write=False) as session:
        return (
            session.execute(sa.select(sa.func.count()).select_from(Place)).scalar_one(),
            session.execute(sa.select(sa.func.count()).select_from(PlaceEvent)).scalar_one(),
        )


def _wait_until_lease_free(db: Database, job_id: int) -> None:
    """PostgreSQL ends a killed client's session (and its advisory locks) when it notices the closed
    connection: wait on the lease itself, as a blocking lock bounded by lock_timeout. (On SQLite the lease
    is a file lock, which the kernel releases when the process dies.)"""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as conn:
        conn.execute(sa.text("SET lock_timeout = '30s'"))
        lease = {"c": LEASE_CLASS, "j": job_id}
        conn.execute(sa.text("SELECT pg_advisory_lock(:c, :j)"), lease)
        conn.execute(sa.text("SELECT pg_advisory_unlock(:c, :j)"), lease)
        conn.rollback()


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_killed_worker_saves_nothing_and_the_job_runs_again_exactly_once(  # type: ignore[no-untyped-def]
    engine_name, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv(jobs.PAUSE_ENV, raising=False)
    try:
        database = fresh_database(engine_name)
        url = database.__enter__()
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    db = Database(url)
    try:
        SQLModel.metadata.create_all(db.engine)
        with db.begin() as session:
            ensure_departments(session)
            ensure_placement_types(session)
            ensure_default_rules(session, 2025)
        with db.begin() as session:
            hr = auth.create_user(
                session,
                email="hr@test.kk.dk",
                role="hr",
                password=TEST_PASSWORD,
                department_code="SOF",
                actor="test",
                now=T0,
            )
            hr_id, department_id = hr.id, hr.department_id
        rows = [
            f"SOF-K{n:05d};SOF;Virksomhedspraktik;{status};{day}-08-2025;;Praktik;1;"
            for n in range(PLACES)
            for status, day in (("åben", "01"), ("besat", "15"))
        ]
        data = ("\r\n".join((HEADER, *rows)) + "\r\n").encode()
        instance = tmp_path / "instance"
        store = UploadStore(instance / "imports")
        upload = store.save(data, filename="k.csv", user_id=hr_id, department_id=department_id, now=T0)
        with db.begin() as session:
            job, _new = jobs.create_job(
                session,
                token=upload.token,
                filename="k.csv",
                user_id=hr_id,
                department_id=department_id,
                rows_total=len(rows),
                now=T0,
            )
            job_id = job.id
        before = _counts(db)

        fifo = tmp_path / "pause"
        os.mkfifo(fifo)
        env = {
            **os.environ,
            "QUOTA_ENV": "test",
            "QUOTA_SECRET_KEY": "test",
            "QUOTA_DATABASE_URL": url,
            "QUOTA_INSTANCE_PATH": str(instance),
            jobs.PAUSE_ENV: str(fifo),
        }
        worker = subprocess.Popen(
            [sys.executable, "-c", "from quota_app.cli import main; main()", "import", "run-jobs"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = LineReader(worker.stdout)  # type: ignore[arg-type]
        try:
            output.wait_for("saving began", timeout=120, what="the worker to begin saving")
            progress = ProgressFile(store.folder, job_id).read()
            assert progress is not None and progress.phase == "saving" and 0 < progress.done < 2 * PLACES
            with db.begin(write=False) as session:
                assert session.get(ImportJob, job_id).state == "running"  # type: ignore[union-attr]
            assert _counts(db) == before  # written, but not committed: nobody else sees it
            assert jobs.recover(db, store.folder, now=T0) == 0  # alive: its lease is held
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=60)
            output.close()
        assert worker.returncode == -signal.SIGKILL

        # The next look, once the dead worker's lease is free: the job is queued again.
        _wait_until_lease_free(db, job_id)
        assert jobs.recover(db, store.folder, now=T0) == 1
        with db.begin() as session:
            job = session.get(ImportJob, job_id)
            assert (job.state, job.attempts, job.result) == ("queued", 1, None)  # type: ignore[union-attr]
        assert _counts(db) == before  # nothing of the killed import was saved

        runner = jobs.runner_for(db, FrozenClock(T0), instance, worker="test-rerun")
        assert runner.run_all() == [job_id]
        with db.begin() as session:
            job = session.get(ImportJob, job_id)
            assert (job.state, job.attempts) == ("done", 2)  # type: ignore[union-attr]
            assert job.result["events_created"] == len(rows)  # type: ignore[union-attr,index]
        assert _counts(db) == (before[0] + PLACES, before[1] + len(rows))  # exactly the file's events
    finally:
        db.dispose()
        database.__exit__(None, None, None)
