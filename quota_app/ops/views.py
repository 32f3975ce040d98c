"""For load balancers, monitoring and Prometheus; no sign-in: /healthz, /readyz, /metrics."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, request
from flask.typing import ResponseReturnValue

from ..settings import Settings
from ..web import database, now
from . import health, metrics, readiness

bp = Blueprint("ops", __name__)

NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: 200 when the process answers and reaches its database, 503 when it does not."""
    problem = health.database_problem(database())
    if problem is not None:
        return {"status": "unavailable", "database": problem}, 503, NO_STORE
    return {"status": "ok", "database": "ok"}, 200, NO_STORE


@bp.route("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: the database answers, its schema is at the code's head, the scheduler reported in lately;
    503 naming each check that failed."""
    problems = readiness.readiness(database(), now=now())
    checks = {name: problem or "ok" for name, problem in problems.items()}
    reasons = [f"{name}: {problem}" for name, problem in problems.items() if problem is not None]
    if reasons:
        return {"status": "not ready", "checks": checks, "reasons": reasons}, 503, NO_STORE
    return {"status": "ready", "checks": checks}, 200, NO_STORE


@bp.route("/metrics")
def prometheus_metrics() -> ResponseReturnValue:
    """Prometheus' text format, for the addresses in QUOTA_METRICS_ALLOW or with QUOTA_METRICS_TOKEN as
    a bearer token; 404 when neither is set (metrics off), 403 for anyone else."""
    settings: Settings = current_app.config["QUOTA_SETTINGS"]
    if not settings.metrics_token and not settings.metrics_allow.strip():
        abort(404)
    if not _may_read_metrics(settings):
        abort(403)
    body = metrics.exposition(database(), now=now())
    return Response(body, mimetype=None, content_type=metrics.CONTENT_TYPE, headers=NO_STORE)


def _may_read_metrics(settings: Settings) -> bool:
    if settings.metrics_token:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), settings.metrics_token.encode()
        ):
            return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:  # ::ffff:10.0.0.1 is 10.0.0.1
        address = address.ipv4_mapped
    return any(address in network for network in settings.metrics_networks)
