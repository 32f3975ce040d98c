"""The API's request and response schemas (pydantic). flask-openapi3 validates each request with its
operation's query, path and body models, and writes the OpenAPI document (GET /api/v1/openapi.json)
from all of them; the responses are built by the services and checked against these schemas by the
Schemathesis tests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, get_args

import annotated_types as at
from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, WithJsonSchema, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from .. import converters
from ..admin.services import TARGET_UNITS
from ..models import MEASURES, STATUSES
from ..periods import Period
from ..places.rules import FIRST_STATUSES, MAX_LENGTH
from ..reconcile.types import Method, Totals
from ..targets.checks import MAX_VALUE, MAX_YEAR, MIN_YEAR
from ..texts import N_
from .inputs import (
    Body,
    Day,
    Fte,
    Int,
    OneOf,
    Query,
    QueryConverted,
    QueryInt,
    QueryStatus,
    Status,
    Text,
    fail,
)

MAX_ID = converters.MAX_ID
MAX_PAGE = 1000
METHODS = get_args(Method)

# --- query parameters and paths ---

DepartmentCode = Annotated[str, Field(description="Forvaltningens kode", json_schema_extra={"maxLength": 10})]
TypeCode = Annotated[str, Field(description="Ordningens kode", json_schema_extra={"maxLength": 40})]


class TargetsQuery(Query):
    year: Annotated[int | None, QueryInt(MIN_YEAR, MAX_YEAR), Field(description="År")] = None
    department: DepartmentCode | None = None


class PlacesQuery(Query):
    department: DepartmentCode | None = None
    type: TypeCode | None = None
    status: Annotated[str | None, QueryStatus(), Field(description="Nuværende status")] = None
    limit: Annotated[int, QueryInt(1, MAX_PAGE), Field(description="Højst (100)")] = 100
    offset: Annotated[int, QueryInt(0, 10_000_000), Field(description="Spring over")] = 0


def _method(value: Any, info: ValidationInfo) -> Any:
    if value not in METHODS:
        fail(400, N_("Parameteren 'method' skal være 'point' eller 'average'."), "method")
    return value


class ReconcileQuery(Query):
    as_of: Annotated[
        date | None, QueryConverted(converters.parse_date), Field(description="Målingsdato (eller period)")
    ] = None
    period: Annotated[
        Period | None,
        QueryConverted(converters.parse_period),
        WithJsonSchema({"type": "string", "pattern": "^[0-9]{4}(-H[12])?$"}),
        Field(description="Periode, fx 2025-H1"),
    ] = None
    known_at: Annotated[
        datetime | None,
        QueryConverted(converters.parse_timestamp),
        Field(description="Som kendt på tidspunktet (standard: nu)"),
    ] = None
    method: Annotated[str, OneOf(METHODS), BeforeValidator(_method), Field(description="Metode")] = "point"
    department: list[DepartmentCode] = Field([], description="Forvaltninger")
    type: list[TypeCode] = Field([], description="Ordninger")
    count: list[Annotated[str, Field(json_schema_extra={"maxLength": 80})]] = Field(
        [], description="Hvad-hvis tælleregel, TYPE=STATUS,STATUS"
    )

    @model_validator(mode="before")
    @classmethod
    def _as_of_or_period(cls, data: Any) -> Any:
        if isinstance(data, dict) and bool(data.get("as_of")) == bool(data.get("period")):
            fail(400, N_("Angiv enten 'as_of' eller 'period'."), "as_of")
        return data


class PlacePath(BaseModel):
    place_id: Annotated[int, at.Ge(1), at.Le(MAX_ID)]


# --- JSON bodies ---


class TargetInput(BaseModel):
    year: Annotated[int, Int(MIN_YEAR, MAX_YEAR)]
    value: Annotated[int, Int(0, MAX_VALUE)]
    department: Annotated[str, Text(max_length=10)]
    type: Annotated[str, Text(max_length=40)]
    decided_on: Annotated[date | None, Day()] = None
    reference: Annotated[str | None, Text()] = None


class TargetsInput(Body):
    targets: Annotated[list[TargetInput], at.MinLen(1), at.MaxLen(1000)]

    @model_validator(mode="before")
    @classmethod
    def _a_list_of_objects(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data  # not an object: refuse() says so
        items = data.get("targets")
        if not isinstance(items, list) or not 1 <= len(items) <= 1000:
            fail(422, N_("Feltet 'targets' skal være en liste med 1-1000 måltal."), "targets")
        for position, item in enumerate(items):
            if not isinstance(item, dict):
                fail(
                    422, N_("Måltal nr. %(number)d skal være et JSON-objekt.", number=position + 1), "targets"
                )
        return data


class PlaceInput(Body):
    department: Annotated[
        str | None,
        Text(max_length=10),
        Field(description="Forvaltningens kode; for HR-nøgler højst ens egen (standard)."),
    ] = None
    type: Annotated[str, Text(max_length=40)]
    fte: Annotated[float, Fte()] = 1.0
    status: Annotated[str, Status(), OneOf(FIRST_STATUSES)]
    reference: Annotated[str, Text(max_length=MAX_LENGTH["reference"])]
    title: Annotated[str | None, Text(max_length=MAX_LENGTH["title"])] = None
    unit: Annotated[str | None, Text(max_length=200)] = None
    effective_date: Annotated[date, Day()]
    note: Annotated[str | None, Text(max_length=MAX_LENGTH["note"], multiline=True)] = None


class EventInput(Body):
    status: Annotated[str, Status()]
    effective_date: Annotated[date, Day()]
    note: Annotated[str | None, Text(max_length=MAX_LENGTH["note"], multiline=True)] = None
    expected_version: Annotated[int | None, Int(0, MAX_ID)] = None


# --- responses: what the services' *_json functions return ---

Count = Annotated[int, at.Ge(0)]


class Error(BaseModel):
    error: str
    message: str = Field(description="Til en person: på dansk, eller engelsk med 'Accept-Language: en'.")
    field: str | None


class DepartmentJson(BaseModel):
    code: str
    name: str
    mayor_title: str
    mayor_name: str
    active: bool


class DepartmentList(BaseModel):
    departments: list[DepartmentJson]


class PlacementTypeJson(BaseModel):
    code: str
    name_da: str
    name_en: str
    measure: Annotated[str, OneOf(MEASURES)]
    target_unit: Annotated[str, OneOf(TARGET_UNITS)]
    active: bool


class PlacementTypeList(BaseModel):
    types: list[PlacementTypeJson]


class TargetJson(BaseModel):
    year: Annotated[int, at.Ge(MIN_YEAR), at.Le(MAX_YEAR)]
    department: str
    type: str
    value: Count
    decided_on: date | None
    reference: str


class TargetList(BaseModel):
    targets: list[TargetJson]


class PlaceJson(BaseModel):
    id: int
    reference: str
    department: str
    type: str
    unit: str | None
    title: str
    fte: float
    status: Annotated[str, OneOf(STATUSES)] | None
    status_since: date | None
    version: int | None


class PlacePage(BaseModel):
    total: Count
    limit: int
    offset: int
    places: list[PlaceJson]


class EventJson(BaseModel):
    id: int
    status: Annotated[str, OneOf(STATUSES)]
    effective_date: date
    recorded_at: datetime
    note: str
    corrects_event_id: int | None
    source: str
    voided_at: datetime | None
    void_reason: str | None


class PlaceWithEvents(PlaceJson):
    events: list[EventJson]


# reconcile.figures.reconciliation_to_json: the figures (Totals) of each department and type, the totals,
# as `quota reconcile --format json` prints them.
@pydantic_dataclass(frozen=True)
class ReconciliationRowJson(Totals):
    department: str
    type: str
    # Only on a flow type's row over a half-year: its share of the year's target (docs/counting.md §5).
    target_pro_rata: float | None = None
    fulfilment_pro_rata_pct: float | None = None


class ReconciliationTotals(BaseModel):
    by_department: dict[str, Totals]
    by_type: dict[str, Totals]
    municipality: Totals | None


class ReconciliationJson(BaseModel):
    as_of: date
    period: str | None
    method: Annotated[str, OneOf(METHODS)]
    known_at: datetime
    rows: list[ReconciliationRowJson]
    totals: ReconciliationTotals


class ImportRowError(BaseModel):
    row: int | None = Field(description="Linjen i filen (række i arket)")
    message: str


class ImportResultJson(BaseModel):  # imports.result_data
    dry_run: bool
    saved: bool
    rows_read: Count
    places_created: Count
    places_updated: Count
    units_created: Count
    events_created: Count
    corrections: Count
    unchanged: Count
    errors: list[ImportRowError]


class UnitImportResultJson(BaseModel):  # units.import_units_api
    dry_run: bool
    saved: bool
    rows_read: Count
    units_created: Count
    p_numbers_set: Count
    headcounts_recorded: Count
    unchanged: Count
    errors: list[ImportRowError]


class ComplianceQuery(Query):
    as_of: Annotated[date, QueryConverted(converters.parse_date), Field(description="Datoen")]
    known_at: Annotated[
        datetime | None,
        QueryConverted(converters.parse_timestamp),
        Field(description="Som kendt på tidspunktet (standard: nu)"),
    ] = None
    department: list[DepartmentCode] = Field([], description="Forvaltninger (standard: alle, HR: egen)")


class WorkplaceJson(BaseModel):  # compliance.figures.WorkplaceRow.to_json
    department: str
    unit: str
    p_number: str | None
    ordinary_employees: Count | None
    ceiling: Count | None
    occupied: Count
    free: Count | None
    over: Count | None
    missing_statements: Count
    exemption: str | None


class ComplianceJson(BaseModel):  # compliance.figures.Compliance.to_json
    as_of: date
    known_at: datetime
    rows: list[WorkplaceJson]
