"""The hostile-file classes through the browser upload: the preview names the problem, nothing is saved."""

from __future__ import annotations

import html
import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from quota_app.models import User
from quota_app.settings import Settings
from tests.conftest import csrf_from
from tests.imports.cases import CASES, IDS
from tests.imports.hostile import SMALL_SETTINGS, bomb
from tests.places_web.conftest import counts
from tests.places_web.test_import_web import _error_rows, upload


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's test settings with small import limits (the hostile files stay small)."""
    return settings.model_copy(update=SMALL_SETTINGS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_browser_upload_refuses_every_hostile_file(case, client, login, session, make_user):  # type: ignore[no-untyped-def]
    login(make_user("hr", "SOF"))
    before = counts(session)
    page, token = upload(client, case.build(), case.filename)
    text = html.unescape(page.get_data(as_text=True))
    if case.name == "oversized file":  # the request itself is over the limit (MAX_CONTENT_LENGTH)
        assert page.status_code == 413 and "Filen er for stor" in text
    elif case.file_message is not None:
        assert _error_rows(text) == ["Hele filen"] and case.file_message in text
    else:
        assert _error_rows(text) == [str(line) for line in sorted(case.rows)]
        assert all(message in text for message in case.rows.values())
    assert "Gem alle rækker" not in text
    assert counts(session) == before
    if token is not None:  # a refused upload can never be confirmed
        response = client.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf_from(text)})
        assert response.status_code in (404, 422)
        assert counts(session) == before


def test_targets_upload_refuses_a_bomb(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User]
) -> None:
    login(make_user("bif", None))
    token = csrf_from(client.get("/targets/import").get_data(as_text=True))
    response = client.post(
        "/targets/import",
        data={"csrf_token": token, "file": (io.BytesIO(bomb("shared", 8 * 1024 * 1024)), "t.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "zip-bombe" in html.unescape(response.get_data(as_text=True))
