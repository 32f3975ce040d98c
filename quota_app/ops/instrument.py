"""Every request: its id, its log line and its metrics.

The id is the client's (or the reverse proxy's) `X-Request-ID` when it is well formed, else a new one; it
goes back in the response's `X-Request-ID`, on every log line written while the request runs (logs.py),
and on the error pages (web.render_error), so a user can quote it to support and operations can find the
request in the logs. The cost is a clock reading, a dictionary look-up and two counter updates per request
(a few microseconds); the log line is written only when INFO is enabled for `quota.request`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from . import metrics

log = logging.getLogger("quota.request")

HEADER = "X-Request-ID"
# What nginx's $request_id, a UUID or most tracing ids look like; anything else is replaced.
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,128}")


def init_app(app: Flask) -> None:
    """Register first: the clock starts before any other before_request, the line is written after
    every other after_request (they run in reverse order of registration)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)


def _begin() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get(HEADER)
    g.request_id = given if given and WELL_FORMED.fullmatch(given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    if "request_id" not in g:  # a response made before _begin ran
        g.request_id = uuid.uuid4().hex
    response.headers[HEADER] = g.request_id
    rule = request.url_rule
    status = response.status_code
    metrics.observe_request(
        rule.endpoint if rule is not None else "unmatched", request.method, status, seconds
    )
    if log.isEnabledFor(logging.INFO):
        path = request.path if request.path.isprintable() else request.path.encode("unicode_escape").decode()
        log.info(
            "%s %s %s %.1f ms",
            request.method,
            path[:300],
            status,
            seconds * 1000,
            extra={"status": status, "duration_ms": round(seconds * 1000, 1)},
        )
    return response
