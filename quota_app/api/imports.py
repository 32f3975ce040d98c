"""POST /api/v1/imports/places: the import service the CLI and the browser use, for API clients.

The file comes as multipart `file` or as the raw body (with `filename` in the query); `dry_run=true`
checks without saving. BIF and administrator tokens import for any department, HR tokens only for their
own. Row errors answer 422 with the same counts and errors; nothing is saved unless every row is good.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from flask import current_app, request
from pydantic import Field
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth.services import can_see_all_departments
from ..compliance.unit_import import UnitImportResult
from ..compliance.unit_import import import_units as run_unit_import
from ..errors import DomainError
from ..imports.files import ImportResult
from ..imports.limits import ImportLimits, check_size, human_size, too_big
from ..imports.places import import_places as run_import
from ..models import User
from ..texts import N_
from ..web import db_session, localized, now
from .blueprint import JsonAnswer, api_user, bp, checked_first
from .document import PLACES, errors
from .inputs import Query, QueryFlag, fail
from .schemas import ImportResultJson, UnitImportResultJson

# A file is no pydantic model: the two ways to send it, as the document says them.
REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        "text/csv": {"schema": {"type": "string"}},
    },
}


class ImportQuery(Query):
    dry_run: Annotated[bool, QueryFlag(), Field(description="true: kontrollér og vis tallene, gem intet")] = (
        False
    )
    filename: Annotated[
        str | None,
        Field(
            description="Filens navn, når den sendes som hele indholdet (.csv eller .xlsx)",
            json_schema_extra={"maxLength": 200},
        ),
    ] = None


def _may_import(user: User) -> None:
    if user.role not in ("hr", "bif", "admin") or not (can_see_all_departments(user) or user.department_id):
        fail(403, N_("Du har ikke adgang til at indlæse pladser."), "file")


def _upload(limits: ImportLimits, filename: str | None) -> tuple[bytes, str]:
    """The file's bytes and name, refused by size before it is read."""
    if request.content_length is not None and request.content_length > limits.max_bytes:
        fail(413, too_big(request.content_length, limits).message, "file")
    try:
        if request.mimetype == "multipart/form-data":
            storage = request.files.get("file")
            if storage is None:
                raise DomainError(N_("Send filen som multipart-feltet 'file'."), field="file")
            data, filename = storage.read(limits.max_bytes + 1), storage.filename or ""
        else:
            data = request.get_data(cache=False)
    except RequestEntityTooLarge:
        fail(413, _too_large(limits), "file")
    check_size(len(data), limits)
    filename = (filename or "").replace("\x00", "")[-200:] or "import.csv"
    return data, filename


def _too_large(limits: ImportLimits) -> str:
    return N_(
        "Filen er for stor; højst %(limit)s kan indlæses. Del den i flere filer.",
        limit=human_size(limits.max_bytes),
    )


def _import_file(query: ImportQuery, importer: Callable[..., ImportResult | UnitImportResult]) -> JsonAnswer:
    """An import through the API, all or nothing: the file, the importer for the token user's departments
    (an HR key: its own only), and the answer: 200 with the counts (saved unless a dry run), or 422 with
    every bad row and nothing saved."""
    user = api_user()
    limits = ImportLimits.from_settings(current_app.config["QUOTA_SETTINGS"])
    data, filename = _upload(limits, query.filename)
    session = db_session()
    result = importer(
        session,
        data=data,
        filename=filename,
        actor=user,
        now=now(),
        dry_run=query.dry_run,
        only_department_id=None if can_see_all_departments(user) else user.department_id,
        limits=limits,
    )
    body = result_data(result)
    if result.errors:
        session.rollback()
        message = N_("Rækker med fejl: %(rows)d; intet er gemt.", rows=len({e.row for e in result.errors}))
        return {"error": "unprocessable", "message": localized(message), "field": "file", **body}, 422
    if query.dry_run:
        session.rollback()
    else:
        session.commit()
    return body, 200


def result_data(result: ImportResult | UnitImportResult) -> dict[str, Any]:
    """The result as JSON: the counts of the CLI's summary and every bad row with its reason."""
    return {
        "dry_run": result.dry_run,
        "saved": result.ok and not result.dry_run,
        **result.counts(),
        "errors": [{"row": e.row, "message": localized(e.message)} for e in result.errors],
    }


@checked_first(_may_import)
@bp.post(
    "/imports/places",
    operation_id="importPlaces",
    summary="Indlæs pladser og statusser fra CSV eller XLSX (alt eller intet)",
    description=(
        "Samme kolonner og regler som 'quota import places' og browserens import. BIF- og "
        "administratornøgler indlæser for alle forvaltninger, HR-nøgler kun for egen. Filen sendes "
        "som multipart-feltet 'file' eller som hele indholdet med 'filename' i forespørgslen. "
        "Rækker med fejl giver 422 med alle fejl og tal; intet gemmes."
    ),
    tags=[PLACES],
    responses={200: ImportResultJson, **errors(403, 409, 413, 422)},
    openapi_extensions={"requestBody": REQUEST_BODY},
)
def import_places(query: ImportQuery) -> JsonAnswer:
    return _import_file(query, run_import)


@checked_first(_may_import)
@bp.post(
    "/imports/units",
    operation_id="importUnits",
    summary="Indlæs arbejdssteders P-numre og antal ordinært ansatte (alt eller intet)",
    description=(
        "Samme kolonner og regler som 'quota units import': "
        "department;unit;p_number;effective_date;ordinary_employees. HR-nøgler kun for egen forvaltning. "
        "Rækker med fejl giver 422 med alle fejl og tal; intet gemmes."
    ),
    tags=[PLACES],
    responses={200: UnitImportResultJson, **errors(403, 409, 413, 422)},
    openapi_extensions={"requestBody": REQUEST_BODY},
)
def import_units(query: ImportQuery) -> JsonAnswer:
    return _import_file(query, run_unit_import)
