import pytest

from quota_app import create_app
from quota_app.settings import DEVELOPMENT_SECRET, Settings, SettingsError, load_settings


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("QUOTA_SECRET_KEY", raising=False)
    monkeypatch.setenv("QUOTA_ENV", "production")
    with pytest.raises(SettingsError, match="QUOTA_SECRET_KEY"):
        load_settings()


def test_development_gets_a_development_key(monkeypatch):
    monkeypatch.delenv("QUOTA_SECRET_KEY", raising=False)
    monkeypatch.setenv("QUOTA_ENV", "development")
    assert load_settings().effective_secret_key == DEVELOPMENT_SECRET


def test_settings_come_from_quota_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("QUOTA_SECRET_KEY", "s3cret")
    monkeypatch.setenv("QUOTA_DATABASE_URL", "postgresql://quota@db/quota")
    monkeypatch.setenv("QUOTA_SMTP_HOST", "mail.example")
    monkeypatch.setenv("QUOTA_SMTP_PORT", "587")
    monkeypatch.setenv("QUOTA_INSTANCE_PATH", str(tmp_path))
    settings = load_settings()
    assert settings.effective_database_url == "postgresql://quota@db/quota"
    assert (settings.smtp_host, settings.smtp_port) == ("mail.example", 587)
    assert settings.effective_outbox_path == tmp_path / "outbox"


def test_default_database_is_a_sqlite_file_in_instance(tmp_path):
    settings = Settings(env="development", instance_path=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'quota.db'}"
    assert settings.timezone == "Europe/Copenhagen"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("QUOTA_TIMEZONE", "Mars/Olympus", "ukendt tidszone"),
        ("QUOTA_SMTP_PORT", "99999", "QUOTA_SMTP_PORT=.99999.: må højst"),
        ("QUOTA_DISPATCH_CRON", "0 8 15 2", "QUOTA_DISPATCH_CRON=.0 8 15 2.: ugyldigt cron-udtryk"),
        ("QUOTA_ALERT_CRON", "every day", "ugyldigt cron-udtryk"),
        ("QUOTA_LOCK_TIMEOUT_MS", "0", "QUOTA_LOCK_TIMEOUT_MS=.0.: skal være mindst"),
        ("QUOTA_LOCK_TIMEOUT_MS", "ten", "QUOTA_LOCK_TIMEOUT_MS=.ten.: skal være et heltal"),
        ("QUOTA_RETRY_AFTER_SECONDS", "0", "QUOTA_RETRY_AFTER_SECONDS=.0.: skal være mindst"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(monkeypatch, name, value, message):
    monkeypatch.setenv("QUOTA_ENV", "development")
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=message):
        load_settings()


def test_create_app_has_no_side_effects(tmp_path):
    instance = tmp_path / "instance"
    app = create_app(Settings(env="development", instance_path=instance))
    assert not instance.exists(), "create_app must not create files or databases"
    assert app.extensions["quota_db"]._engine is None, "create_app must not connect to the database"
