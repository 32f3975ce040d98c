"""POST /api/v1/imports/places: the import service over the API; hostile files answer 4xx JSON, nothing saved."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from quota_app.models import Place, PlaceEvent
from quota_app.settings import Settings
from tests.imports.cases import CASES, IDS
from tests.imports.hostile import GOOD, SMALL_SETTINGS, csv_file

URL = "/api/v1/imports/places"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's test settings with small import limits (the hostile files stay small)."""
    return settings.model_copy(update=SMALL_SETTINGS)


def counts(session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return tuple(
        session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        for model in (Place, PlaceEvent)
    )


@pytest.fixture
def post(client, make_user, make_token):  # type: ignore[no-untyped-def]
    tokens: dict[str, str] = {}

    def do_post(
        data: bytes, filename: str = "places.csv", *, role: str = "bif", raw: bool = False, **args: str
    ):  # type: ignore[no-untyped-def]
        if role not in tokens:
            tokens[role] = make_token(make_user(role, "SOF"))
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        if raw:
            return client.post(
                URL,
                data=data,
                query_string={"filename": filename, **args},
                headers=headers,
                content_type="text/csv",
            )
        return client.post(
            URL,
            data={"file": (io.BytesIO(data), filename)},
            query_string=args,
            headers=headers,
            content_type="multipart/form-data",
        )

    return do_post


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_api_refuses_every_hostile_file(case, post, session):  # type: ignore[no-untyped-def]
    before = counts(session)
    response = post(case.build(), case.filename)
    body = response.get_json()
    if case.name == "oversized file":
        assert response.status_code == 413
        assert body["error"] == "too_large"
        assert (
            body["message"].startswith("Filen fylder 30") and "højst 256 KB kan indlæses" in body["message"]
        )
    elif case.file_message is not None:
        assert (response.status_code, body["error"], body["message"]) == (
            422,
            "unprocessable",
            case.file_message,
        )
    else:
        assert response.status_code == 422
        assert body["saved"] is False and body["message"].endswith("intet er gemt.")
        found = {e["row"]: e["message"] for e in body["errors"]}
        assert set(found) == set(case.rows)
        assert all(text in found[line] for line, text in case.rows.items())
    assert counts(session) == before


def test_bif_imports_for_any_department_dry_run_first(post, session):  # type: ignore[no-untyped-def]
    data = csv_file(GOOD.format(n=1), GOOD.format(n=2).replace("SOF", "BUF"))
    before = counts(session)
    dry = post(data, dry_run="true")
    assert dry.status_code == 200
    assert dry.get_json() == {
        "dry_run": True,
        "saved": False,
        "rows_read": 2,
        "places_created": 2,
        "places_updated": 0,
        "units_created": 0,
        "events_created": 2,
        "corrections": 0,
        "unchanged": 0,
        "errors": [],
    }
    assert counts(session) == before
    real = post(data, raw=True)
    assert real.status_code == 200 and real.get_json()["saved"] is True
    assert counts(session) == (before[0] + 2, before[1] + 2)


def test_hr_imports_only_their_own_department(post, session):  # type: ignore[no-untyped-def]
    before = counts(session)
    data = csv_file(GOOD.format(n=1), GOOD.format(n=2).replace("SOF", "BUF"))
    response = post(data, role="hr")
    assert response.status_code == 422
    assert [e["row"] for e in response.get_json()["errors"]] == [3]
    assert counts(session) == before
    assert post(csv_file(GOOD.format(n=1)), role="hr").status_code == 200


def test_bad_parameters_and_missing_file(post, client):  # type: ignore[no-untyped-def]
    assert post(csv_file(GOOD.format(n=1)), dry_run="maybe").status_code == 400
    assert post(b"", raw=True).get_json()["message"] == "Filen er tom."
    assert client.post(URL, data=b"x").status_code == 401


def test_messages_in_english_on_request(post, client, make_user, make_token):  # type: ignore[no-untyped-def]
    token = make_token(make_user("bif", None))
    response = client.post(
        URL,
        data=csv_file(GOOD.format(n=1), "SOF-9;SOF;internship;open;2025-01-06;;Praktik;1"),
        query_string={"filename": "x.csv"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        content_type="text/csv",
    )
    body = response.get_json()
    assert response.status_code == 422
    assert body["errors"] == [
        {
            "row": 3,
            "message": "The row has 8 cells, but the header has 9. "
            "Look for a missing or extra separator (';').",
        }
    ]
