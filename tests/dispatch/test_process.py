"""`python -m scheduler` as a real process: it starts, reports its jobs, and a second one steps aside."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlmodel import SQLModel

from quota_app.db import Database
from quota_app.dispatch.heartbeat import scheduler_status
from quota_app.reference import ensure_departments
from tests.processes import LineReader

ROOT = Path(__file__).resolve().parents[2]


def test_the_scheduler_process_starts_reports_its_jobs_and_a_second_one_exits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'quota.db'}"
    db = Database(url)
    SQLModel.metadata.create_all(db.engine)
    with db.begin() as session:
        ensure_departments(session)
    env = {
        **os.environ,
        "QUOTA_ENV": "test",
        "QUOTA_SECRET_KEY": "test",
        "QUOTA_DATABASE_URL": url,
        "QUOTA_OUTBOX_PATH": str(tmp_path / "outbox"),
        "QUOTA_MISFIRE_GRACE_SECONDS": "60",
    }
    env.pop("QUOTA_SMTP_HOST", None)
    first = subprocess.Popen(
        [sys.executable, "-m", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = LineReader(first.stdout)  # type: ignore[arg-type]
    try:
        output.wait_for("status published", timeout=60, what="the scheduler's first status")
        with db.begin() as session:
            status = scheduler_status(session)
        assert status is not None
        assert set(status.next_runs) == {"dispatch", "reminder", "alert", "warning", "deliver", "imports"}
        assert all(value is not None for value in status.next_runs.values())

        second = subprocess.run(
            [sys.executable, "-m", "scheduler"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0
        assert "another scheduler process holds the lock" in second.stderr
        assert first.poll() is None  # the first one keeps running
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
        output.close()
        db.dispose()
    assert first.returncode == 0, output.text()
    assert "scheduler stopped" in output.text()
