"""The API's OpenAPI document and its interactive page.

flask-openapi3 writes the document from the operations of the API blueprint and their pydantic schemas
(schemas.py): the app is a `flask_openapi3.OpenAPI` made with OPENAPI_OPTIONS, which also name the
validation error hook (inputs.refuse). The document is served at /api/v1/openapi.json (blueprint.py); the
page at /api/docs shows it with Swagger UI, whose files come from the pip package flask-openapi3-swagger
and are served by the app itself (the Content-Security-Policy allows scripts and styles from the app
only; the package's own page has inline ones, so the page and its start script are the app's).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_openapi3 import Info, Server, Tag
from flask_openapi3.types import ResponseDict

from .inputs import refuse
from .schemas import Error

API_VERSION = "1.0.0"
PREFIX = "/api/v1"  # the document's server: its paths are relative to it

OPENAPI_OPTIONS: dict[str, Any] = {
    "info": Info(
        title="Støttet beskæftigelse – kvoteopfølgning (Københavns Kommune)",
        version=API_VERSION,
        description=(
            "Personlige API-nøgler oprettes under /tokens/ og sendes som 'Authorization: Bearer NØGLE'. "
            "HR-nøgler ser og ændrer kun egen forvaltning. Fejl er JSON: {error, message, field}; "
            "message er på dansk, eller på engelsk når forespørgslen sender 'Accept-Language: en'."
        ),
    ),
    "servers": [Server(url=PREFIX)],
    "security_schemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "doc_ui": False,  # the library's pages have inline scripts: /api/docs is the app's own
    "validation_error_callback": refuse,
    # Every operation may answer 400 (a query value with a control character, a malformed parameter or
    # body) and says so: the library then adds no response of its own for validation errors.
    "validation_error_status": 400,
    "validation_error_model": Error,
}
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
# The groups of operations on the page.
REFERENCE, TARGETS, PLACES, RECONCILE = (
    Tag(name=name) for name in ("Forvaltninger og ordninger", "Måltal", "Pladser", "Afstemning")
)

ERROR_TEXTS = {
    400: "Ugyldig forespørgsel (fx en parameter eller ikke-JSON indhold)",
    401: "Manglende, ugyldig eller tilbagekaldt API-nøgle",
    403: "Nøglens bruger har ikke adgang",
    404: "Findes ikke (eller er ikke synlig for nøglens bruger)",
    409: "Pladsen er ændret af en anden (expected_version passer ikke)",
    413: "Filen er større end grænsen (QUOTA_IMPORT_MAX_BYTES)",
    422: "Indholdet kunne ikke godkendes",
}


def error(code: int, description: str | None = None) -> dict[str, Any]:
    """An error response of an operation: the Error schema, described by ERROR_TEXTS unless given."""
    return {
        "description": description or ERROR_TEXTS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{Error.__name__}"}}},
    }


def errors(*codes: int) -> ResponseDict:
    return {code: error(code) for code in codes}


SWAGGER_UI = files("flask_openapi3_swagger") / "templates" / "swagger"

bp = Blueprint(
    "api_docs",
    __name__,
    template_folder="templates",
    static_folder=str(SWAGGER_UI),
    static_url_path="/api/docs/static",
)


@bp.route("/api/docs")
def page() -> ResponseReturnValue:
    return render_template("api/docs.html")
