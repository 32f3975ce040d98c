"""deploy/ says what the code does: the environment file names every setting with its real default and a
meaning, its values are valid, and the units and the nginx example fit the app."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

from quota_app.settings import Settings
from quota_app.web import HSTS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
LINE = re.compile(r"^(#?)(QUOTA_[A-Z0-9_]+)=(.*)$")


def env_file() -> list[tuple[bool, str, str, str]]:
    """(commented out, NAME, value, the comment lines above it) for each setting line; settings on
    consecutive lines share the comment above the first."""
    found: list[tuple[bool, str, str, str]] = []
    comment: list[str] = []
    after_setting = False
    for line in (DEPLOY / "quota.env").read_text(encoding="utf-8").splitlines():
        match = LINE.match(line)
        if match:
            value = match.group(3)
            value = shlex.split(value)[0] if value.startswith('"') else value
            found.append((match.group(1) == "#", match.group(2), value, " ".join(comment)))
            after_setting = True
        elif line.startswith("#"):
            comment = [*([] if after_setting else comment), line.lstrip("# ")]
            after_setting = False
        else:
            comment, after_setting = [], False
    return found


def test_the_environment_file_names_every_setting_once_with_a_meaning() -> None:
    names = [name for _commented, name, _value, _comment in env_file()]
    expected = sorted(f"QUOTA_{field.upper()}" for field in Settings.model_fields)
    assert sorted(names) == expected
    for _commented, name, _value, comment in env_file():
        assert comment.strip(), f"{name} has no explanation above it"


def test_a_commented_out_setting_shows_its_real_default() -> None:
    for commented, name, value, _comment in env_file():
        if not commented:
            continue
        default = Settings.model_fields[name.removeprefix("QUOTA_").lower()].default
        if name == "QUOTA_LOG_FORMAT":  # None: json in production (the example shows that)
            assert value == "json" and Settings(secret_key="s").effective_log_format == "json"
        elif name in ("QUOTA_METRICS_ALLOW",):  # an example network; the default is empty (off)
            assert default == ""
        else:
            shown = (
                "" if default is None else str(default).lower() if isinstance(default, bool) else str(default)
            )
            assert value == shown, f"{name}: the file says {value!r}, the default is {shown!r}"


def test_the_values_in_the_environment_file_are_valid_settings() -> None:
    values = {
        name.removeprefix("QUOTA_").lower(): value
        for _commented, name, value, _comment in env_file()
        if value != "" and name != "QUOTA_METRICS_TOKEN"
    }
    settings = Settings(**values)
    assert settings.env == "production" and settings.scheduler_standby_seconds > 0
    assert settings.trusted_proxies == 1  # behind deploy/nginx/quota.conf


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name", ["quota-web.service", "quota-scheduler.service", "quota-backup.service"])
def test_every_service_reads_the_environment_file_as_the_quota_user(name) -> None:
    service = unit(name)["Service"]
    assert service["EnvironmentFile"] == "/etc/quota/quota.env"
    assert service["User"] == service["Group"] == "quota"
    program = shlex.split(service["ExecStart"])
    assert program[0].startswith("/opt/quota/app/")
    for argument in program[1:]:
        if argument.startswith("deploy/"):
            assert (ROOT / argument).is_file(), argument


def test_the_units_start_what_the_project_has() -> None:
    web = shlex.split(unit("quota-web.service")["Service"]["ExecStart"])
    assert web[0].endswith("/gunicorn") and web[web.index("-c") + 1] == "deploy/gunicorn.conf.py"
    assert unit("quota-web.service")["Service"]["Environment"].startswith("PROMETHEUS_MULTIPROC_DIR=/run/")
    scheduler = shlex.split(unit("quota-scheduler.service")["Service"]["ExecStart"])
    assert scheduler[1:] == ["-m", "scheduler"] and (ROOT / "scheduler" / "__main__.py").is_file()
    backup = shlex.split(unit("quota-backup.service")["Service"]["ExecStart"])
    assert backup[0] == "/opt/quota/app/deploy/backup.sh"
    assert unit("quota-backup.timer")["Timer"]["OnCalendar"]


def test_nginx_terminates_tls_and_passes_what_the_app_trusts() -> None:
    config = (DEPLOY / "nginx" / "quota.conf").read_text(encoding="utf-8")
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in config
    assert "return 301 https://$host$request_uri;" in config
    assert f'add_header Strict-Transport-Security "{HSTS}" always;' in config
    assert "proxy_hide_header Strict-Transport-Security;" in config  # one HSTS header, not two
    assert "proxy_set_header X-Request-ID $request_id;" in config
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config  # one proxy: QUOTA_TRUSTED_PROXIES=1
    limit = re.search(r"client_max_body_size (\d+)m;", config)
    assert limit and int(limit.group(1)) * 1024 * 1024 == Settings.model_fields["import_max_bytes"].default
    assert (DEPLOY / "nginx" / "50x.html").is_file()
