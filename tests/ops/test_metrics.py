"""/metrics: Prometheus' text format for the addresses in QUOTA_METRICS_ALLOW or with QUOTA_METRICS_TOKEN;
404 when neither is set, 403 for anyone else. Request counts and latencies per endpoint, method and status;
the dispatch ledger, import jobs and the scheduler's heartbeat age read from the database."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from quota_app import create_app
from quota_app.db import Database
from quota_app.models import Dispatch, ImportJob
from quota_app.ops import metrics
from quota_app.settings import SettingsError, load_settings
from tests.ops.conftest import publish_heartbeat

TOKEN = "a-long-random-token-for-prometheus"


def samples(body: str) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value."""
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def metrics_client(settings, connection, clock, **values):  # type: ignore[no-untyped-def]
    app = create_app(settings.model_copy(update=values), database=Database.bound_to(connection), clock=clock)
    return app.test_client()


def scrape(client, address: str = "10.20.30.40", **headers: str):  # type: ignore[no-untyped-def]
    return client.get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_off_without_an_allow_list_or_a_token(client, monkeypatch) -> None:
    assert scrape(client, "127.0.0.1").status_code == 404
    monkeypatch.setenv("QUOTA_ENV", "development")
    monkeypatch.setenv("QUOTA_METRICS_TOKEN", "")  # an empty line in the environment file: no token
    assert load_settings().metrics_token is None


@pytest.mark.parametrize(
    ("address", "status"),
    [("10.20.30.40", 200), ("10.20.31.1", 403), ("127.0.0.1", 200), ("192.0.2.1", 403), ("2001:db8::7", 200)],
)
def test_only_listed_addresses_may_read(settings, connection, clock, address, status) -> None:
    client = metrics_client(
        settings, connection, clock, metrics_allow="10.20.30.0/24, 127.0.0.1, 2001:db8::/32"
    )
    response = scrape(client, address)
    assert response.status_code == status
    if status == 200:
        assert response.content_type == metrics.CONTENT_TYPE
        assert response.headers["Cache-Control"] == "no-store"


def test_a_bearer_token_opens_it_from_anywhere(settings, connection, clock) -> None:
    client = metrics_client(settings, connection, clock, metrics_token=TOKEN, metrics_allow="10.0.0.0/8")
    assert scrape(client, "192.0.2.1", Authorization=f"Bearer {TOKEN}").status_code == 200
    assert scrape(client, "192.0.2.1", Authorization=f"bearer {TOKEN}").status_code == 200
    assert scrape(client, "192.0.2.1", Authorization=f"Bearer {TOKEN}x").status_code == 403
    assert scrape(client, "192.0.2.1", Authorization=f"Basic {TOKEN}").status_code == 403
    assert scrape(client, "192.0.2.1").status_code == 403
    assert scrape(client, "10.1.2.3").status_code == 200  # the allow list still counts


def test_behind_a_trusted_proxy_the_client_address_counts(settings, connection, clock) -> None:
    client = metrics_client(settings, connection, clock, metrics_allow="10.20.30.0/24", trusted_proxies=1)
    via_proxy = {"X-Forwarded-For": "10.20.30.5"}
    assert scrape(client, "127.0.0.1", **via_proxy).status_code == 200
    assert scrape(client, "127.0.0.1", **{"X-Forwarded-For": "192.0.2.1"}).status_code == 403


def test_requests_are_counted_by_endpoint_method_and_status(settings, connection, clock) -> None:
    client = metrics_client(settings, connection, clock, metrics_allow="10.20.30.0/24")
    before = samples(scrape(client).get_data(as_text=True))
    for _ in range(3):
        client.get("/login")
    client.get("/no-such-page")
    client.open("/login", method="BREW")
    after = samples(scrape(client).get_data(as_text=True))

    def grew(endpoint: str, method: str, status: str, name: str = "quota_http_requests_total") -> float:
        key = (name, (("endpoint", endpoint), ("method", method), ("status", status)))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("auth.login", "GET", "200") == 3
    assert grew("unmatched", "GET", "404") == 1
    assert grew("unmatched", "other", "405") == 1  # unknown methods share one label value
    assert grew("auth.login", "GET", "200", "quota_http_request_duration_seconds_count") == 3
    buckets = [
        (float(dict(labels)["le"]), value)
        for (name, labels), value in after.items()
        if name == "quota_http_request_duration_seconds_bucket" and dict(labels)["endpoint"] == "auth.login"
    ]
    assert {le for le, _ in buckets} == {*metrics.BUCKETS, math.inf}


