"""What shows that an import job is alive and how far it has come: its lease, its progress file, its status."""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..db import Database
from ..models import ImportJob

LEASE_CLASS = 7_424_031  # PostgreSQL advisory lock namespace (two-int form: class, job id)


@dataclass(frozen=True)
class Progress:
    phase: str  # "reading" (rows of the file) or "saving" (events written)
    done: int
    total: int


class ProgressFile:
    """The live progress of a running job, in <folder>/job-<id>.progress (written atomically)."""

    def __init__(self, folder: Path, job_id: int) -> None:
        self.path = folder / f"job-{job_id}.progress"

    def write(self, progress: Progress) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(progress.__dict__), encoding="utf-8")
        tmp.replace(self.path)

    def read(self) -> Progress | None:
        try:
            return Progress(**json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.path.with_suffix(".tmp").unlink(missing_ok=True)


class Lease:
    """Held by whoever runs (or recovers) a job; released by the OS or the database when its holder dies."""

    def __init__(self, db: Database, folder: Path, job_id: int) -> None:
        self.db, self.folder, self.job_id = db, folder, job_id
        self._handle: Any = None

    def acquire(self) -> bool:
        if self.db.engine.dialect.name == "postgresql":
            connection = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:c, :j)"), {"c": LEASE_CLASS, "j": self.job_id}
            ).scalar()
            if got:
                self._handle = connection
                return True
            connection.close()
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = (self.folder / f"job-{self.job_id}.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        if isinstance(handle, sa.Connection):
            try:
                handle.execute(
                    sa.text("SELECT pg_advisory_unlock(:c, :j)"), {"c": LEASE_CLASS, "j": self.job_id}
                )
            except sa.exc.DBAPIError:
                handle.invalidate()  # never hand a connection that may still hold the lock back to the pool
            handle.close()
        else:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


@contextlib.contextmanager
def leased(db: Database, folder: Path, job_id: int) -> Iterator[bool]:
    lease = Lease(db, folder, job_id)
    got = lease.acquire()
    try:
        yield got
    finally:
        lease.release()


def status(job: ImportJob, folder: Path) -> dict[str, Any]:
    """The job as the status page and its JSON show it (messages as texts.to_data, for the reader's language)."""
    progress = ProgressFile(folder, job.id).read() if job.state == "running" else None
    if job.state == "done":
        progress = Progress("done", job.rows_total, job.rows_total)
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "filename": job.filename,
        "attempts": job.attempts,
        "phase": progress.phase if progress else None,
        "done": progress.done if progress else 0,
        "total": progress.total if progress else job.rows_total,
        "percent": _percent(job, progress),
        "result": job.result,
        "error": job.error,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def _percent(job: ImportJob, progress: Progress | None) -> int:
    """Reading the rows is the first half of the bar, saving the events the second."""
    if job.state == "done":
        return 100
    if progress is None or progress.total <= 0:
        return 0
    if job.kind == "preview":
        return min(progress.done, progress.total) * 100 // progress.total
    share = min(progress.done, progress.total) * 50 // progress.total
    return share + (50 if progress.phase == "saving" else 0)
