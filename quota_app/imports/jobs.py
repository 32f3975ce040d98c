"""Browser imports run in the background: per upload one preview job (the dry run) and one save job.

No web request reads or saves a large file itself (a 64 MB file takes longer than the server's timeout).
The life of a job: `create_job` (queued) → claimed (running, under a lease) → a save job writes the file in
ONE transaction that also marks the job done, or rolls back and marks it failed; a preview job hands its
result to `previewed` (kept with the upload) and saves nothing. Nothing is half-saved: a worker
that dies mid-import leaves an open transaction the database rolls back.

Liveness is a lease, not a heartbeat: the worker holds a lock the operating system or the database releases
the moment its process or connection dies (an exclusive flock on a file beside the upload on SQLite, a
session advisory lock on PostgreSQL). `recover` (the "next look": a status poll, the scheduler, the next
worker) takes the lease of a running job; if it gets it, the worker is gone and the job is queued again (at
most MAX_ATTEMPTS runs in all) or failed with a clear message. A job is claimed only by whoever holds its
lease, so it never runs twice at once; the final "done" update is fenced on the claim (state, attempt and
worker), so a worker that lost its job rolls its import back.

Progress (rows read, events saved) goes to a small file beside the upload, not to the database: on SQLite a
second connection's commit would break the import's read snapshot (SQLITE_BUSY_SNAPSHOT) or wait behind its
write lock. The instance folder is shared by the web workers already (the uploads live there).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..clock import Clock
from ..db import Database
from ..errors import DomainError
from ..models import ImportJob, User
from ..texts import N_, Text, to_data
from .files import ImportResult
from .leases import Lease, Progress, ProgressFile, leased
from .limits import ImportLimits
from .places import import_places
from .uploads import UploadStore, keep_preview

log = logging.getLogger("quota.imports")

MAX_ATTEMPTS = 3
INTERRUPTED = N_("Importen blev afbrudt; intet er gemt. Prøv igen.")
FILE_GONE = N_("Den uploadede fil findes ikke længere; intet er gemt. Upload filen igen.")
ROWS_WRONG = N_(
    "Filen passer ikke længere med det, der er registreret (forkerte rækker: %(count)d). "
    "Intet er gemt. Upload filen igen for at se rækkerne."
)
FAILED = N_("Importen mislykkedes på grund af en fejl hos os; intet er gemt. Prøv igen.")
PAUSE_ENV = "QUOTA_IMPORT_JOB_TEST_PAUSE"  # tests: a FIFO to block on once saving has begun


# --- Creating and looking ---


def create_job(
    session: Session,
    *,
    token: str,
    kind: str = "save",
    filename: str,
    user_id: int,
    department_id: int,
    rows_total: int,
    now: datetime,
) -> tuple[ImportJob, bool]:
    """Return the upload's job of this kind and whether it is new; a second confirm finds the first."""
    job = job_for_token(session, token, kind)
    if job is not None:
        return job, False
    job = ImportJob(
        token=token,
        kind=kind,
        filename=filename[:200],
        user_id=user_id,
        department_id=department_id,
        rows_total=rows_total,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(job)
    except sa.exc.IntegrityError:  # the other confirm got there first
        existing = job_for_token(session, token, kind)
        if existing is None:
            raise
        return existing, False
    return job, True


def job_for_token(session: Session, token: str, kind: str = "save") -> ImportJob | None:
    query = sa.select(ImportJob).where(col(ImportJob.token) == token, col(ImportJob.kind) == kind)
    return session.execute(query).scalar_one_or_none()


# --- Recovering, claiming, running ---


def recover(db: Database, folder: Path, *, now: datetime, job_ids: list[int] | None = None) -> int:
    """Queue again (or fail, after MAX_ATTEMPTS) every running job whose worker is gone; return how many."""
    with db.begin(write=False) as session:
        query = sa.select(col(ImportJob.id)).where(col(ImportJob.state) == "running")
        if job_ids is not None:
            query = query.where(col(ImportJob.id).in_(job_ids))
        running = list(session.execute(query).scalars())
    recovered = 0
    for job_id in running:
        with leased(db, folder, job_id) as got:
            if not got:
                continue  # its worker is alive
            with db.begin() as session:
                job = session.get(ImportJob, job_id)
                if job is None or job.state != "running":
                    continue
                if job.attempts >= MAX_ATTEMPTS:
                    job.state, job.error, job.finished_at = "failed", to_data(INTERRUPTED), now
                else:
                    job.state, job.claimed_by = "queued", None
                recovered += 1
            ProgressFile(folder, job_id).remove()
    return recovered


def _claim(db: Database, job_id: int, *, worker: str, now: datetime) -> int | None:
    """Mark a queued job running (whoever holds its lease); return its attempt number, or None.

    On SQLite one save job at a time: the database has one writer, and a second save would only wait for the
    first's write lock until its busy timeout. (The claim's own write lock makes the check atomic.)
    """
    with db.begin() as session:
        claim = sa.update(ImportJob).where(col(ImportJob.id) == job_id, col(ImportJob.state) == "queued")
        if db.engine.dialect.name == "sqlite":
            other = sa.orm.aliased(ImportJob)
            saving = sa.select(col(other.id)).where(col(other.state) == "running", col(other.kind) == "save")
            claim = claim.where(sa.or_(col(ImportJob.kind) != "save", ~saving.exists()))
        claimed = session.exec(
            claim.values(
                state="running",
                attempts=ImportJob.attempts + 1,
                claimed_by=worker[:100],
                started_at=now,
                rows_done=0,
            )
        )
        if claimed.rowcount != 1:
            return None
        return session.exec(select(col(ImportJob.attempts)).where(col(ImportJob.id) == job_id)).one()


@dataclass
class Runner:
    """What a job needs to run: the database, a clock, the uploads' folder and a way to read an upload."""

    db: Database
    clock: Clock
    folder: Path
    load: Callable[[str], bytes | None]  # the upload's bytes by token, None when it is gone
    forget: Callable[[str], None] | None = None  # drop an upload once its save job is finished
    previewed: Callable[[str, ImportResult | DomainError], None] | None = None  # keep a preview's result
    worker: str = f"pid{os.getpid()}"
    progress_every: int = 5000
    limits: ImportLimits = field(default_factory=ImportLimits)  # QUOTA_IMPORT_MAX_*: refused before parsing

    def run_next(self) -> int | None:
        """Recover abandoned jobs, then claim and run the oldest queued one; return its id (None: none)."""
        self.recover()
        with self.db.begin(write=False) as session:
            queued = list(
                session.exec(
                    select(col(ImportJob.id))
                    .where(col(ImportJob.state) == "queued")
                    .order_by(col(ImportJob.id))
                    .limit(20)
                )
            )
        for job_id in queued:
            lease = Lease(self.db, self.folder, job_id)
            if not lease.acquire():
                continue  # another worker is claiming it
            try:
                attempt = _claim(self.db, job_id, worker=self.worker, now=self.clock.now())
                if attempt is None:
                    continue
                self._run(job_id, attempt)
                return job_id
            finally:
                lease.release()
        return None

    def run_all(self) -> list[int]:
        ran: list[int] = []
        while (job_id := self.run_next()) is not None:
            ran.append(job_id)
        return ran

    def recover(self) -> int:
        return recover(self.db, self.folder, now=self.clock.now())

    def _run(self, job_id: int, attempt: int) -> None:
        with self.db.begin(write=False) as session:
            job = session.get(ImportJob, job_id)
            assert job is not None
            token, filename, user_id, department_id = job.token, job.filename, job.user_id, job.department_id
            rows_total, preview = job.rows_total, job.kind == "preview"
        fence = (job_id, attempt, self.worker[:100])
        data = self.load(token)
        if data is None:
            self._fail(fence, FILE_GONE)
            return
        board = ProgressFile(self.folder, job_id)
        reporter = _Reporter(board, rows_total, self.progress_every)
        session = self.db.session()
        try:
            if not preview and session.exec(_fenced(fence).values(rows_done=0)).rowcount != 1:
                return  # no longer ours
            # (A save's first statement is that write: on SQLite it takes the write lock before the import reads
            # anything, so no other commit can invalidate its snapshot half-way, SQLITE_BUSY_SNAPSHOT.)
            actor = session.get(User, user_id)
            result = import_places(
                session,
                data=data,
                filename=filename,
                actor=actor if actor is not None else "import",
                now=self.clock.now(),
                only_department_id=department_id,
                dry_run=preview,
                progress=reporter.read,
                on_saved=reporter.saved,
                limits=self.limits,
            )
            if preview:
                session.rollback()
                self._previewed(fence, token, result)
                return
            if not result.ok:
                session.rollback()
                self._fail(fence, N_(ROWS_WRONG.msgid, count=len(result.errors)), token)
                return
            counts = result.counts()
            now = self.clock.now()
            done = session.exec(
                _fenced(fence).values(
                    state="done",
                    rows_done=result.rows_read,
                    rows_total=result.rows_read,
                    result=counts,
                    finished_at=now,
                )
            )
            if done.rowcount != 1:  # recovered behind our back: the next run does it
                session.rollback()
                return
            session.commit()
        except DomainError as error:
            session.rollback()
            if preview:
                self._previewed(fence, token, error)
            else:
                self._fail(fence, error.message, token)
        except sa.exc.OperationalError:  # the database went away or stayed locked: as if the worker died
            session.rollback()
            log.exception("import job %s interrupted", job_id)
            self._interrupted(fence, attempt)
        except Exception:
            session.rollback()
            log.exception("import job %s failed", job_id)
            self._fail(fence, FAILED, token)
        else:
            if not preview:
                self._forget(token)
        finally:
            session.close()
            board.remove()

    def _interrupted(self, fence: tuple[int, int, str], attempt: int) -> None:
        if attempt >= MAX_ATTEMPTS:
            self._fail(fence, INTERRUPTED)
            return
        with self.db.begin() as session:
            session.execute(_fenced(fence).values(state="queued", claimed_by=None))

    def _fail(self, fence: tuple[int, int, str], message: Text | str, token: str | None = None) -> None:
        with self.db.begin() as session:
            session.execute(
                _fenced(fence).values(state="failed", error=to_data(message), finished_at=self.clock.now())
            )
        if token is not None:
            self._forget(token)  # it cannot be confirmed again: the user uploads a new file

    def _previewed(
        self, fence: tuple[int, int, str], token: str, outcome: ImportResult | DomainError
    ) -> None:
        """Keep the preview with the upload first, then mark the job done (a crash between: it runs again)."""
        if self.previewed is not None:
            self.previewed(token, outcome)
        rows = outcome.rows_read if isinstance(outcome, ImportResult) else 0
        errors = len(outcome.errors) if isinstance(outcome, ImportResult) else 1
        with self.db.begin() as session:
            session.execute(
                _fenced(fence).values(
                    state="done",
                    rows_done=rows,
                    rows_total=rows,
                    result={"rows_read": rows, "errors": errors},
                    finished_at=self.clock.now(),
                )
            )

    def _forget(self, token: str) -> None:
        if self.forget is not None:
            self.forget(token)


def _fenced(fence: tuple[int, int, str]) -> Any:
    job_id, attempt, worker = fence
    return sa.update(ImportJob).where(
        col(ImportJob.id) == job_id,
        col(ImportJob.state) == "running",
        col(ImportJob.attempts) == attempt,
        col(ImportJob.claimed_by) == worker,
    )


class _Reporter:
    """Turns the import's callbacks into progress-file writes, every `every` rows or events."""

    def __init__(self, board: ProgressFile, rows_total: int, every: int) -> None:
        self.board, self.rows_total, self.every = board, rows_total, every
        self._last_rows = self._last_saved = -every
        self._pause = os.environ.get(PAUSE_ENV)
        board.write(Progress("reading", 0, rows_total))

    def read(self, rows: int) -> None:
        if rows - self._last_rows >= self.every or rows == self.rows_total:
            self._last_rows = rows
            self.board.write(Progress("reading", rows, max(self.rows_total, rows)))

    def saved(self, events: int, total: int) -> None:
        if events - self._last_saved >= self.every or events == total:
            self._last_saved = events
            self.board.write(Progress("saving", events, total))
            if self._pause and events > 0:
                pause, self._pause = self._pause, None
                _pause_for_test(pause)


def _pause_for_test(fifo: str) -> None:
    """Tests only: say on stdout that saving has begun, then block until the FIFO is written (or we are
    killed)."""
    print(f"import job paused for the test: saving began (pid {os.getpid()})", flush=True)
    with open(fifo, encoding="utf-8") as handle:  # opening a FIFO for reading blocks until a writer comes
        handle.read()


def runner_for(
    db: Database, clock: Clock, instance_path: Path, *, worker: str, limits: ImportLimits | None = None
) -> Runner:
    """A Runner over the uploads of an instance folder (the web app's, the scheduler's, the CLI's)."""
    store = UploadStore(instance_path / "imports")

    def load(token: str) -> bytes | None:
        try:
            return store.load(token)[1]
        except KeyError:
            return None

    return Runner(
        db=db,
        clock=clock,
        folder=store.folder,
        load=load,
        forget=store.delete,
        previewed=lambda token, outcome: keep_preview(store, token, outcome),
        worker=worker,
        limits=limits or ImportLimits(),
    )
