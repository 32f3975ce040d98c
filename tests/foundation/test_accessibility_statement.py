"""The accessibility statement (tilgængelighedserklæring): every page's footer links to it; the address is a
setting (the municipality's WAS-Tool page), and without it the footer links to the app's own page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from quota_app import create_app
from quota_app.clock import FrozenClock
from quota_app.settings import Settings
from tests.conftest import csrf_from
from tests.factories import bare_settings

WAS_TOOL = "https://www.was.digst.dk/kvoter-kk-dk"


def _client(settings: Settings):  # type: ignore[no-untyped-def]
    app = create_app(settings, clock=FrozenClock(datetime(2025, 12, 31, 12, 0, tzinfo=UTC)))
    return app.test_client()


def test_without_the_setting_the_footer_links_to_the_apps_own_page(tmp_path: Path) -> None:
    client = _client(bare_settings(tmp_path))
    page = client.get("/login").get_data(as_text=True)
    assert '<a href="/tilgaengelighed">Tilgængelighedserklæring</a>' in page
    statement = client.get("/tilgaengelighed")
    assert statement.status_code == 200  # no sign-in needed
    text = statement.get_data(as_text=True)
    assert "<h1>Tilgængelighed</h1>" in text and "QUOTA_ACCESSIBILITY_STATEMENT_URL" in text


def test_with_the_setting_every_footer_links_to_the_municipalitys_statement(tmp_path: Path) -> None:
    settings = bare_settings(tmp_path).model_copy(update={"accessibility_statement_url": WAS_TOOL})
    client = _client(settings)
    for path in ("/login", "/tilgaengelighed"):
        assert f'<a href="{WAS_TOOL}">Tilgængelighedserklæring</a>' in client.get(path).get_data(as_text=True)


def test_the_statement_page_in_english(tmp_path: Path) -> None:
    client = _client(bare_settings(tmp_path))
    token = csrf_from(client.get("/tilgaengelighed").get_data(as_text=True))
    assert client.post("/language", data={"lang": "en", "csrf_token": token}).status_code == 302
    text = client.get("/tilgaengelighed").get_data(as_text=True)
    assert "<h1>Accessibility</h1>" in text and ">Accessibility statement</a>" in text


@pytest.mark.parametrize("address", ["http://was.digst.dk/x", "ftp://x", "was.digst.dk/x"])
def test_the_statement_address_must_be_https(address: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="https"):
        Settings(env="test", instance_path=tmp_path, secret_key="s", accessibility_statement_url=address)
