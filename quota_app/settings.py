"""Settings read from QUOTA_* environment variables and validated at start."""

from __future__ import annotations

import functools
import ipaddress
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
DEVELOPMENT_SECRET = "development-only-secret-key-not-for-production"  # noqa: S105
# When the scheduler reminds HR of open places (daily; the days before a half-year ends are a setting).
REMINDER_CRON = "30 7 * * *"
DEFAULT_TIMEZONE = "Europe/Copenhagen"
# The roles a group can give (quota_app.models.ROLES; the basics do not import the models).
GROUP_ROLES = ("hr", "bif", "admin")


class SettingsError(RuntimeError):
    """Raised when the configuration cannot be used."""


class Settings(BaseSettings):
    """All runtime settings; every field comes from an environment variable QUOTA_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="QUOTA_", extra="ignore", frozen=True)

    env: Literal["development", "production", "test"] = "production"
    secret_key: str | None = None
    database_url: str | None = None
    instance_path: Path = DEFAULT_INSTANCE
    timezone: str = DEFAULT_TIMEZONE  # shown times, schedules and the local date: see local_zone()
    default_locale: Literal["da", "en"] = "da"

    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout: float = Field(default=30.0, gt=0)
    mail_from: str = "kvoter@kk.dk"
    mail_reply_to: str = "bif-stoettet-beskaeftigelse@kk.dk"
    bif_email: str = "bif-stoettet-beskaeftigelse@kk.dk"
    recruitment_email: str = "bif-rekruttering@kk.dk"
    committee_emails: str = "biu@kk.dk,oeu@kk.dk"
    outbox_path: Path | None = None

    # Where failed sign-ins are counted, shared by every worker: "database" or redis://host:port/db.
    ratelimit_storage_uri: str = "database"
    # Failed sign-ins allowed per (account, client address) pair, and per client address over all accounts.
    login_rate_limit: str = "5 per minute;20 per hour"
    login_address_rate_limit: str = "100 per hour"
    # How many reverse proxies in front of the app to trust for X-Forwarded-For / X-Forwarded-Proto.
    trusted_proxies: int = Field(default=0, ge=0, le=10)
    session_cookie_secure: bool = True
    # The address people reach the app at (https://kvoter.kk.dk), for links in mails; without it a link
    # sent from the browser uses the address the administrator used, and one sent from the CLI fails.
    base_url: str | None = None
    # How long a mailed sign-in link (to set a password) may be used.
    sign_in_link_hours: int = Field(default=72, ge=1, le=720)
    # The municipality's accessibility statement for this solution (its WAS-Tool page), linked from
    # every page's footer; without it the footer links to the app's own page about its accessibility.
    accessibility_statement_url: str | None = None

    # How long a write waits for a lock held by another writer (SQLite busy timeout, PostgreSQL
    # lock_timeout); a request that still cannot get it is answered 503 with Retry-After.
    lock_timeout_ms: int = Field(default=10_000, ge=100, le=300_000)
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    # Imported files (CSV/XLSX, CLI, browser and API) are refused beyond these, before they are parsed.
    import_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024, le=1024 * 1024 * 1024)
    import_max_uncompressed_bytes: int = Field(default=512 * 1024 * 1024, ge=1024 * 1024, le=4 * 1024**3)
    import_max_rows: int = Field(default=500_000, ge=1, le=10_000_000)
    import_max_columns: int = Field(default=50, ge=9, le=16384)
    import_max_cell_chars: int = Field(default=10_000, ge=2000, le=100_000)

    dispatch_cron: str = "0 8 15 2,8 *"
    reminder_days_before: int = Field(default=14, ge=1, le=90)
    alert_cron: str = "0 7 * * mon-fri"
    # The weekly early warning (docs/forecast.md §5): lines projected below 90 %, places registered late.
    warning_cron: str = "30 7 * * mon"
    misfire_grace_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    # 0: a scheduler that finds another holding the lock exits; N: it stands by, trying every N seconds.
    scheduler_standby_seconds: int = Field(default=0, ge=0, le=300)

    # Operations (docs/operations.md): logs, and who may read /metrics.
    log_format: Literal["json", "text"] | None = None  # None: json in production, text otherwise
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_allow: str = ""  # client networks, e.g. "10.20.0.0/16, 127.0.0.1"
    metrics_token: str | None = Field(default=None, min_length=24)  # or: Authorization: Bearer <token>

    # Sign-in with the organisation's OpenID Connect provider (quota_app/auth/oidc/); off without an issuer.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_role_claim: str = "groups"
    # group=role;group=hr:DEPARTMENT, e.g. kvote-bif=bif;kvote-admin=admin;kvote-hr-sof=hr:SOF
    oidc_group_map: str = ""
    # Who may sign in with a password: everyone, administrators only (break-glass), or nobody.
    local_login: Literal["admins", "all", "none"] = "all"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"ukendt tidszone {value!r}") from exc
        return value

    @field_validator("dispatch_cron", "alert_cron", "warning_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from croniter import croniter

        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(f"ugyldigt cron-udtryk {value!r}: fem felter, fx '0 8 15 2,8 *'")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{value!r}: brug en adresse som https://kvoter.kk.dk")
        return value.strip().rstrip("/")

    @field_validator("login_rate_limit", "login_address_rate_limit")
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit such as '5 per minute;20 per hour'") from exc
        return value

    @field_validator("ratelimit_storage_uri")
    @classmethod
    def _storage(cls, value: str) -> str:
        if value != "database" and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"{value!r}: use 'database' or a redis://host:port/db address")
        return value

    @field_validator("oidc_issuer", "oidc_client_id", "oidc_client_secret")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer(cls, value: str | None) -> str | None:
        if value is not None and not secure_issuer(value):
            raise ValueError(f"{value!r}: brug en https://-adresse (http kun på denne maskine, 127.0.0.1)")
        return value

    @field_validator("accessibility_statement_url")
    @classmethod
    def _statement_url(cls, value: str | None) -> str | None:
        value = value.strip() if value else None
        if value and urlsplit(value).scheme != "https":
            raise ValueError(f"{value!r}: brug en https://-adresse (fx erklæringens side i WAS-Tool)")
        return value or None

    @field_validator("oidc_role_claim")
    @classmethod
    def _claim_name(cls, value: str) -> str:
        if not value or not value.isprintable() or " " in value:
            raise ValueError(f"{value!r}: navnet på ét claim, fx groups eller roles")
        return value

    @field_validator("oidc_group_map")
    @classmethod
    def _group_map(cls, value: str) -> str:
        parse_group_map(value)
        return value

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if self.oidc_issuer:
            missing = [
                f"QUOTA_OIDC_{name.upper()}"
                for name in ("client_id", "client_secret", "group_map")
                if not getattr(self, f"oidc_{name}")
            ]
            if missing:
                raise ValueError(f"QUOTA_OIDC_ISSUER er sat, men {' og '.join(missing)} mangler")
        elif self.local_login == "none":
            raise ValueError("QUOTA_LOCAL_LOGIN=none kræver QUOTA_OIDC_ISSUER: ellers kan ingen logge ind")
        return self

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _no_token(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # QUOTA_METRICS_TOKEN= : none

    @field_validator("metrics_allow")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in _split(value):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as exc:
                raise ValueError(f"{part!r} er ikke en adresse eller et net som 10.20.0.0/16") from exc
        return value

    @model_validator(mode="after")
    def _uncompressed_holds_a_file(self) -> Settings:
        if self.import_max_uncompressed_bytes < self.import_max_bytes:
            raise ValueError("QUOTA_IMPORT_MAX_UNCOMPRESSED_BYTES must be at least QUOTA_IMPORT_MAX_BYTES")
        return self

    @model_validator(mode="after")
    def _secret_required_outside_development(self) -> Settings:
        if not self.secret_key and self.env != "development" and self.env != "test":
            raise ValueError(
                "QUOTA_SECRET_KEY mangler: den skal sættes i produktion "
                "(kun QUOTA_ENV=development har en indbygget udviklingsnøgle)"
            )
        return self

    @property
    def effective_secret_key(self) -> str:
        return self.secret_key or DEVELOPMENT_SECRET

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.instance_path / 'quota.db'}"

    @property
    def effective_outbox_path(self) -> Path:
        return self.outbox_path or self.instance_path / "outbox"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def committee_addresses(self) -> list[str]:
        return _split(self.committee_emails)

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.env == "production" else "text")

    @property
    def metrics_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(part, strict=False) for part in _split(self.metrics_allow))

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @property
    def oidc_groups(self) -> dict[str, tuple[str, str | None]]:
        """QUOTA_OIDC_GROUP_MAP: group (case-folded) -> (role, department code for hr)."""
        return parse_group_map(self.oidc_group_map)


def _split(value: str) -> list[str]:
    """The non-empty items of a comma-separated setting, stripped."""
    return [item.strip() for item in value.split(",") if item.strip()]


def secure_issuer(url: str) -> bool:
    """An https:// address, or http:// on the loopback interface (development and tests)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname or parts.query or parts.fragment or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def parse_group_map(text: str) -> dict[str, tuple[str, str | None]]:
    """Read 'group=role;group=hr:DEPARTMENT;…' into {group: (role, department)}; ValueError on a bad entry."""
    groups: dict[str, tuple[str, str | None]] = {}
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        group, equals, target = (piece.strip() for piece in entry.partition("="))
        role, _colon, department = (piece.strip() for piece in target.partition(":"))
        if not equals or not group or role not in GROUP_ROLES:
            raise ValueError(f"{entry!r}: skriv gruppe=rolle, hvor rollen er {', '.join(GROUP_ROLES)}")
        if (role == "hr") != bool(department):
            raise ValueError(f"{entry!r}: en HR-gruppe skal have en forvaltning (hr:SOF), og kun den")
        if group.casefold() in groups:
            raise ValueError(f"gruppen {group!r} står der flere gange")
        groups[group.casefold()] = (role, department or None)
    return groups


