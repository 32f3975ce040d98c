"""Prometheus metrics (prometheus_client): what the web processes count per request, and figures read
from the database when /metrics is scraped.

Two kinds, two mechanisms:

- **Per request** (`quota_http_requests_total`, `quota_http_request_duration_seconds`): counted in the
  process that answered. Under gunicorn every worker is a process of its own, so the counts live in
  prometheus_client's *multiprocess mode*: with `PROMETHEUS_MULTIPROC_DIR` set (deploy/gunicorn.conf.py
  sets it), each worker writes its counts to memory-mapped files there and a scrape, answered by any
  worker, adds up the files of all of them (also of workers that have since died). Without it (one
  process: the development server, tests) the counts stay in this process.
- **From the database** (dispatch ledger rows by kind and state, import jobs by kind and state, the
  scheduler heartbeat's age): gauges read at scrape time by `DatabaseFigures`. The database is shared by
  every worker and every machine, so any of them gives the same figures, and nothing has to be kept.

The labels are bounded: the endpoint is the route's name (or `unmatched`), the method one of the known
ones (or `other`), the status a number.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime

import sqlalchemy as sa
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import values as prometheus_values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlmodel import Session, col

from ..db import Database
from ..dispatch.heartbeat import scheduler_status
from ..models import (
    DISPATCH_KINDS,
    DISPATCH_STATES,
    IMPORT_JOB_KINDS,
    IMPORT_JOB_STATES,
    Dispatch,
    ImportJob,
)

log = logging.getLogger("quota.metrics")

CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; around the write path's budget (p95 < 150 ms) finer, then up to gunicorn's timeout.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
LABELS = ("endpoint", "method", "status")

disable_created_metrics()  # no `_created` series: multiprocess mode has none either, so both look alike
# Not registered anywhere: each scrape builds its own registry (see exposition()).
REQUESTS = Counter("quota_http_requests", "HTTP requests answered.", LABELS, registry=None)
DURATION = Histogram(
    "quota_http_request_duration_seconds",
    "Time from the request reaching the app to its response leaving it.",
    LABELS,
    buckets=BUCKETS,
    registry=None,
)
_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def multiprocess() -> bool:
    """True when prometheus_client keeps values in PROMETHEUS_MULTIPROC_DIR (decided when it was imported)."""
    return bool(getattr(prometheus_values.ValueClass, "_multiprocess", False))


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request. The labelled children are looked up once per label set and kept."""
    if method not in METHODS:
        method = "other"
    key = (endpoint, method, status)
    children = _children.get(key)
    if children is None:
        labels = (endpoint, method, str(status))
        children = _children.setdefault(key, (REQUESTS.labels(*labels), DURATION.labels(*labels)))
    children[0].inc()
    children[1].observe(seconds)


class DatabaseFigures:
    """A collector reading the shared figures from the database at scrape time."""

    def __init__(self, db: Database, *, now: datetime) -> None:
        self.db, self.now = db, now

    def describe(self) -> list[Metric]:
        return []  # registering must not query the database; collect() says what there is

    def collect(self) -> list[Metric]:
        up = GaugeMetricFamily("quota_database_up", "1 when the database answered this scrape, else 0.")
        try:
            with self.db.session() as session:
                ledger = _counts(session, Dispatch)
                jobs = _counts(session, ImportJob)
                status = scheduler_status(session)
        except (sa.exc.SQLAlchemyError, OSError) as exc:  # OSError: a SQLite folder that cannot be made
            log.warning("metrics: cannot read the figures from the database: %s", exc)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        dispatch = GaugeMetricFamily(
            "quota_dispatch_ledger_rows",
            "Mails in the dispatch ledger, by kind and state.",
            labels=["kind", "state"],
        )
        for kind in DISPATCH_KINDS:
            for state in DISPATCH_STATES:
                dispatch.add_metric([kind, state], ledger.get((kind, state), 0))
        imports = GaugeMetricFamily(
            "quota_import_jobs", "Background import jobs, by kind and state.", labels=["kind", "state"]
        )
        for kind in IMPORT_JOB_KINDS:
            for state in IMPORT_JOB_STATES:
                imports.add_metric([kind, state], jobs.get((kind, state), 0))
        age = GaugeMetricFamily(
            "quota_scheduler_heartbeat_age_seconds",
            "Seconds since the scheduler last reported in (+Inf: never). It does so at least every minute.",
        )
        age.add_metric([], math.inf if status is None else (self.now - status.heartbeat).total_seconds())
        return [up, dispatch, imports, age]


def _counts(session: Session, table: type[ImportJob] | type[Dispatch]) -> dict[tuple[str, str], int]:
    rows = session.execute(
        sa.select(col(table.kind), col(table.state), sa.func.count()).group_by(
            col(table.kind), col(table.state)
        )
    )
    return {(kind, state): count for kind, state, count in rows}


def exposition(db: Database, *, now: datetime) -> bytes:
    """The text format of every metric: this process's or all workers' request counts, and the database's."""
    registry = CollectorRegistry()
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(DURATION)
    registry.register(DatabaseFigures(db, now=now))
    return generate_latest(registry)
