"""The JSON API: role and department checks on every request, JSON errors with the right status."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from quota_app.models import Target
from tests.conftest import csrf_from


def _h(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_reference_lists(client, make_user, make_token):
    headers = _h(make_token(make_user("hr", "SOF")))
    departments = client.get("/api/v1/departments", headers=headers).json["departments"]
    assert [d["code"] for d in departments][:2] == ["ØKF", "KFF"] and len(departments) == 7
    types = client.get("/api/v1/types", headers=headers).json["types"]
    assert {t["code"] for t in types} >= {"internship", "job_rotation"}


def test_bif_writes_targets_and_hr_reads_own_only(client, make_user, make_token, session):
    bif = _h(make_token(make_user("bif")))
    body = {
        "targets": [
            {
                "year": 2026,
                "department": "SOF",
                "type": "internship",
                "value": 12,
                "decided_on": "2025-12-10",
                "reference": "BR",
            },
            {"year": 2026, "department": "BUF", "type": "internship", "value": 30},
        ]
    }
    response = client.put("/api/v1/targets", json=body, headers=bif)
    assert response.status_code == 200, response.json
    assert [t["value"] for t in response.json["targets"]] == [12, 30]
    hr = _h(make_token(make_user("hr", "SOF")))
    rows = client.get("/api/v1/targets?year=2026", headers=hr).json["targets"]
    assert [(t["department"], t["value"], t["decided_on"]) for t in rows] == [("SOF", 12, "2025-12-10")]
    assert client.get("/api/v1/targets?department=BUF", headers=hr).status_code == 403
    assert len(client.get("/api/v1/targets?year=2026", headers=bif).json["targets"]) == 2
    # HR may not write targets, not even its own department's.
    denied = client.put("/api/v1/targets", json={"targets": [{**body["targets"][0], "value": 1}]}, headers=hr)
    assert denied.status_code == 403 and denied.json["error"] == "forbidden"
    session.expire_all()
    assert sorted(t.value for t in session.exec(select(Target)).all()) == [12, 30]


def test_put_targets_is_all_or_nothing_with_422(client, make_user, make_token, session):
    bif = _h(make_token(make_user("admin")))
    body = {
        "targets": [
            {"year": 2026, "department": "SOF", "type": "internship", "value": 5},
            {"year": 2026, "department": "XXX", "type": "internship", "value": 5},
        ]
    }
    response = client.put("/api/v1/targets", json=body, headers=bif)
    assert response.status_code == 422 and response.json["field"] == "department"
    assert session.exec(select(Target)).all() == []
    for bad in (
        {"targets": []},
        {"targets": [{"year": 2026, "department": "SOF", "type": "internship", "value": -1}]},
        [1, 2],
    ):
        assert client.put("/api/v1/targets", json=bad, headers=bif).status_code == 422
    response = client.put(
        "/api/v1/targets", data="{not json", headers={**bif, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.is_json


def test_hr_token_cannot_read_another_departments_places(client, make_user, make_token, register_place):
    own, other = (
        register_place(
            ("open", date(2025, 3, 1)), department="SOF", reference="SOF-1", title="Praktik", commit=True
        ),
        register_place(
            ("open", date(2025, 3, 1)), department="BUF", reference="BUF-1", title="Praktik", commit=True
        ),
    )
    hr = _h(make_token(make_user("hr", "SOF")))
    listing = client.get("/api/v1/places", headers=hr).json
    assert [p["reference"] for p in listing["places"]] == ["SOF-1"] and listing["total"] == 1
    assert client.get("/api/v1/places?department=BUF", headers=hr).status_code == 403
    assert client.get(f"/api/v1/places/{other.id}", headers=hr).status_code == 404
    detail = client.get(f"/api/v1/places/{own.id}", headers=hr).json
    assert detail["reference"] == "SOF-1" and [e["status"] for e in detail["events"]] == ["open"]
    bif = _h(make_token(make_user("bif")))
    assert client.get("/api/v1/places", headers=bif).json["total"] == 2
    assert client.get("/api/v1/places?department=BUF&status=open", headers=bif).json["total"] == 1


def test_errors_are_json_never_html(client, make_user, make_token):
    hr = _h(make_token(make_user("hr", "SOF")))
    for url, status in (
        ("/api/v1/nothing-here", 404),
        ("/api/v1/places/999999", 404),
        ("/api/v1/places/99999999999999999999", 404),
        ("/api/v1/places?limit=0", 400),
        ("/api/v1/places?limit=abc", 400),
        ("/api/v1/places?status=gone", 400),
        ("/api/v1/targets?year=1800", 400),
        ("/api/v1/places?type=%00", 400),
    ):
        response = client.get(url, headers=hr)
        assert response.status_code == status, url
        assert response.is_json and set(response.json) >= {"error", "message"}, url
    response = client.delete("/api/v1/places", headers=hr)
    assert response.status_code == 405 and response.is_json


def test_api_needs_no_csrf_and_ignores_the_browser_session(client, login, make_user):
    user = make_user("bif")
    login(user)
    assert client.get("/api/v1/departments").status_code == 401


def test_openapi_document_is_served_without_a_token(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert {
        "/departments",
        "/types",
        "/targets",
        "/places",
        "/places/{place_id}",
        "/places/{place_id}/events",
        "/reconcile",
    } <= set(document["paths"])


def test_hr_token_creates_places_and_events_in_own_department_only(
    client, make_user, make_token, register_place, session
):
    from quota_app.models import Place, PlaceEvent

    hr = _h(make_token(make_user("hr", "SOF")))
    body = {"type": "internship", "reference": "SOF-API-1", "status": "open", "effective_date": "2025-09-01"}
    created = client.post("/api/v1/places", json=body, headers=hr)
    assert created.status_code == 201, created.json
    assert created.json["department"] == "SOF" and [e["status"] for e in created.json["events"]] == ["open"]
    place_id = created.json["id"]
    event = client.post(
        f"/api/v1/places/{place_id}/events",
        json={
            "status": "filled",
            "effective_date": "2025-09-15",
            "expected_version": created.json["version"],
        },
        headers=hr,
    )
    assert event.status_code == 201, event.json
    # A stale version is a conflict; a refused transition is 422.
    stale = client.post(
        f"/api/v1/places/{place_id}/events",
        json={"status": "open", "effective_date": "2025-09-20", "expected_version": created.json["version"]},
        headers=hr,
    )
    assert stale.status_code == 409 and stale.json["error"] == "conflict"
    refused = client.post(
        f"/api/v1/places/{place_id}/events",
        json={"status": "paused", "effective_date": "2025-09-20"},
        headers=hr,
    )
    assert refused.status_code == 422 and refused.json["message"]
    # Another department: refused, nothing written.
    other = register_place(
        ("open", date(2025, 3, 1)), department="BUF", reference="BUF-1", title="Praktik", commit=True
    )
    events_before = len(session.exec(select(PlaceEvent)).all())
    places_before = len(session.exec(select(Place)).all())
    denied = client.post("/api/v1/places", json={**body, "department": "BUF", "reference": "X"}, headers=hr)
    assert denied.status_code == 403 and denied.is_json
    hidden = client.post(
        f"/api/v1/places/{other.id}/events",
        json={"status": "filled", "effective_date": "2025-09-20"},
        headers=hr,
    )
    assert hidden.status_code == 404 and hidden.is_json
    session.expire_all()
    assert len(session.exec(select(PlaceEvent)).all()) == events_before
    assert len(session.exec(select(Place)).all()) == places_before
    assert session.get(Place, other.id).current_status == "open"


def test_bif_token_creates_places_in_any_department(client, make_user, make_token):
    bif = _h(make_token(make_user("bif")))
    body = {
        "department": "BUF",
        "type": "flex_job",
        "reference": "B-1",
        "status": "filled",
        "effective_date": "2025-01-01",
        "fte": 0.5,
    }
    response = client.post("/api/v1/places", json=body, headers=bif)
    assert response.status_code == 201 and response.json["fte"] == 0.5
    missing = client.post("/api/v1/places", json={"type": "flex_job"}, headers=bif)
    assert missing.status_code == 422 and missing.json["field"]
    for bad in (
        {**body, "fte": 2},
        {**body, "status": "paused", "reference": "B-2"},
        {**body, "effective_date": "yesterday", "reference": "B-3"},
    ):
        assert client.post("/api/v1/places", json=bad, headers=bif).status_code == 422
    duplicate = client.post("/api/v1/places", json=body, headers=bif)
    assert duplicate.status_code in (409, 422) and duplicate.is_json


def test_reconcile_matches_the_cli_shape_and_scopes_hr(
    client, make_user, make_token, register_place, app, reference
):
    import json

    register_place(
        ("filled", date(2025, 3, 1)), department="SOF", reference="S-1", title="Praktik", commit=True
    )
    register_place(
        ("filled", date(2025, 3, 1)), department="BUF", reference="B-1", title="Praktik", commit=True
    )
    bif = _h(make_token(make_user("bif")))
    response = client.get("/api/v1/reconcile?as_of=2025-06-30&known_at=2025-09-30T10:00:00Z", headers=bif)
    assert response.status_code == 200, response.json
    cli = app.test_cli_runner().invoke(
        args=["reconcile", "--as-of", "2025-06-30", "--known-at", "2025-09-30T10:00:00Z", "--format", "json"]
    )
    assert cli.exit_code == 0, cli.output
    assert response.json == json.loads(cli.stdout)
    assert set(response.json) >= {"as_of", "period", "method", "known_at", "rows", "totals"}
    hr = _h(make_token(make_user("hr", "SOF")))
    own = client.get("/api/v1/reconcile?period=2025-H1", headers=hr)
    assert own.status_code == 200 and {r["department"] for r in own.json["rows"]} == {"SOF"}
    assert client.get("/api/v1/reconcile?period=2025-H1&department=BUF", headers=hr).status_code == 403
    what_if = client.get("/api/v1/reconcile?as_of=2025-06-30&count=internship=open,filled", headers=bif)
    assert what_if.status_code == 200
    for url in (
        "/api/v1/reconcile",
        "/api/v1/reconcile?as_of=2025-13-01",
        "/api/v1/reconcile?period=2025-H3",
        "/api/v1/reconcile?as_of=2025-06-30&method=median",
        "/api/v1/reconcile?as_of=2025-06-30&count=x",
    ):
        bad = client.get(url, headers=bif)
        assert bad.status_code == 400 and bad.is_json, url


def test_openapi_document_lists_exactly_the_routes_of_the_api(app):
    import re

    document = app.test_client().get("/api/v1/openapi.json").json
    documented = {(path, method.upper()) for path, methods in document["paths"].items() for method in methods}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


REFUSED_DA = (
    "En plads kan ikke gå fra besat til i bero (01.04.2025). En besat plads kan kun blive åben eller nedlagt."
)
REFUSED_EN = "A place cannot go from filled to paused (01.04.2025). A place that is filled can only become open or closed."


def _pause(client, place_id: int, headers: dict):  # type: ignore[no-untyped-def]
    body = {"status": "paused", "effective_date": "2025-04-01"}
    return client.post(f"/api/v1/places/{place_id}/events", json=body, headers=headers)


def test_error_messages_are_danish_by_default(client, make_user, make_token, register_place):
    hr = _h(make_token(make_user("hr", "SOF")))
    place = register_place(
        ("filled", date(2025, 3, 1)), department="SOF", reference="P-1", title="Praktik", commit=True
    )
    for headers in (hr, hr | {"Accept-Language": "da"}, hr | {"Accept-Language": "fr-FR, de;q=0.5"}):
        response = _pause(client, place.id, headers)
        assert response.status_code == 422, headers
        assert response.json == {"error": "unprocessable", "message": REFUSED_DA, "field": "status"}
        assert response.headers["Content-Language"] == "da"
        assert "Accept-Language" in response.headers["Vary"]


def test_error_messages_in_english_with_accept_language(client, make_user, make_token, register_place):
    hr = _h(make_token(make_user("hr", "SOF")))
    english = hr | {"Accept-Language": "en-GB,en;q=0.9,da;q=0.5"}
    place = register_place(
        ("filled", date(2025, 3, 1)), department="SOF", reference="P-1", title="Praktik", commit=True
    )
    response = _pause(client, place.id, english)
    assert response.status_code == 422
    assert response.json == {"error": "unprocessable", "message": REFUSED_EN, "field": "status"}
    assert response.headers["Content-Language"] == "en"
    # The API's own input checks, not found, and a missing key: English too.
    response = client.post(
        f"/api/v1/places/{place.id}/events", json={"effective_date": "2025-04-01"}, headers=english
    )
    assert (response.status_code, response.json["message"]) == (422, "The field 'status' is missing.")
    response = client.get("/api/v1/places/999999", headers=english)
    assert (response.status_code, response.json["message"]) == (404, "The place does not exist.")
    response = client.get("/api/v1/reconcile?period=2025-H3", headers=english)
    assert response.status_code == 400
    assert response.json["message"] == "Invalid period '2025-H3': use e.g. 2025, 2025-H1 or 2025-H2."
    response = client.get("/api/v1/departments", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json["message"] == "API key missing: send 'Authorization: Bearer KEY'."
    # Danish again as soon as the client stops asking for English.
    response = client.get("/api/v1/places/999999", headers=hr)
    assert response.json["message"] == "Pladsen findes ikke."


def test_the_browser_sessions_language_does_not_change_the_api(client, login, make_user, make_token):
    user = make_user("bif")
    login(user)
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/language", data={"lang": "en", "csrf_token": token})
    response = client.get("/api/v1/places/999999", headers=_h(make_token(user)))
    assert (response.status_code, response.json["message"]) == (404, "Pladsen findes ikke.")


def test_the_validation_hook_refuses_in_the_apps_words_in_both_languages(
    client, make_user, make_token, register_place
):
    """What flask-openapi3 finds wrong with a request reaches the client as the API's own error, localised."""
    hr = _h(make_token(make_user("hr", "SOF")))
    place = register_place(
        ("open", date(2025, 3, 1)), department="SOF", reference="P-1", title="Praktik", commit=True
    )
    events = f"/api/v1/places/{place.id}/events"
    for method, url, body, status, field, danish, english in (
        (
            "get",
            "/api/v1/places?limit=abc",
            None,
            400,
            "limit",
            "Parameteren 'limit' skal være et helt tal mellem 1 og 1000.",
            "The parameter 'limit' must be a whole number between 1 and 1000.",
        ),
        (
            "post",
            events,
            "{not json",
            400,
            None,
            "Indholdet skal være JSON (Content-Type: application/json).",
            "The body must be JSON (Content-Type: application/json).",
        ),
        (
            "post",
            events,
            [1, 2],
            422,
            None,
            "Indholdet skal være et JSON-objekt.",
            "The body must be a JSON object.",
        ),
        (
            "post",
            events,
            {"status": "filled", "effective_date": None},
            422,
            "effective_date",
            "Feltet 'effective_date' mangler.",
            "The field 'effective_date' is missing.",
        ),
        (
            "post",
            events,
            {"status": 7, "effective_date": "2025-04-01"},
            422,
            "status",
            "Feltet 'status' skal være tekst.",
            "The field 'status' must be text.",
        ),
        (
            "post",
            events,
            {"status": "filled", "effective_date": "2025-04-01", "note": "x" * 2001},
            422,
            "note",
            "Feltet 'note' må højst være 2000 tegn.",
            "The field 'note' may be at most 2000 characters.",
        ),
        (
            "post",
            events,
            {"status": "filled", "effective_date": "2025-04-01", "expected_version": 1.0},
            422,
            "expected_version",
            "Feltet 'expected_version' skal være et helt tal mellem 0 og 2147483647.",
            "The field 'expected_version' must be a whole number between 0 and 2147483647.",
        ),
    ):
        for language, message in (("da", danish), ("en", english)):
            headers = hr | {"Accept-Language": language}
            if isinstance(body, str):
                response = client.open(
                    url, method=method, data=body, headers=headers, content_type="application/json"
                )
            else:
                response = client.open(url, method=method, json=body, headers=headers)
            assert (response.status_code, response.json) == (
                status,
                {
                    "error": "bad_request" if status == 400 else "unprocessable",
                    "message": message,
                    "field": field,
                },
            ), url
            assert response.headers["Content-Language"] == language


def test_the_api_page_is_served_from_the_apps_own_files(client):
    import re

    response = client.get("/api/docs", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert "<title>API documentation" in page and 'data-url="/api/v1/openapi.json"' in page
    assert "<script>" not in page and "<style" not in page and " style=" not in page
    files = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len([f for f in files if f.endswith((".js", ".css"))]) == 3
    for url in files:
        assert url.startswith("/"), url  # nothing from another site: the CSP would refuse it
        asset = client.get(url)
        assert asset.status_code == 200, url
        asset.close()
