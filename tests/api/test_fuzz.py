"""Fuzz the API from its own OpenAPI document: no server error, every response conforms to the document.

Schemathesis' pytest loader (from_fixture) does not run on pytest 9, so each operation gets its own test
that loads the document from the app and runs Hypothesis on the operation's strategy.
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from quota_app import create_app
from quota_app.settings import Settings

# The document the app serves, as flask-openapi3 writes it from the API's schemas (made without a request).
DOCUMENT = create_app(Settings(env="test", secret_key="fuzz", database_url="sqlite://")).api_doc
OPERATIONS = [(path, method.upper()) for path, methods in DOCUMENT["paths"].items() for method in methods]
# Every operation with a BIF token; with an HR token those where department scoping matters.
CASES = [("bif", path, method) for path, method in OPERATIONS] + [
    ("hr", path, method) for path, method in OPERATIONS if path not in ("/departments", "/types")
]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def departments_in(data: object) -> set[str]:
    """Every value of a "department" key anywhere in a JSON document."""
    if isinstance(data, dict):
        found = {data["department"]} if isinstance(data.get("department"), str) else set()
        return found.union(*(departments_in(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(departments_in(v) for v in data))
    return set()


@pytest.mark.parametrize(("role", "path", "method"), CASES, ids=[f"{r} {m} {p}" for r, p, m in CASES])
def test_api_conforms_to_its_openapi_document(app, make_user, make_token, register_place, path, method, role):  # type: ignore[no-untyped-def]
    register_place(
        ("open", date(2025, 3, 1)), department="SOF", reference="SOF-1", title="Praktik", commit=True
    )
    register_place(
        ("filled", date(2025, 3, 1)), department="BUF", reference="BUF-1", title="Praktik", commit=True
    )
    headers = {"Authorization": f"Bearer {make_token(make_user(role, 'SOF'))}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy())
    def run(case):  # type: ignore[no-untyped-def]
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if role == "hr" and response.status_code < 300:
            # Whatever was asked, an HR token only ever sees its own department.
            assert departments_in(response.json()) <= {"SOF"}

    run()
