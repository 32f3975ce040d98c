"""The OpenAPI 3 document of /api/v1, maintained by hand beside the views.

It is kept in step with the API by the tests: Schemathesis generates requests from this document and
checks every response against it (tests/api/test_fuzz.py).
"""

from __future__ import annotations

from typing import Any

from ..models import STATUSES
from .openapi_imports import IMPORT_PATHS, IMPORT_SCHEMAS

API_VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: "Ugyldig forespørgsel (fx en parameter eller ikke-JSON indhold)",
        401: "Manglende, ugyldig eller tilbagekaldt API-nøgle",
        403: "Nøglens bruger har ikke adgang",
        404: "Findes ikke (eller er ikke synlig for nøglens bruger)",
        409: "Pladsen er ændret af en anden (expected_version passer ikke)",
        422: "Indholdet kunne ikke godkendes",
    }
    return {str(code): _json(_ref("Error"), texts[code]) for code in codes}


CODE = {"type": "string", "minLength": 1, "maxLength": 40}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}


def _query(name: str, schema: dict[str, Any], description: str, *, array: bool = False) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "description": description}
    if array:
        parameter.update(schema={"type": "array", "items": schema}, style="form", explode=True)
    else:
        parameter["schema"] = schema
    return parameter


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string"},
            "message": {
                "type": "string",
                "description": "Til en person: på dansk, eller engelsk med 'Accept-Language: en'.",
            },
            "field": {"type": ["string", "null"]},
        },
    },
    "Department": {
        "type": "object",
        "required": ["code", "name", "active"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "mayor_title": {"type": "string"},
            "mayor_name": {"type": "string"},
            "active": {"type": "boolean"},
        },
    },
    "PlacementType": {
        "type": "object",
        "required": ["code", "name_da", "name_en", "measure", "target_unit", "active"],
        "properties": {
            "code": {"type": "string"},
            "name_da": {"type": "string"},
            "name_en": {"type": "string"},
            "measure": {"type": "string", "enum": ["stock", "flow"]},
            "target_unit": {"type": "string", "enum": ["places", "persons", "courses"]},
            "active": {"type": "boolean"},
        },
    },
    "Target": {
        "type": "object",
        "required": ["year", "department", "type", "value", "decided_on", "reference"],
        "properties": {
            "year": YEAR,
            "department": {"type": "string"},
            "type": {"type": "string"},
            "value": {"type": "integer", "minimum": 0},
            "decided_on": NULLABLE_DATE,
            "reference": {"type": "string"},
        },
    },
    "TargetInput": {
        "type": "object",
        "required": ["year", "department", "type", "value"],
        "properties": {
            "year": YEAR,
            "department": {"type": "string", "minLength": 1, "maxLength": 10},
            "type": CODE,
            "value": {"type": "integer", "minimum": 0, "maximum": 1000000},
            "decided_on": DATE,
            "reference": {"type": "string", "maxLength": 300},
        },
    },
    "Place": {
        "type": "object",
        "required": ["id", "reference", "department", "type", "unit", "title", "fte", "status", "version"],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "department": {"type": "string"},
            "type": {"type": "string"},
            "unit": {"type": ["string", "null"]},
            "title": {"type": "string"},
            "fte": {"type": "number"},
            "status": {"type": ["string", "null"], "enum": [*STATUSES, None]},
            "status_since": NULLABLE_DATE,
            "version": {"type": ["integer", "null"]},
        },
    },
    "Event": {
        "type": "object",
        "required": ["id", "status", "effective_date", "recorded_at", "note"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "effective_date": DATE,
            "recorded_at": {"type": "string", "format": "date-time"},
            "note": {"type": "string"},
            "corrects_event_id": {"type": ["integer", "null"]},
            "source": {"type": "string"},
            "voided_at": {"type": ["string", "null"], "format": "date-time"},
            "void_reason": {"type": ["string", "null"]},
        },
    },
    "PlaceWithEvents": {
        "allOf": [
            _ref("Place"),
            {
                "type": "object",
                "required": ["events"],
                "properties": {"events": {"type": "array", "items": _ref("Event")}},
            },
        ]
    },
    "PlaceInput": {
        "type": "object",
        "required": ["type", "reference", "status", "effective_date"],
        "properties": {
            "department": {
                "type": "string",
                "minLength": 1,
                "maxLength": 10,
                "description": "Forvaltningens kode; for HR-nøgler højst ens egen (standard).",
            },
            "type": CODE,
            "reference": {"type": "string", "minLength": 1, "maxLength": 100},
            "title": {"type": "string", "maxLength": 300},
            "unit": {"type": "string", "maxLength": 200},
            "fte": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            "status": {"type": "string", "enum": ["open", "filled"]},
            "effective_date": DATE,
            "note": {"type": "string", "maxLength": 2000},
        },
    },
    "EventInput": {
        "type": "object",
        "required": ["status", "effective_date"],
        "properties": {
            "status": {"type": "string", "enum": list(STATUSES)},
            "effective_date": DATE,
            "note": {"type": "string", "maxLength": 2000},
            "expected_version": {"type": "integer", "minimum": 0, "maximum": 2147483647},
        },
    },
    "Figures": {
        "type": "object",
        "required": ["target", "open", "filled", "paused", "closed", "counted", "fulfilment_pct", "gap"],
        "properties": {
            "target": {"type": ["integer", "null"]},
            "open": {"type": "number"},
            "filled": {"type": "number"},
            "paused": {"type": "number"},
            "closed": {"type": "number"},
            "counted": {"type": "number"},
            "fulfilment_pct": {"type": ["number", "null"]},
            "gap": {"type": ["number", "null"]},
        },
    },
    "ReconciliationRow": {
        "allOf": [
            _ref("Figures"),
            {
                "type": "object",
                "required": ["department", "type"],
                "properties": {
                    "department": {"type": "string"},
                    "type": {"type": "string"},
                    # Only on a flow type's row over a half-year (docs/counting.md §5).
                    "target_pro_rata": {"type": "number"},
                    "fulfilment_pro_rata_pct": {"type": ["number", "null"]},
                },
            },
        ]
    },
    "Reconciliation": {
        "type": "object",
        "required": ["as_of", "period", "method", "known_at", "rows", "totals"],
        "properties": {
            "as_of": DATE,
            "period": {"type": ["string", "null"]},
            "method": {"type": "string", "enum": ["point", "average"]},
            "known_at": {"type": "string"},
            "rows": {"type": "array", "items": _ref("ReconciliationRow")},
            "totals": {"type": "object"},
        },
    },
}


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of /api/v1."""
    department_filter = _query("department", {"type": "string", "maxLength": 10}, "Forvaltningens kode")
    secured = {"security": [{"bearer": []}]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Støttet beskæftigelse – kvoteopfølgning (Københavns Kommune)",
            "version": API_VERSION,
            "description": (
                "Personlige API-nøgler oprettes under /tokens/ og sendes som 'Authorization: Bearer NØGLE'. "
                "HR-nøgler ser og ændrer kun egen forvaltning. Fejl er JSON: {error, message, field}; "
                "message er på dansk, eller på engelsk når forespørgslen sender 'Accept-Language: en'."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**SCHEMAS, **IMPORT_SCHEMAS},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/departments": {
                "get": {
                    "operationId": "listDepartments",
                    "summary": "Forvaltninger",
                    **secured,
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["departments"],
                                "properties": {"departments": {"type": "array", "items": _ref("Department")}},
                            },
                            "Alle forvaltninger",
                        ),
                        **_errors(401),
                    },
                }
            },
            "/types": {
                "get": {
                    "operationId": "listTypes",
                    "summary": "Ordninger",
                    **secured,
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["types"],
                                "properties": {"types": {"type": "array", "items": _ref("PlacementType")}},
                            },
                            "Alle ordninger",
                        ),
                        **_errors(401),
                    },
                }
            },
            "/targets": {
                "get": {
                    "operationId": "listTargets",
                    "summary": "Måltal (HR: egen forvaltning)",
                    **secured,
                    "parameters": [_query("year", YEAR, "År"), department_filter],
                    "responses": {
                        "200": _json(_targets_list(), "Måltal"),
                        **_errors(400, 401, 403, 404),
                    },
                },
                "put": {
                    "operationId": "putTargets",
                    "summary": "Sæt måltal (kun BIF og administratorer); alt eller intet",
                    **secured,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["targets"],
                                    "properties": {
                                        "targets": {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": 1000,
                                            "items": _ref("TargetInput"),
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(_targets_list(), "De gemte måltal"),
                        **_errors(400, 401, 403, 422),
                    },
                },
            },
            "/places": {
                "get": {
                    "operationId": "listPlaces",
                    "summary": "Pladser (HR: egen forvaltning)",
                    **secured,
                    "parameters": [
                        department_filter,
                        _query("type", {"type": "string", "maxLength": 40}, "Ordningens kode"),
                        _query("status", {"type": "string", "enum": list(STATUSES)}, "Nuværende status"),
                        _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "Højst (100)"),
                        _query(
                            "offset", {"type": "integer", "minimum": 0, "maximum": 10000000}, "Spring over"
                        ),
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["total", "limit", "offset", "places"],
                                "properties": {
                                    "total": {"type": "integer"},
                                    "limit": {"type": "integer"},
                                    "offset": {"type": "integer"},
                                    "places": {"type": "array", "items": _ref("Place")},
                                },
                            },
                            "Én side pladser",
                        ),
                        **_errors(400, 401, 403, 404),
                    },
                },
                "post": {
                    "operationId": "createPlace",
                    "summary": "Opret en plads med sin første status",
                    **secured,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("PlaceInput")}},
                    },
                    "responses": {
                        "201": _json(_ref("PlaceWithEvents"), "Den oprettede plads"),
                        **_errors(400, 401, 403, 404, 409, 422),
                    },
                },
            },
            "/places/{place_id}": {
                "get": {
                    "operationId": "getPlace",
                    "summary": "En plads med alle hændelser",
                    **secured,
                    "parameters": [_place_id()],
                    "responses": {
                        "200": _json(_ref("PlaceWithEvents"), "Pladsen"),
                        **_errors(401, 404),
                    },
                }
            },
            "/places/{place_id}/events": {
                "post": {
                    "operationId": "createEvent",
                    "summary": "Registrér en ny status for en plads",
                    **secured,
                    "parameters": [_place_id()],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("EventInput")}},
                    },
                    "responses": {
                        "201": _json(_ref("Event"), "Den registrerede hændelse"),
                        **_errors(400, 401, 404, 409, 422),
                    },
                }
            },
            "/reconcile": {
                "get": {
                    "operationId": "reconcile",
                    "summary": "Afstemning som 'quota reconcile --format json'",
                    **secured,
                    "parameters": [
                        _query("as_of", DATE, "Målingsdato (eller period)"),
                        _query(
                            "period",
                            {"type": "string", "pattern": "^[0-9]{4}(-H[12])?$"},
                            "Periode, fx 2025-H1",
                        ),
                        _query("method", {"type": "string", "enum": ["point", "average"]}, "Metode"),
                        _query(
                            "known_at", {"type": "string", "format": "date-time"}, "Som kendt på tidspunktet"
                        ),
                        _query(
                            "department", {"type": "string", "maxLength": 10}, "Forvaltninger", array=True
                        ),
                        _query("type", {"type": "string", "maxLength": 40}, "Ordninger", array=True),
                        _query(
                            "count",
                            {"type": "string", "maxLength": 80},
                            "Hvad-hvis tælleregel, TYPE=STATUS,STATUS",
                            array=True,
                        ),
                    ],
                    "responses": {
                        "200": _json(_ref("Reconciliation"), "Afstemningen"),
                        **_errors(400, 401, 403, 404),
                    },
                }
            },
            **IMPORT_PATHS,
        },
    }


def _targets_list() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["targets"],
        "properties": {"targets": {"type": "array", "items": _ref("Target")}},
    }


def _place_id() -> dict[str, Any]:
    return {
        "name": "place_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
    }
