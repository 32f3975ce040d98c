"""Import jobs as a service: queued → running → done, one per upload, leases, recovery and fencing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.imports import jobs, leases
from quota_app.imports.leases import Lease, Progress, ProgressFile
from quota_app.imports.places import import_places
from quota_app.imports.uploads import UploadStore
from quota_app.models import ImportJob, Place, PlaceEvent, User

HEADER = "reference;department;type;status;effective_date;unit;title;fte;note"


def _csv(places: int) -> bytes:
    rows = []
    for n in range(places):
        rows.append(f"SOF-J{n:05d};SOF;Virksomhedspraktik;åben;01-08-2025;Køkkenet;Praktik;1;")
        rows.append(f"SOF-J{n:05d};SOF;Virksomhedspraktik;besat;15-08-2025;Køkkenet;Praktik;1;")
    return ("\r\n".join((HEADER, *rows)) + "\r\n").encode()


def _counts(session: Session) -> tuple[int, int]:
    return (
        session.execute(sa.select(sa.func.count()).select_from(Place)).scalar_one(),
        session.execute(sa.select(sa.func.count()).select_from(PlaceEvent)).scalar_one(),
    )


@pytest.fixture
def hr(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user("hr", "SOF")


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def store(instance: Path) -> UploadStore:
    return UploadStore(instance / "imports")


@pytest.fixture
def runner(connection, clock: FrozenClock, instance: Path) -> jobs.Runner:  # type: ignore[no-untyped-def]
    return jobs.runner_for(Database.bound_to(connection), clock, instance, worker="test-worker")


def _queue(
    session: Session, store: UploadStore, hr: User, data: bytes, clock, kind: str = "save"
) -> ImportJob:  # type: ignore[no-untyped-def]
    upload = store.save(
        data, filename="p.csv", user_id=hr.id, department_id=hr.department_id, now=clock.now()
    )
    job, new = jobs.create_job(
        session,
        token=upload.token,
        kind=kind,
        filename=upload.filename,
        user_id=hr.id,
        department_id=hr.department_id,
        rows_total=0,
        now=clock.now(),
    )
    session.commit()
    assert new
    return job


def test_a_job_goes_queued_running_done_and_saves_what_a_direct_import_saves(  # type: ignore[no-untyped-def]
    session, store, runner, hr, clock
) -> None:
    data = _csv(300)
    direct = import_places(
        session,
        data=data,
        filename="p.csv",
        actor=hr,
        now=clock.now(),
        dry_run=True,
        only_department_id=hr.department_id,
    )
    session.rollback()
    before = _counts(session)
    job = _queue(session, store, hr, data, clock)
    assert job.state == "queued" and job.attempts == 0

    seen = []
    load = runner.load

    def watching_load(token: str) -> bytes | None:
        with runner.db.begin() as look:
            seen.append(look.get(ImportJob, job.id).state)  # type: ignore[union-attr]
        return load(token)

    runner.load = watching_load
    assert runner.run_next() == job.id
    assert runner.run_next() is None  # nothing left
    session.refresh(job)
    assert seen == ["running"]
    assert job.state == "done" and job.attempts == 1 and job.error is None
    assert job.result == {
        "rows_read": 600,
        "places_created": direct.places_created,
        "places_updated": 0,
        "units_created": 1,
        "events_created": direct.events_created,
        "corrections": 0,
        "unchanged": 0,
    }
    assert _counts(session) == (before[0] + 300, before[1] + 600)
    assert job.finished_at == clock.now()
    with pytest.raises(KeyError):
        store.load(job.token)  # the upload is dropped once saved
    assert not ProgressFile(runner.folder, job.id).path.exists()  # type: ignore[arg-type]


def test_a_second_confirm_finds_the_first_job(session, store, hr, clock) -> None:  # type: ignore[no-untyped-def]
    job = _queue(session, store, hr, _csv(1), clock)
    again, new = jobs.create_job(
        session,
        token=job.token,
        filename="p.csv",
        user_id=hr.id,
        department_id=hr.department_id,
        rows_total=0,
        now=clock.now(),
    )
    assert (again.id, new) == (job.id, False)
    # The database itself refuses a second save job for the upload (two processes at once).
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.add(
            ImportJob(
                token=job.token,
                kind="save",
                filename="x",
                user_id=hr.id,
                department_id=hr.department_id,
                created_at=clock.now(),
            )
        )
    assert session.execute(sa.select(sa.func.count()).select_from(ImportJob)).scalar_one() == 1


def test_a_preview_job_keeps_its_result_with_the_upload_and_saves_nothing(  # type: ignore[no-untyped-def]
    session, store, runner, hr, clock
) -> None:
    before = _counts(session)
    job = _queue(session, store, hr, _csv(5), clock, kind="preview")
    runner.run_all()
    session.refresh(job)
    assert job.state == "done" and job.result == {"rows_read": 10, "errors": 0}
    assert store.load_meta(job.token).preview["events_created"] == 10
    assert _counts(session) == before
    store.load(job.token)  # kept for the confirm


def test_a_running_job_whose_worker_is_gone_is_queued_again_then_failed_after_three_runs(  # type: ignore[no-untyped-def]
    session, store, runner, hr, clock
) -> None:
    job = _queue(session, store, hr, _csv(1), clock)
    job.state, job.attempts = "running", 1
    session.commit()
    lease = Lease(runner.db, runner.folder, job.id)  # type: ignore[arg-type]
    assert lease.acquire()  # its worker is alive: nothing happens
    try:
        assert jobs.recover(runner.db, runner.folder, now=clock.now()) == 0
    finally:
        lease.release()
    session.refresh(job)
    assert job.state == "running"
    assert (
        jobs.recover(runner.db, runner.folder, now=clock.now()) == 1
    )  # the lease is free: the worker is gone
    session.refresh(job)
    assert job.state == "queued" and job.claimed_by is None

    job.state, job.attempts = "running", jobs.MAX_ATTEMPTS
    session.commit()
    assert jobs.recover(runner.db, runner.folder, now=clock.now()) == 1
    session.refresh(job)
    assert job.state == "failed" and job.error["msgid"] == "Importen blev afbrudt; intet er gemt. Prøv igen."


def test_a_worker_that_lost_its_job_rolls_its_import_back(session, store, runner, hr, clock) -> None:  # type: ignore[no-untyped-def]
    before = _counts(session)
    job = _queue(session, store, hr, _csv(20), clock)
    load = runner.load

    def taken_away(token: str) -> bytes | None:
        with runner.db.begin() as other:  # as if a look had judged the worker gone and queued it again
            other.execute(
                sa.update(ImportJob).where(ImportJob.id == job.id).values(state="queued", claimed_by=None)
            )
        return load(token)

    runner.load = taken_away
    runner.run_next()
    session.refresh(job)
    assert job.state == "queued" and job.result is None
    assert _counts(session) == before  # the import was rolled back: the next run does it
    runner.load = load
    runner.run_all()
    session.refresh(job)
    assert job.state == "done" and job.attempts == 2
    assert _counts(session) == (before[0] + 20, before[1] + 40)


def test_a_file_that_no_longer_fits_fails_the_job_and_saves_nothing(  # type: ignore[no-untyped-def]
    session, store, runner, hr, clock
) -> None:
    job = _queue(
        session,
        store,
        hr,
        _csv(2) + "SOF-J00000;SOF;Virksomhedspraktik;måske;01-09-2025;;;;\r\n".encode(),
        clock,
    )
    before = _counts(session)
    runner.run_all()
    session.refresh(job)
    assert job.state == "failed" and job.error["params"] == {"count": 1}
    assert _counts(session) == before
    gone = _queue(session, store, hr, _csv(1), clock)
    store.delete(gone.token)
    runner.run_all()
    session.refresh(gone)
    assert gone.state == "failed" and "findes ikke længere" in gone.error["msgid"]


def test_the_status_shows_progress_in_two_halves(session, store, runner, hr, clock) -> None:  # type: ignore[no-untyped-def]
    job = _queue(session, store, hr, _csv(1), clock)
    job.state = "running"
    session.commit()
    board = ProgressFile(runner.folder, job.id)  # type: ignore[arg-type]
    runner.folder.mkdir(parents=True, exist_ok=True)
    board.write(Progress("reading", 50, 100))
    assert leases.status(job, runner.folder)["percent"] == 25
    board.write(Progress("saving", 30, 60))
    status = leases.status(job, runner.folder)
    assert (status["phase"], status["done"], status["total"], status["percent"]) == ("saving", 30, 60, 75)


def test_on_sqlite_one_save_runs_at_a_time_on_postgresql_several(session, store, runner, hr, clock) -> None:  # type: ignore[no-untyped-def]
    first = _queue(session, store, hr, _csv(1), clock)
    first.state, first.attempts = "running", 1
    session.commit()
    second = _queue(session, store, hr, _csv(2), clock)
    lease = Lease(runner.db, runner.folder, first.id)  # type: ignore[arg-type]
    assert lease.acquire()  # the first one's worker is alive
    try:
        ran = runner.run_next()
    finally:
        lease.release()
    session.refresh(second)
    if runner.db.engine.dialect.name == "sqlite":
        assert (ran, second.state) == (None, "queued")  # it waits for the first instead of for its lock
    else:
        assert (ran, second.state) == (second.id, "done")


def test_a_database_error_during_the_import_queues_the_job_again_up_to_three_runs(  # type: ignore[no-untyped-def]
    session, store, runner, hr, clock, monkeypatch
) -> None:
    job = _queue(session, store, hr, _csv(3), clock)
    before = _counts(session)

    def locked(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(jobs, "import_places", locked)
    assert runner.run_all() == [job.id] * jobs.MAX_ATTEMPTS
    session.refresh(job)
    assert (job.state, job.attempts) == ("failed", jobs.MAX_ATTEMPTS)
    assert job.error["msgid"] == jobs.INTERRUPTED.msgid
    assert _counts(session) == before
