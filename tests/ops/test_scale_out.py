"""Scale-out on PostgreSQL (issue 14, point 5): two web machines (two gunicorn servers, each with two
workers, on two ports, configured by deploy/gunicorn.conf.py) and two scheduler processes share one database.

- A user signed in on one machine is signed in on the other; signing out on one ends the session on both.
- Failed sign-ins count wherever they were tried: the limit holds across the machines.
- A browser import uploaded through one machine is confirmed and followed through the other (the machines
  share QUOTA_INSTANCE_PATH, as deploy/README.md requires).
- /metrics on a machine adds up the requests of both its workers.
- Exactly one scheduler holds the lock; killed in the middle of sending, the other takes over within a
  minute, and no mail is sent twice.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select
from werkzeug.test import encode_multipart

from benchmarks.databases import fresh_postgresql
from quota_app.auth import services as auth
from quota_app.db import Database
from quota_app.dispatch.heartbeat import scheduler_status
from quota_app.models import Department, Dispatch, Place
from quota_app.reference import ensure_default_rules, ensure_departments, ensure_placement_types
from scheduler.runner import ADVISORY_LOCK_KEY
from tests.conftest import T0, TEST_PASSWORD
from tests.dispatch.support import SmtpServer, give_addresses
from tests.ops.cluster import Browser, HoldingHandler, Machine, Scheduler, environment
from tests.ops.conftest import upgrade

pytestmark = pytest.mark.xdist_group("scale-out")  # one cluster, on one test worker

HR = "hr.sof@kk.dk"
LIMIT = 3  # failed sign-ins per account and address, per hour
ACTIVE = ("SOF", "ØKF")  # departments whose reports go out: 2 x (mayor, BIF) + 2 committees = 6 mails


@dataclass
class Cluster:
    url: str
    env: dict[str, str]
    a: Machine
    b: Machine


@pytest.fixture(scope="module")
def cluster(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("cluster")
    with fresh_postgresql() as url:
        upgrade(url)
        _reference_data_and_users(url)
        env = environment(
            QUOTA_ENV="production",
            QUOTA_SECRET_KEY=uuid.uuid4().hex,  # the same on every machine
            QUOTA_DATABASE_URL=url,
            QUOTA_INSTANCE_PATH=str(folder / "shared-instance"),  # one shared folder (NFS in production)
            QUOTA_SESSION_COOKIE_SECURE="false",  # plain HTTP on loopback
            QUOTA_TRUSTED_PROXIES="1",  # so a browser can speak for a client address of its own
            QUOTA_LOGIN_RATE_LIMIT=f"{LIMIT} per hour",
            QUOTA_LOGIN_ADDRESS_RATE_LIMIT="1000 per hour",
            QUOTA_METRICS_ALLOW="127.0.0.1",
            QUOTA_LOG_FORMAT="json",
        )
        machines = []
        try:
            for name in ("a", "b"):
                (folder / name).mkdir()
                machines.append(Machine(name, env, folder / name))
            yield Cluster(url, env, *machines)
        finally:
            for machine in machines:
                machine.stop()


def _reference_data_and_users(url: str) -> None:
    db = Database(url)
    try:
        with db.begin() as session:
            ensure_departments(session)
            ensure_placement_types(session)
            for year in range(2013, 2028):
                ensure_default_rules(session, year)
            give_addresses(session)
            for department in session.exec(select(Department)).all():
                department.active = department.code in ACTIVE
            session.flush()
            auth.create_user(
                session,
                email=HR,
                role="hr",
                password=TEST_PASSWORD,
                department_code="SOF",
                actor="test",
                now=T0,
            )
    finally:
        db.dispose()


def signed_in(browser: Browser, machine: Machine) -> bool:
    answer = browser.get(machine, "/")
    assert answer.status in (200, 302), answer.status
    return answer.status == 200


def test_a_session_started_on_one_machine_is_valid_on_the_other_and_ends_on_both(cluster: Cluster) -> None:
    laptop, phone = Browser(), Browser()
    assert laptop.sign_in(cluster.a, HR, TEST_PASSWORD).status == 302
    assert signed_in(laptop, cluster.b)  # the cookie from machine a
    assert phone.sign_in(cluster.b, HR, TEST_PASSWORD).status == 302
    assert signed_in(phone, cluster.a)
    old_cookie = Browser(dict(laptop.cookies))  # a copy someone kept

    answer = laptop.post(cluster.b, "/logout", {"csrf_token": laptop.csrf(cluster.b, "/")})
    assert answer.status == 302
    for machine in (cluster.a, cluster.b):
        assert not signed_in(laptop, machine)
        assert not signed_in(phone, machine)  # signing out ends the user's sessions everywhere
        assert not signed_in(old_cookie, machine)


def test_failed_sign_ins_count_on_every_machine(cluster: Cluster) -> None:
    attacker = Browser(address="203.0.113.7")
    for machine in (cluster.a, cluster.b, cluster.a):  # LIMIT failures, spread over the machines
        answer = attacker.sign_in(machine, HR, "wrong password!")
        assert answer.status == 200 and "Forkert e-mail eller adgangskode" in answer.body.decode()
    for machine in (cluster.b, cluster.a):
        refused = attacker.sign_in(machine, HR, TEST_PASSWORD)  # even the right password now
        assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert Browser(address="198.51.100.4").sign_in(cluster.b, HR, TEST_PASSWORD).status == 302


def test_an_import_uploaded_on_one_machine_is_confirmed_on_the_other(cluster: Cluster) -> None:
    browser = Browser(address="198.51.100.20")
    assert browser.sign_in(cluster.a, HR, TEST_PASSWORD).status == 302
    rows = (
        "reference;department;type;status;effective_date;unit;title;fte;note",
        "SCALE-1;SOF;Virksomhedspraktik;åben;01-08-2025;;Køkkenhjælp;0,5;",
        "SCALE-2;SOF;Fleksjob;åben;2025-09-01;;Pedel;1;",
    )
    data = ("\r\n".join(rows) + "\r\n").encode()
    form = {
        "csrf_token": browser.csrf(cluster.a, "/places/import"),
        "file": _file(data, "flere-maskiner.csv"),
    }
    boundary, body = encode_multipart(form)
    uploaded = browser.send(cluster.a, "/places/import", body, f"multipart/form-data; boundary={boundary}")
    assert uploaded.status == 302, uploaded.body[:500]
    preview_job = uploaded.headers["Location"]

    assert _finished(browser, cluster.b, preview_job)["state"] == "done"  # followed on the other machine
    token = browser.get(cluster.b, preview_job).headers["Location"].rsplit("/", 1)[1]
    confirm = browser.csrf(cluster.b, f"/places/import/{token}")
    confirmed = browser.post(cluster.b, f"/places/import/{token}/confirm", {"csrf_token": confirm})
    assert confirmed.status == 302
    status = _finished(browser, cluster.a, confirmed.headers["Location"])
    assert status["state"] == "done", status

    db = Database(cluster.url)
    try:
        with db.begin(write=False) as session:
            saved = session.exec(select(Place.reference).where(Place.reference.startswith("SCALE-"))).all()
    finally:
        db.dispose()
    assert sorted(saved) == ["SCALE-1", "SCALE-2"]


def _file(data: bytes, name: str):  # type: ignore[no-untyped-def]
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    return FileStorage(BytesIO(data), filename=name, content_type="text/csv")


def _finished(browser: Browser, machine: Machine, job_page: str, *, polls: int = 2000) -> dict:
    """Follow a job's status JSON on a machine until it is finished (each look also makes sure it runs)."""
    for _ in range(polls):
        answer = browser.get(machine, f"{_path(job_page)}.json")
        assert answer.status == 200, answer.status
        status = json.loads(answer.body)
        if status["finished"]:
            return status
    raise AssertionError(f"the job at {job_page} did not finish within {polls} looks: {status}")


