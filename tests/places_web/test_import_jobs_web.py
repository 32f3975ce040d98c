"""The import job's pages: one job per confirmed upload, who may see it, its JSON, its progress and outcome."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from quota_app.imports.leases import Lease, Progress, ProgressFile
from quota_app.models import ImportJob, User
from tests.places_web.conftest import counts
from tests.places_web.test_import_web import GOOD_ROWS, _csv, confirm, upload


def _save_jobs(session) -> int:  # type: ignore[no-untyped-def]
    query = sa.select(sa.func.count()).select_from(ImportJob).where(ImportJob.kind == "save")
    return session.execute(query).scalar_one()


def test_confirming_twice_makes_one_job_and_saves_once(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    before = counts(session)
    page, token = upload(client, _csv(*GOOD_ROWS), "to-gange.csv")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    first = client.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf})
    second = client.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf})  # a double click
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert re.search(r"/places/import/jobs/\d+$", first.headers["Location"])
    assert _save_jobs(session) == 1
    assert counts(session) == (before[0] + 2, before[1] + 3)


def test_the_job_is_seen_by_its_department_and_bif_only(
    app: Flask,
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
) -> None:
    login(make_user("hr", "SOF"))
    _page, token = upload(client, _csv(*GOOD_ROWS), "a.csv")
    location = confirm(client, token).headers["Location"]
    assert client.get(location).status_code == 200

    for role, department in (("hr", "ØKF"), ("bif", None)):
        other = app.test_client()
        user = make_user(role, department)
        page = other.get("/login").get_data(as_text=True)
        from tests.conftest import TEST_PASSWORD, csrf_from

        other.post(
            "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": csrf_from(page)}
        )
        expected = 404 if role == "hr" else 200
        assert other.get(location).status_code == expected, role
        assert other.get(f"{location}.json").status_code == expected, role
    assert client.get("/places/import/jobs/999999").status_code == 404


def test_the_status_json_of_a_finished_job(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    _page, token = upload(client, _csv(*GOOD_ROWS), "a.csv")
    location = confirm(client, token).headers["Location"]
    response = client.get(f"{location}.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert set(data) == {
        "id", "kind", "state", "filename", "attempts", "phase", "done", "total", "percent", "result", "error",
        "created_at", "finished_at", "finished", "places_url",
    }  # fmt: skip
    assert (data["kind"], data["state"], data["finished"], data["percent"], data["error"]) == (
        "save", "done", True, 100, None,
    )  # fmt: skip
    assert data["result"]["events_created"] == 3 and data["result"]["places_created"] == 2
    assert data["done"] == data["total"] == 3 and data["places_url"] == "/places/"


def test_a_running_job_shows_its_progress_and_refreshes_itself(
    app, client, login, session, make_user, clock
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    login(hr)
    job = ImportJob(
        token="t" * 32, kind="save", filename="stor.csv", user_id=hr.id, department_id=hr.department_id,
        state="running", attempts=1, rows_total=450_000, created_at=clock.now(),
    )  # fmt: skip
    session.add(job)
    session.commit()
    folder = Path(app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    ProgressFile(folder, job.id).write(Progress("saving", 100_000, 400_000))  # type: ignore[arg-type]
    lease = Lease(app.extensions["quota_db"], folder, job.id)  # type: ignore[arg-type]
    assert lease.acquire()  # its worker is alive
    try:
        html = client.get(f"/places/import/jobs/{job.id}").get_data(as_text=True)
        data = client.get(f"/places/import/jobs/{job.id}.json").get_json()
    finally:
        lease.release()
    assert 'value="62"' in html and "Gemmer statusændringer: 100000 af 400000" in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html and ">Opdater<" in html
    assert "import-job.js" in html
    assert (data["state"], data["phase"], data["percent"], data["finished"]) == (
        "running",
        "saving",
        62,
        False,
    )

    # Its worker is gone (the lease is free): the next look queues it again, and runs it (here: inline),
    # which fails cleanly because this made-up job has no uploaded file.
    data = client.get(f"/places/import/jobs/{job.id}.json").get_json()
    assert (data["state"], data["attempts"], data["finished"]) == ("failed", 2, True)
    assert data["error"] == "Den uploadede fil findes ikke længere; intet er gemt. Upload filen igen."
    html = client.get(f"/places/import/jobs/{job.id}").get_data(as_text=True)
    assert "Importen blev ikke gemt" in html and "noscript" not in html


def test_the_preview_is_a_job_too_and_its_page_leads_to_the_preview(
    client, login, session, make_user
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("hr", "SOF"))
    page, token = upload(client, _csv(*GOOD_ROWS), "a.csv")
    assert page.request.path == f"/places/import/{token}"
    job = session.execute(sa.select(ImportJob).where(ImportJob.token == token)).scalar_one()
    assert (job.kind, job.state, job.rows_total) == ("preview", "done", 3)
    assert client.get(f"/places/import/jobs/{job.id}").headers["Location"] == f"/places/import/{token}"


def test_malformed_job_ids_and_tokens_are_not_found(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    for path in (
        "/places/import/jobs/0",
        f"/places/import/jobs/{2**31}",
        f"/places/import/jobs/{10**30}.json",
    ):
        assert client.get(path).status_code == 404, path
    from tests.conftest import csrf_from

    csrf = csrf_from(client.get("/places/import").get_data(as_text=True))
    for token in ("kort", "x" * 65, "a" * 30 + "%00" + "b"):
        assert client.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf}).status_code == 404, (
            token
        )