def test_the_database_figures(settings, connection, session, make_user, reference, clock) -> None:
    client = metrics_client(settings, connection, clock, metrics_allow="10.20.30.0/24")
    user = make_user("hr", "SOF")
    for state, count in (("sent", 3), ("pending", 2), ("failed", 1)):
        for number in range(count):
            session.add(
                Dispatch(
                    period="2025-H1",
                    scope="SOF",
                    recipient=f"{state}{number}@kk.test",
                    kind="report",
                    state=state,
                    created_at=clock.now(),
                )
            )
    for number, (kind, state) in enumerate([("preview", "done"), ("save", "running"), ("save", "queued")]):
        session.add(
            ImportJob(
                token=f"token{number}",
                kind=kind,
                filename="places.csv",
                user_id=user.id,
                department_id=user.department_id,
                state=state,
                created_at=clock.now(),
            )
        )
    session.commit()
    found = samples(scrape(client).get_data(as_text=True))
    assert found[("quota_database_up", ())] == 1
    ledger = {
        dict(labels)["state"]: value
        for (name, labels), value in found.items()
        if name == "quota_dispatch_ledger_rows" and dict(labels)["kind"] == "report"
    }
    assert ledger == {"pending": 2, "sending": 0, "sent": 3, "failed": 1}
    assert found[("quota_dispatch_ledger_rows", (("kind", "alert"), ("state", "sent")))] == 0
    assert found[("quota_import_jobs", (("kind", "save"), ("state", "running")))] == 1
    assert found[("quota_import_jobs", (("kind", "save"), ("state", "queued")))] == 1
    assert found[("quota_import_jobs", (("kind", "preview"), ("state", "done")))] == 1
    assert found[("quota_import_jobs", (("kind", "save"), ("state", "failed")))] == 0
    assert found[("quota_scheduler_heartbeat_age_seconds", ())] == math.inf  # it never reported in

    publish_heartbeat(Database.bound_to(connection), settings, clock.now() - timedelta(seconds=42))
    found = samples(scrape(client).get_data(as_text=True))
    assert found[("quota_scheduler_heartbeat_age_seconds", ())] == 42


def test_a_dead_database_gives_request_counts_and_database_up_0(tmp_path, settings) -> None:
    from tests.foundation.test_failures import dead_database_urls

    app = create_app(
        settings.model_copy(
            update={"database_url": dead_database_urls(tmp_path)["sqlite"], "metrics_allow": "127.0.0.1"}
        )
    )
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    found = samples(response.get_data(as_text=True))
    assert found[("quota_database_up", ())] == 0
    assert not [name for name, _labels in found if name.startswith("quota_dispatch")]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "QUOTA_METRICS_ALLOW",
            "10.0.0.0/8, intranet",
            "QUOTA_METRICS_ALLOW=.*'intranet' er ikke en adresse",
        ),
        ("QUOTA_METRICS_ALLOW", "10.0.0.0/33", "QUOTA_METRICS_ALLOW"),
        ("QUOTA_METRICS_TOKEN", "short", "QUOTA_METRICS_TOKEN: skal være mindst 24 tegn"),
        ("QUOTA_LOG_FORMAT", "xml", "QUOTA_LOG_FORMAT=.xml.: skal være en af"),
        (
            "QUOTA_SCHEDULER_STANDBY_SECONDS",
            "301",
            "QUOTA_SCHEDULER_STANDBY_SECONDS=.301.: må højst være 300",
        ),
    ],
)
def test_bad_operations_settings_are_refused_in_one_line(monkeypatch, name, value, message) -> None:
    monkeypatch.setenv("QUOTA_ENV", "development")
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=message) as refused:
        load_settings()
    assert "short" not in str(refused.value)  # a token's value is never repeated
