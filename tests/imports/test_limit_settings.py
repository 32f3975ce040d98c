"""The import limits are settings: defaults, validation, and what the app and the CLI make of them."""

from __future__ import annotations

import pytest

from quota_app.imports.limits import ImportLimits
from quota_app.settings import Settings, SettingsError, load_settings


def test_defaults_match_the_readers_defaults_and_the_request_limit():
    settings = Settings(env="test")
    assert ImportLimits.from_settings(settings) == ImportLimits()
    assert settings.import_max_bytes == 64 * 1024 * 1024


@pytest.mark.parametrize(
    "overrides",
    [
        {"import_max_rows": 0},
        {"import_max_columns": 3},
        {"import_max_cell_chars": 1_000_000},
        {"import_max_bytes": 10},
        {"import_max_bytes": 600 * 1024 * 1024, "import_max_uncompressed_bytes": 512 * 1024 * 1024},
    ],
)
def test_invalid_limits_are_refused_at_start(overrides):  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError):
        load_settings(env="test", **overrides)


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTA_IMPORT_MAX_ROWS", "1000")
    monkeypatch.setenv("QUOTA_IMPORT_MAX_BYTES", "2097152")
    limits = ImportLimits.from_settings(load_settings(env="test"))
    assert (limits.max_rows, limits.max_bytes) == (1000, 2 * 1024 * 1024)
