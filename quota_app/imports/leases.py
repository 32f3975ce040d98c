"""What shows that an import job is alive and how far it has come: its lease and its progress file."""

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
            with contextlib.suppress(sa.exc.DBAPIError):
                handle.execute(
                    sa.text("SELECT pg_advisory_unlock(:c, :j)"), {"c": LEASE_CLASS, "j": self.job_id}
                )
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
