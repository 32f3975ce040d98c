"""When writers meet: a clash with a newer save is a 409, a lock not had in time a 503 with Retry-After.

One mechanism for every view (registered app-wide by quota_app.web, and by the API blueprint for its
JSON): the request's transaction is rolled back, so nothing of a refused request is saved.
- `StaleDataError`: the optimistic lock (a place's version) found that someone saved first, at flush or
  commit time;
- a unique constraint broken by two inserts raced past the service's own check: it exists already;
- a lock not had within QUOTA_LOCK_TIMEOUT_MS (SQLite busy, PostgreSQL lock_timeout, serialization
  failure or deadlock): the app is busy, try again.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from sqlalchemy.orm.exc import StaleDataError

from .db import is_lock_failure, is_unique_violation
from .texts import N_, Text

CHANGED = N_("Det, du gemte, er ændret af en anden i samme øjeblik. Hent siden igen, og prøv på ny.")
EXISTS = N_("Det findes allerede: en anden har gemt det samme i samme øjeblik. Hent siden igen.")
BUSY = N_("Der bliver gemt meget lige nu, så din ændring blev ikke gemt. Prøv igen om lidt.")


@dataclass(frozen=True)
class Clash:
    """The answer to a database error that concurrency explains: status, API error name, message."""

    status: int
    error: str
    message: Text


def clash_of(error: BaseException) -> Clash | None:
    """The answer to error when another writer explains it; None for every other error."""
    if isinstance(error, StaleDataError):
        return Clash(409, "conflict", CHANGED)
    if is_unique_violation(error):
        return Clash(409, "conflict", EXISTS)
    if is_lock_failure(error):
        return Clash(503, "busy", BUSY)
    return None


def rollback_request() -> None:
    """Roll back the request's transaction (nothing of a refused request is saved); what the answer still
    reads (the signed-in user, the place as it is now) is read in transactions that take no write lock."""
    from .web import database

    session = g.get("db_session")
    if session is None:
        return
    session.rollback()
    if isinstance(session.bind, sa.engine.Engine):
        session.bind = database().engine  # not the write engine: reads begin deferred


def retry_after() -> str:
    return str(current_app.config["QUOTA_SETTINGS"].retry_after_seconds)


def json_answer(clash: Clash) -> Response:
    """The API's JSON error shape ({error, message, field}) for a clash."""
    from .web import localized

    response = jsonify({"error": clash.error, "message": localized(clash.message), "field": None})
    response.status_code = clash.status
    response.headers["Content-Language"] = str(get_locale() or "da")
    response.vary.add("Accept-Language")
    if clash.status == 503:
        response.headers["Retry-After"] = retry_after()
    return response


def answer(error: BaseException) -> ResponseReturnValue:
    """Roll back and answer a clash (the app's error page, or JSON under /api/); re-raise anything else."""
    clash = clash_of(error)
    if clash is None:
        raise error
    rollback_request()
    current_app.logger.info("%s answered %d: %s", request.path, clash.status, error.__class__.__name__)
    if request.path.startswith("/api/"):
        return json_answer(clash)
    from .web import localized, render_error

    headers = {"Retry-After": retry_after()} if clash.status == 503 else {}
    return render_error(clash.status, None, explanation=localized(clash.message), headers=headers)


def register_handlers(app: Flask) -> None:
    """Answer concurrency clashes app-wide instead of a 500."""
    app.register_error_handler(StaleDataError, answer)
    app.register_error_handler(sa.exc.DBAPIError, answer)
