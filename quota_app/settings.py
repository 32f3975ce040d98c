"""Settings read from QUOTA_* environment variables and validated at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
DEVELOPMENT_SECRET = "development-only-secret-key-not-for-production"  # noqa: S105


class SettingsError(RuntimeError):
    """Raised when the configuration cannot be used."""


class Settings(BaseSettings):
    """All runtime settings; every field comes from an environment variable QUOTA_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="QUOTA_", extra="ignore", frozen=True)

    env: Literal["development", "production", "test"] = "production"
    secret_key: str | None = None
    database_url: str | None = None
    instance_path: Path = DEFAULT_INSTANCE
    timezone: str = "Europe/Copenhagen"
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

    ratelimit_storage_uri: str = "memory://"
    login_rate_limit: str = "5 per minute;20 per hour"
    session_cookie_secure: bool = True

    # Imported files (CSV/XLSX, CLI, browser and API) are refused beyond these, before they are parsed.
    import_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024, le=1024 * 1024 * 1024)
    import_max_uncompressed_bytes: int = Field(default=512 * 1024 * 1024, ge=1024 * 1024, le=4 * 1024**3)
    import_max_rows: int = Field(default=500_000, ge=1, le=10_000_000)
    import_max_columns: int = Field(default=50, ge=9, le=16384)
    import_max_cell_chars: int = Field(default=10_000, ge=2000, le=100_000)

    dispatch_cron: str = "0 8 15 2,8 *"
    reminder_days_before: int = Field(default=14, ge=1, le=90)
    alert_cron: str = "0 7 * * mon-fri"
    misfire_grace_seconds: int = Field(default=7 * 24 * 3600, ge=60)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
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
                "QUOTA_SECRET_KEY must be set (a development default exists only with QUOTA_ENV=development)"
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
        return [a.strip() for a in self.committee_emails.split(",") if a.strip()]


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides, or raise SettingsError."""
    try:
        return Settings(**overrides)
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc
