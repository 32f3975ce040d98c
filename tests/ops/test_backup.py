"""The backup and restore procedure of deploy/README.md, carried out: a PostgreSQL database with data is
dumped by deploy/backup.sh while nothing is stopped, restored by deploy/restore.sh into a new database,
`quota db refresh-intervals --check` passes there, and the app gives the same figures from both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from benchmarks.databases import fresh_postgresql
from quota_app import create_app
from quota_app.db import Database, make_engine
from quota_app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
QUOTA = Path(sys.executable).with_name("quota")


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "QUOTA_ENV": "production",
        "QUOTA_SECRET_KEY": "backup-test",
        "QUOTA_DATABASE_URL": url,
    }


def quota(url: str, tmp_path: Path, *args: str) -> str:
    """The quota command, in this process (the scripts below run it as a program of its own)."""
    database = Database(url)
    app = create_app(Settings(env="test", secret_key="x", instance_path=tmp_path), database=database)
    try:
        result = app.test_cli_runner().invoke(args=list(args))
    finally:
        database.dispose()
    assert result.exit_code == 0, result.output
    return result.output


def restore(dump: Path, target: str) -> subprocess.CompletedProcess:
    """deploy/restore.sh as an operator runs it; QUOTA: this environment's quota command for its check."""
    return subprocess.run(
        [str(DEPLOY / "restore.sh"), str(dump), target],
        env={**environment("unused"), "QUOTA": str(QUOTA)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            return {
                t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables
            }
    finally:
        engine.dispose()


def test_a_dump_restored_into_a_new_database_gives_the_same_figures(pg_url, tmp_path) -> None:
    with fresh_postgresql() as source, fresh_postgresql() as target:
        quota(source, tmp_path, "db", "upgrade")
        quota(source, tmp_path, "demo", "--seed", "7", "--places", "60")
        now = datetime.now(UTC)
        known_at = now.replace(microsecond=0).isoformat()
        questions = [
            ("--period", str(now.year - 1), "--method", "average"),
            ("--period", str(now.year), "--method", "point"),
            ("--as-of", now.date().isoformat(), "--department", "SOF"),
        ]
        figures = [
            quota(source, tmp_path, "reconcile", *q, "--known-at", known_at, "--format", "json")
            for q in questions
        ]
        assert all(json.loads(answer)["rows"] for answer in figures)  # places were counted

        backup = subprocess.run(
            [str(DEPLOY / "backup.sh"), str(tmp_path / "backups")],
            env=environment(source),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert backup.returncode == 0, backup.stderr
        dump = Path(backup.stdout.strip())
        assert (
            dump.parent == tmp_path / "backups" and dump.name.startswith("quota-") and dump.suffix == ".dump"
        )
        assert not list(dump.parent.glob("*.partial"))

        restored = restore(dump, target)
        assert restored.returncode == 0, restored.stderr
        assert "Alle pladsers intervaller stemmer med deres hændelser." in restored.stdout  # the --check
        assert "kontrollen er bestået" in restored.stdout

        for question, answer in zip(questions, figures, strict=True):
            assert (
                quota(target, tmp_path, "reconcile", *question, "--known-at", known_at, "--format", "json")
                == answer
            )
        counts = row_counts(source)
        assert counts["place_event"] > 60 and counts["user"] >= 4
        assert row_counts(target) == counts

        again = restore(dump, target)
        assert again.returncode == 1  # never over a database that has tables
        assert "gendan kun i en ny, tom database" in again.stderr


def test_backup_says_what_is_wrong_in_one_line(tmp_path) -> None:
    sqlite = subprocess.run(
        [str(DEPLOY / "backup.sh"), str(tmp_path)],
        env=environment(f"sqlite:///{tmp_path / 'quota.db'}"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sqlite.returncode == 1
    assert sqlite.stderr.strip() == "Fejl: databasen er ikke PostgreSQL (sqlite): sæt QUOTA_DATABASE_URL"
    assert not list(tmp_path.glob("quota-*"))
