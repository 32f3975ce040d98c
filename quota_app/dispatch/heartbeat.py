"""The scheduler's heartbeat: the scheduler process writes its jobs' next runs and the time, the web app
reads them (an AppText row; neither process imports the other)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from ..models import AppText

# The scheduler writes its heartbeat after every job, so at least every minute (its `imports` job): older
# than this, BIF's page warns and /readyz answers 503.
HEARTBEAT_STALE_AFTER = timedelta(minutes=15)

SCHEDULER_STATUS_KEY = "scheduler.status"


@dataclass(frozen=True)
class SchedulerStatus:
    worker: str
    heartbeat: datetime
    next_runs: dict[str, datetime | None]


def publish_status(
    session: Session, *, worker: str, now: datetime, next_runs: Iterable[tuple[str, datetime | None]]
) -> None:
    """Write the scheduler's job table and a heartbeat (flush only; the scheduler commits)."""
    value = json.dumps(
        {
            "worker": worker,
            "heartbeat": now.isoformat(),
            "jobs": [
                {"id": job_id, "next_run_time": t.isoformat() if t else None} for job_id, t in next_runs
            ],
        }
    )
    text = session.get(AppText, SCHEDULER_STATUS_KEY) or AppText(key=SCHEDULER_STATUS_KEY, updated_at=now)
    text.value, text.updated_at = value, now
    session.add(text)
    session.flush()


def scheduler_status(session: Session) -> SchedulerStatus | None:
    """The job table and heartbeat the scheduler last wrote, or None (never written, or unreadable)."""
    text = session.get(AppText, SCHEDULER_STATUS_KEY)
    if text is None or not text.value:
        return None
    try:
        data = json.loads(text.value)
        return SchedulerStatus(
            worker=str(data["worker"]),
            heartbeat=datetime.fromisoformat(data["heartbeat"]),
            next_runs={
                job["id"]: datetime.fromisoformat(job["next_run_time"]) if job["next_run_time"] else None
                for job in data["jobs"]
            },
        )
    except (ValueError, KeyError, TypeError):
        return None
