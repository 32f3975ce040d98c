"""POST /api/v1/imports/places: the import service the CLI and the browser use, for API clients.

The file comes as multipart `file` or as the raw body (with `filename` in the query); `dry_run=true`
checks without saving. BIF and administrator tokens import for any department, HR tokens only for their
own. Row errors answer 422 with the same counts and errors; nothing is saved unless every row is good.
Registered on the API blueprint by views.py (which also answers its errors as JSON).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth.services import can_see_all_departments
from ..errors import DomainError
from ..imports.files import ImportResult
from ..imports.limits import ImportLimits, check_size, human_size, too_big
from ..imports.places import import_places
from ..texts import N_
from ..web import db_session, localized, now


class _Refused(Exception):
    """Answered here as the API's JSON error (the app-wide 400/403/413 pages would not localise it)."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def _flag(name: str) -> bool:
    raw = (request.args.get(name) or "false").strip().lower()
    if raw not in ("true", "false"):
        raise _Refused(
            400, "bad_request", N_("Parameteren '%(name)s' skal være true eller false.", name=name)
        )
    return raw == "true"


def _upload(limits: ImportLimits) -> tuple[bytes, str]:
    """The file's bytes and name, refused by size before it is read."""
    if request.content_length is not None and request.content_length > limits.max_bytes:
        raise _Refused(413, "too_large", too_big(request.content_length, limits).message)
    try:
        if request.mimetype == "multipart/form-data":
            storage = request.files.get("file")
            if storage is None:
                raise DomainError(N_("Send filen som multipart-feltet 'file'."), field="file")
            data, filename = storage.read(limits.max_bytes + 1), storage.filename or ""
        else:
            data, filename = request.get_data(cache=False), request.args.get("filename", "")
    except RequestEntityTooLarge as exc:
        raise _Refused(413, "too_large", _too_large(limits)) from exc
    check_size(len(data), limits)
    filename = filename.replace("\x00", "")[-200:] or "import.csv"
    return data, filename


def _too_large(limits: ImportLimits) -> str:
    return N_(
        "Filen er for stor; højst %(limit)s kan indlæses. Del den i flere filer.",
        limit=human_size(limits.max_bytes),
    )


def result_data(result: ImportResult) -> dict[str, Any]:
    """The result as JSON: the counts of the CLI's summary and every bad row with its reason."""
    return {
        "dry_run": result.dry_run,
        "saved": result.ok and not result.dry_run,
        **result.counts(),
        "errors": [{"row": e.row, "message": localized(e.message)} for e in result.errors],
    }


def import_places_view():  # type: ignore[no-untyped-def]
    try:
        return _import_places()
    except _Refused as refused:
        response = jsonify({"error": refused.error, "message": localized(refused.message), "field": "file"})
        return response, refused.status


def _import_places():  # type: ignore[no-untyped-def]
    user = g.api_user
    if user.role not in ("hr", "bif", "admin") or not (can_see_all_departments(user) or user.department_id):
        raise _Refused(403, "forbidden", N_("Du har ikke adgang til at indlæse pladser."))
    dry_run = _flag("dry_run")
    limits = ImportLimits.from_settings(current_app.config["QUOTA_SETTINGS"])
    data, filename = _upload(limits)
    session = db_session()
    result = import_places(
        session,
        data=data,
        filename=filename,
        actor=user,
        now=now(),
        dry_run=dry_run,
        only_department_id=None if can_see_all_departments(user) else user.department_id,
        limits=limits,
    )
    body = result_data(result)
    if result.errors:
        session.rollback()
        rows = len({e.row for e in result.errors})
        message = N_("Rækker med fejl: %(rows)d; intet er gemt.", rows=rows)
        return jsonify(
            {"error": "unprocessable", "message": localized(message), "field": "file", **body}
        ), 422
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return jsonify(body), 200