def _path(location: str) -> str:
    """The path of a redirect's Location, absolute or not."""
    return urllib.parse.urlsplit(location).path


def test_metrics_add_up_the_workers_of_a_machine(cluster: Cluster) -> None:
    probe = Browser()
    before = _healthz_count(probe, cluster.a)
    sent: set[str] = set()
    workers: set[int] = set()
    while len(workers) < 2 and len(sent) < 200:
        batch = {f"probe-{uuid.uuid4().hex}" for _ in range(10)}
        for request_id in batch:
            assert probe.get(cluster.a, "/healthz", **{"X-Request-ID": request_id}).status == 200
        workers |= {line["process"] for line in cluster.a.request_lines(batch)}
        sent |= batch
    assert len(workers) == 2, "one worker answered every probe"
    assert _healthz_count(probe, cluster.a) - before == len(sent)


def _healthz_count(browser: Browser, machine: Machine) -> float:
    answer = browser.get(machine, "/metrics")
    assert answer.status == 200
    for family in text_string_to_metric_families(answer.body.decode()):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "quota_http_requests_total" and (
                labels["endpoint"],
                labels["method"],
                labels["status"],
            ) == ("ops.healthz", "GET", "200"):
                return sample.value
    return 0.0


def test_one_scheduler_works_the_other_takes_over_when_it_is_killed_and_no_mail_goes_twice(
    cluster: Cluster,
) -> None:
    smtp = SmtpServer()
    smtp.handler = handler = HoldingHandler(hold=2)
    smtp.start()
    env = {
        **cluster.env,
        "QUOTA_SMTP_HOST": "127.0.0.1",
        "QUOTA_SMTP_PORT": str(smtp.port),
        "QUOTA_DISPATCH_CRON": "0 0 * * *",  # it ran last midnight: each scheduler catches it up on start
        "QUOTA_SCHEDULER_STANDBY_SECONDS": "2",
        "QUOTA_LOG_FORMAT": "text",
    }
    probe = Browser()
    assert probe.get(cluster.a, "/readyz").status == 503  # no scheduler has reported in yet
    first = Scheduler(env)
    second = None
    try:
        assert handler.held.wait(timeout=300), first.output.text()  # the first is sending its 2nd mail
        second = Scheduler(env)
        second.output.wait_for("standing by", what="the second scheduler standing by")
        assert _lock_holders(cluster.url) == 1
        assert first.process.poll() is None

        first.process.send_signal(signal.SIGKILL)  # in the middle of an SMTP conversation
        killed = time.monotonic()
        second.output.wait_for("took over the scheduler lock", timeout=60, what="the takeover")
        took_over = time.monotonic() - killed
        handler.release.set()  # the stuck conversation ends (its sender is gone)
        second.output.wait_for("catch-up on start", timeout=300, what="the second's catch-up")
        second.output.wait_for("Scheduler started", timeout=60, what="the second's jobs")
        assert took_over < 60

        assert _lock_holders(cluster.url) == 1
        rows, status = _ledger_and_status(cluster.url)
        assert status is not None and status.worker == second.worker
        assert probe.get(cluster.a, "/readyz").status == 200  # the new holder reported in

        ids = Counter(received.message["Message-ID"] for received in smtp.messages)
        assert ids and max(ids.values()) == 1, "a mail was sent twice"
        reports = [row for row in rows if row.kind in ("report", "consolidated")]
        assert len(reports) == 2 * len(ACTIVE) + 2
        assert {row.state for row in rows} <= {"sent", "sending"}  # nothing left waiting
        stuck = [row for row in rows if row.state == "sending"]
        assert [row.claimed_by for row in stuck] == [first.worker]  # never resent by the second
        assert {row.message_id for row in rows} == set(ids)  # every row's mail arrived, once
        assert {row.claimed_by for row in rows if row.state == "sent"} == {first.worker, second.worker}
        print(f"takeover after {took_over:.1f} s; {len(ids)} mails, {len(stuck)} left to a person")
    finally:
        handler.release.set()
        first.process.kill()
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.output.text()
        smtp.stop()


def _lock_holders(url: str) -> int:
    """Sessions holding the scheduler's advisory lock (a 64-bit key: classid the high, objid the low half)."""
    db = Database(url)
    try:
        with db.begin(write=False) as session:
            return session.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                    " AND (classid::bigint << 32) + objid::bigint = :key"
                ),
                {"key": ADVISORY_LOCK_KEY},
            ).scalar_one()
    finally:
        db.dispose()


def _ledger_and_status(url: str):  # type: ignore[no-untyped-def]
    db = Database(url)
    try:
        with db.begin(write=False) as session:
            return list(session.exec(select(Dispatch)).all()), scheduler_status(session)
    finally:
        db.dispose()