class _TimezoneSetting(BaseSettings):
    """QUOTA_TIMEZONE alone, read as Settings reads it (Settings has validated it at start)."""

    model_config = SettingsConfigDict(env_prefix="QUOTA_", extra="ignore", frozen=True)

    timezone: str = DEFAULT_TIMEZONE


@functools.cache
def local_zone() -> ZoneInfo:
    """The time zone of QUOTA_TIMEZONE, for code that is handed no Settings (services, the report gatherer).

    The one source of the zone besides `Settings.zone`, which the web app and the scheduler use. Read once
    per process, as the settings are.
    """
    return ZoneInfo(_TimezoneSetting().timezone)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment, with explicit overrides (validated as the environment is), or
    raise SettingsError (one line)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc)) from exc
    except ValueError as exc:
        raise SettingsError(" ".join(str(exc).split())) from exc


# Pydantic's error types in Danish; others keep pydantic's own words.
_DANISH_ERRORS = {
    "int_parsing": "skal være et heltal",
    "int_from_float": "skal være et heltal",
    "float_parsing": "skal være et tal",
    "bool_parsing": "skal være true eller false",
    "greater_than": "skal være større end {gt}",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than": "skal være mindre end {lt}",
    "less_than_equal": "må højst være {le}",
    "literal_error": "skal være en af {expected}",
    "string_too_short": "skal være mindst {min_length} tegn",
    "missing": "mangler",
}


def describe_errors(exc: ValidationError) -> str:
    """One Danish line naming each bad QUOTA_* variable, its value (never a secret's) and what is wrong."""
    problems = []
    for error in exc.errors():
        context = error.get("ctx") or {}
        if error["type"] == "value_error":
            reason = str(context.get("error", error["msg"]))
        elif error["type"] in _DANISH_ERRORS:
            reason = _DANISH_ERRORS[error["type"]].format(**context).replace(" or ", " eller ")
        else:
            reason = error["msg"]
        if not error["loc"]:  # a check of several settings together: its message names them
            problems.append(reason)
            continue
        name = f"QUOTA_{str(error['loc'][0]).upper()}"
        secret = any(word in name for word in ("SECRET", "PASSWORD", "TOKEN", "KEY"))
        value = "" if secret or "input" not in error else f"={error['input']!r}"
        problems.append(f"ugyldig indstilling {name}{value}: {reason}")
    text = "; ".join(problems) or str(exc)
    return " ".join((text[:1].upper() + text[1:]).split())
