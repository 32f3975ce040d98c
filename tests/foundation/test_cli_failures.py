"""The `quota` command says what the operator must fix in one Danish line on stderr and exits 1: the
database cannot be reached, the secret key is missing in production, a setting is invalid. No tracebacks.

Real processes (the installed `quota` script) with their own environment, as an operator runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.foundation.test_failures import dead_database_urls

QUOTA = Path(sys.executable).parent / "quota"


def run_quota(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QUOTA_")}
    clean.update({"QUOTA_INSTANCE_PATH": str(tmp_path / "instance"), **env})
    return subprocess.run(
        [str(QUOTA), *args], env=clean, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )


def assert_one_line(result: subprocess.CompletedProcess, *expected: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith("Fejl: "), line
    for text in expected:
        assert text in line, line
    return line


# One command of each group: the failure is handled once, for all of them.
COMMANDS = [
    ("db", "upgrade"),
    ("users", "create", "--email", "a@kk.dk", "--role", "bif"),
    ("dispatch", "--check"),
    ("import", "places", "places.csv", "--dry-run"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_an_unreachable_postgresql_is_one_line(tmp_path, args) -> None:
    url = dead_database_urls(tmp_path)["postgresql"]
    (tmp_path / "places.csv").write_text(
        "reference;forvaltning;ordning;status;dato\nSOF-1;SOF;Virksomhedspraktik;åben;01-09-2025\n"
    )
    result = run_quota(tmp_path, *args, QUOTA_SECRET_KEY="s", QUOTA_DATABASE_URL=url)
    assert_one_line(
        result, "Databasen postgresql://postgres@127.0.0.1:", "kan ikke nås", "Connection refused"
    )


def test_an_sqlite_file_in_a_folder_that_cannot_be_made_is_one_line(tmp_path) -> None:
    url = dead_database_urls(tmp_path)["sqlite"]
    result = run_quota(tmp_path, "db", "upgrade", QUOTA_SECRET_KEY="s", QUOTA_DATABASE_URL=url)
    assert_one_line(result, f"Databasen {url} kan ikke nås", "kan ikke oprettes")


@pytest.mark.parametrize("args", [("db", "upgrade"), ("--help",)])
def test_production_without_a_secret_key_is_one_line(tmp_path, args) -> None:
    result = run_quota(tmp_path, *args, QUOTA_ENV="production")
    assert_one_line(result, "QUOTA_SECRET_KEY mangler")


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("QUOTA_SMTP_PORT", "abc", "QUOTA_SMTP_PORT='abc': skal være et heltal"),
        ("QUOTA_ENV", "prod", "QUOTA_ENV='prod': skal være en af 'development', 'production' eller 'test'"),
    ],
)
def test_an_invalid_setting_is_one_line_naming_it(tmp_path, name, value, says) -> None:
    result = run_quota(tmp_path, "users", "create", "--email", "a@kk.dk", "--role", "bif", **{name: value})
    assert_one_line(result, says)


def test_the_secret_is_never_printed(tmp_path) -> None:
    result = run_quota(tmp_path, "db", "upgrade", QUOTA_SECRET_KEY="hunter2", QUOTA_SMTP_PORT="0")
    assert_one_line(result, "QUOTA_SMTP_PORT='0': skal være mindst 1")
    assert "hunter2" not in result.stderr


def test_a_working_setup_still_exits_0(tmp_path) -> None:
    result = run_quota(tmp_path, "db", "upgrade", QUOTA_ENV="development")
    assert result.returncode == 0, result.stderr
    check = run_quota(tmp_path, "dispatch", "--check", QUOTA_ENV="development")
    assert check.returncode == 0 and check.stdout.startswith("OK"), check.stderr


def test_the_scheduler_process_says_it_the_same_way(tmp_path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QUOTA_")}
    url = dead_database_urls(tmp_path)["postgresql"]
    result = subprocess.run(
        [sys.executable, "-m", "scheduler"],
        env={**clean, "QUOTA_SECRET_KEY": "s", "QUOTA_DATABASE_URL": url},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert_one_line(result, "kan ikke nås", "Connection refused")
