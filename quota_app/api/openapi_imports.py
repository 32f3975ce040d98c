"""The OpenAPI description of POST /imports/places (merged into openapi.openapi_document)."""

from __future__ import annotations

from typing import Any


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


COUNT = {"type": "integer", "minimum": 0}

IMPORT_SCHEMAS: dict[str, Any] = {
    "ImportResult": {
        "type": "object",
        "required": [
            "dry_run",
            "saved",
            "rows_read",
            "places_created",
            "places_updated",
            "units_created",
            "events_created",
            "corrections",
            "unchanged",
            "errors",
        ],
        "properties": {
            "dry_run": {"type": "boolean"},
            "saved": {"type": "boolean"},
            "rows_read": COUNT,
            "places_created": COUNT,
            "places_updated": COUNT,
            "units_created": COUNT,
            "events_created": COUNT,
            "corrections": COUNT,
            "unchanged": COUNT,
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["row", "message"],
                    "properties": {
                        "row": {"type": ["integer", "null"], "description": "Linjen i filen (række i arket)"},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    },
}

IMPORT_PATHS: dict[str, Any] = {
    "/imports/places": {
        "post": {
            "operationId": "importPlaces",
            "summary": "Indlæs pladser og statusser fra CSV eller XLSX (alt eller intet)",
            "description": (
                "Samme kolonner og regler som 'quota import places' og browserens import. BIF- og "
                "administratornøgler indlæser for alle forvaltninger, HR-nøgler kun for egen. Filen sendes "
                "som multipart-feltet 'file' eller som hele indholdet med 'filename' i forespørgslen. "
                "Rækker med fejl giver 422 med alle fejl og tal; intet gemmes."
            ),
            "security": [{"bearer": []}],
            "parameters": [
                {
                    "name": "dry_run",
                    "in": "query",
                    "required": False,
                    "description": "true: kontrollér og vis tallene, gem intet",
                    "schema": {"type": "string", "enum": ["true", "false"]},
                },
                {
                    "name": "filename",
                    "in": "query",
                    "required": False,
                    "description": "Filens navn, når den sendes som hele indholdet (.csv eller .xlsx)",
                    "schema": {"type": "string", "maxLength": 200},
                },
            ],
            "requestBody": {
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
            },
            "responses": {
                "200": {
                    "description": "Indlæst (eller kontrolleret ved dry_run)",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ImportResult"}}
                    },
                },
                "400": _error("Ugyldig parameter"),
                "401": _error("Manglende, ugyldig eller tilbagekaldt API-nøgle"),
                "403": _error("Nøglens bruger må ikke indlæse pladser"),
                "409": _error("Pladser blev ændret af en anden under indlæsningen; intet er gemt"),
                "413": _error("Filen er større end grænsen (QUOTA_IMPORT_MAX_BYTES)"),
                "422": _error(
                    "Filen kunne ikke læses eller har rækker med fejl (da med felterne fra ImportResult)"
                ),
            },
        }
    }
}
