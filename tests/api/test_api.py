"""The JSON API: role and department checks on every request, JSON errors with the right status."""

from __future__ import annotations

from sqlmodel import select

from quota_app.models import Target


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


def test_hr_token_cannot_read_another_departments_places(client, make_user, make_token, make_place):
    own, other = make_place("SOF", "SOF-1"), make_place("BUF", "BUF-1")
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
