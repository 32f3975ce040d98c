"""Two dispatch processes started together on PostgreSQL send each mail once.

The other process must see committed data, so this test has its own database (created and dropped here),
not the rolled-back session of the other tests."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from quota_app.db import Database
from quota_app.models import Dispatch
from quota_app.reference import ensure_departments
from tests.conftest import PG_ADMIN_URL
from tests.dispatch.support import SmtpServer, give_addresses

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_pg_database(pg_url: str) -> Iterator[str]:
    name = f"quota_dispatch_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_dispatch_processes_started_together_send_each_mail_once(own_pg_database: str) -> None:
    db = Database(own_pg_database)
    SQLModel.metadata.create_all(db.engine)
    with db.begin() as session:
        ensure_departments(session)
        give_addresses(session)
    smtp = SmtpServer()
    smtp.start()
    try:
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.dispatch.worker",
                    own_pg_database,
                    str(smtp.port),
                    "2025-08-15T08:00:00+02:00",
                    name,
                ],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("worker-a", "worker-b")
        ]
        for process in processes:  # both ready: then both go
            assert process.stdout.readline().strip() == "ready"  # type: ignore[union-attr]
        for process in processes:
            process.stdin.write("go\n")  # type: ignore[union-attr]
            process.stdin.flush()  # type: ignore[union-attr]
        outputs = [p.communicate(timeout=120) for p in processes]
        for process, (_out, err) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, err
        reports = [json.loads(out.strip().splitlines()[-1]) for out, _err in outputs]
        smtp.wait_for_messages(16)  # the server may still be storing the last message
    finally:
        smtp.stop()

    with db.begin() as session:
        rows = session.exec(select(Dispatch)).all()
    db.dispose()
    assert len(rows) == 7 * 2 + 2
    assert {(r.state, r.attempts) for r in rows} == {("sent", 1)}
    assert sum(r["sent"] for r in reports) == len(rows)
    assert sum(r["planned"] for r in reports) == len(rows)  # each row planned by exactly one process
    received = Counter((m.rcpt_tos[0], m.message["Subject"]) for m in smtp.messages)
    assert len(smtp.messages) == len(rows)
    assert set(received.values()) == {1}
    assert {m.message["Message-ID"] for m in smtp.messages} == {r.message_id for r in rows}
