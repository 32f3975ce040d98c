"""What the API reads from a request, as pydantic field types: query parameters (400 when malformed) and
JSON body fields (400 when the body is not JSON, 422 when a field is wrong), through the shared converters.

Each type is one `Annotated` metadata: the constraints the OpenAPI document states (maxLength, minimum,
enum, ...) and a validator that says what is wrong in the app's own words, an ApiError with a message
marked for translation. flask-openapi3 validates a request with the operation's models and gives the
pydantic ValidationError to `refuse`, its validation error hook, which raises the first refusal for the
blueprint's error handler (`{error, message, field}`, Danish or English).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

import annotated_types as at
from pydantic import (
    BaseModel,
    BeforeValidator,
    GetJsonSchemaHandler,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from .. import converters
from ..models import STATUSES
from ..texts import N_


class ApiError(ValueError):
    """An answer with an error status. A ValueError, so that a field validator may raise it: pydantic
    keeps it in its ValidationError, and `refuse` raises it again."""

    def __init__(self, status: int, error: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.field = status, error, message, field


ERROR_NAMES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_large",
}


def fail(status: int, message: str, field: str | None = None, error: str | None = None) -> NoReturn:
    raise ApiError(status, error or ERROR_NAMES.get(status, "unprocessable"), message, field)


def missing(name: str | None) -> NoReturn:
    fail(422, N_("Feltet '%(name)s' mangler.", name=name), name)


def check_text(value: str, field: str, *, status: int = 422, multiline: bool = False) -> str:
    if "\x00" in value:
        fail(status, N_("Teksten må ikke indeholde NUL-tegn."), field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        fail(status, N_("Teksten er ikke gyldig UTF-8."), field)
    try:
        converters.clean_text(value, field=field, max_length=None, multiline=multiline)
    except converters.ConversionError as exc:
        fail(status, exc.message, field)
    return value


def refuse(error: ValidationError) -> NoReturn:
    """flask-openapi3's validation error hook: raise the first thing wrong with the request."""
    first = error.errors(include_url=False)[0]
    refusal = (first.get("ctx") or {}).get("error")
    if isinstance(refusal, ApiError):
        raise refusal
    if not first["loc"]:  # the body as a whole
        if first["input"] is None:
            fail(400, N_("Indholdet skal være JSON (Content-Type: application/json)."))
        fail(422, N_("Indholdet skal være et JSON-objekt."))
    # Absent, or null where a value is needed: the types' validators refuse everything else themselves.
    missing(next((str(part) for part in reversed(first["loc"]) if isinstance(part, str)), None))


@dataclass(frozen=True)
class OneOf:
    """The values the document names for a field (its enum); what is refused, the validators say."""

    values: tuple[str, ...]

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "enum": list(self.values)}


class QueryJsonSchema(GenerateJsonSchema):
    """A query parameter is given or not: an optional one is not also null in the document."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])


class Query(BaseModel):
    """Query parameters: an empty value is no value (?limit= is the default limit)."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The model's JSON schema, made once: flask-openapi3 reads it on every request (to tell lists from
        single values), and pydantic would build it anew each time (about 2 ms)."""
        kwargs.setdefault("schema_generator", QueryJsonSchema)
        key = (cls, args, tuple(sorted(kwargs.items())))
        if key not in _QUERY_SCHEMAS:
            _QUERY_SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        return _QUERY_SCHEMAS[key]


_QUERY_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


class Body(BaseModel):
    """A JSON body: an object."""

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Any:
        """flask-openapi3 gives a body that is a JSON string to this, to read the string as JSON once more:
        a string is not an object, whatever it holds."""
        raise ValidationError.from_exception_data(
            cls.__name__,
            [{"type": "model_type", "loc": (), "input": json_data, "ctx": {"class_name": cls.__name__}}],
        )


# --- query parameters (400) ---


@dataclass(frozen=True)
class QueryInt(at.GroupedMetadata):
    low: int
    high: int

    def __iter__(self) -> Iterator[object]:
        yield from (at.Ge(self.low), at.Le(self.high), BeforeValidator(self.convert))

    def convert(self, value: Any, info: ValidationInfo) -> int:
        name = info.field_name
        try:
            return converters.parse_int(value, field=name or "", low=self.low, high=self.high)
        except converters.ConversionError:
            fail(
                400,
                N_(
                    "Parameteren '%(name)s' skal være et helt tal mellem %(low)d og %(high)d.",
                    name=name,
                    low=self.low,
                    high=self.high,
                ),
                name,
            )


@dataclass(frozen=True)
class QueryStatus(at.GroupedMetadata):
    def __iter__(self) -> Iterator[object]:
        yield from (OneOf(STATUSES), BeforeValidator(self.convert))

    @staticmethod
    def convert(value: Any, info: ValidationInfo) -> str:
        if value not in STATUSES:
            known = ", ".join(STATUSES)
            fail(400, N_("Ukendt status '%(status)s': brug %(known)s.", status=value, known=known), "status")
        return value


@dataclass(frozen=True)
class QueryFlag(at.GroupedMetadata):
    """true or false (in any case, spaces around ignored)."""

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(self.convert)

    @staticmethod
    def convert(value: Any, info: ValidationInfo) -> bool:
        flag = value.strip().lower() if isinstance(value, str) else value
        if flag not in ("true", "false"):
            name = info.field_name
            fail(400, N_("Parameteren '%(name)s' skal være true eller false.", name=name), name)
        return flag == "true"


@dataclass(frozen=True)
class QueryConverted(at.GroupedMetadata):
    """A value one of the shared converters reads (a date, a period, a timestamp); its message if not."""

    converter: Callable[..., Any]

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(self.convert)

    def convert(self, value: Any, info: ValidationInfo) -> Any:
        try:
            return self.converter(value, field=info.field_name)
        except converters.ConversionError as exc:
            fail(400, exc.message, exc.field)


# --- JSON body fields (422) ---


@dataclass(frozen=True)
class Text(at.GroupedMetadata):
    """Text of at most max_length characters, without NUL or control characters (newlines if multiline)."""

    max_length: int = 300
    multiline: bool = False

    def __iter__(self) -> Iterator[object]:
        yield from (at.MaxLen(self.max_length), BeforeValidator(self.convert))

    def convert(self, value: Any, info: ValidationInfo) -> str | None:
        name = info.field_name or ""
        if value is None:
            return None  # pydantic refuses it where a value is needed: `refuse` says it is missing
        if not isinstance(value, str):
            fail(422, N_("Feltet '%(name)s' skal være tekst.", name=name), name)
        check_text(value, name, multiline=self.multiline)
        if len(value) > self.max_length:
            fail(
                422,
                N_("Feltet '%(name)s' må højst være %(max)d tegn.", name=name, max=self.max_length),
                name,
            )
        return value


@dataclass(frozen=True)
class Status(Text):
    """One of the statuses (what a status may become is the service's to say)."""

    max_length: int = 10

    def __iter__(self) -> Iterator[object]:
        yield from (*super().__iter__(), OneOf(STATUSES))

    def convert(self, value: Any, info: ValidationInfo) -> str | None:
        text = super().convert(value, info)
        if text is not None and text not in STATUSES:
            fail(422, N_("Ukendt status '%(status)s'.", status=text), info.field_name)
        return text


@dataclass(frozen=True)
class Day(at.GroupedMetadata):
    """A date, written as the shared date converter reads it (2025-06-30, 30.06.2025, ...)."""

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(self.convert)

    def convert(self, value: Any, info: ValidationInfo) -> Any:
        text = Text(max_length=10).convert(value, info)
        if text is None:
            return None
        try:
            return converters.parse_date(text, field=info.field_name or "date")
        except converters.ConversionError as exc:
            fail(422, exc.message, info.field_name)


@dataclass(frozen=True)
class Int(at.GroupedMetadata):
    """A JSON integer in [low, high] (1.0, "1" and true are refused)."""

    low: int
    high: int

    def __iter__(self) -> Iterator[object]:
        yield from (at.Ge(self.low), at.Le(self.high), BeforeValidator(self.convert))

    def convert(self, value: Any, info: ValidationInfo) -> int | None:
        if value is None:
            return None
        name = info.field_name or ""
        try:
            if not isinstance(value, int):
                raise converters.ConversionError("", field=name)
            return converters.parse_int(value, field=name, low=self.low, high=self.high)
        except converters.ConversionError:
            fail(
                422,
                N_(
                    "Feltet '%(name)s' skal være et helt tal mellem %(low)d og %(high)d.",
                    name=name,
                    low=self.low,
                    high=self.high,
                ),
                name,
            )


@dataclass(frozen=True)
class Fte(at.GroupedMetadata):
    """Full-time equivalents: a number above 0 and at most 1."""

    def __iter__(self) -> Iterator[object]:
        yield from (at.Gt(0), at.Le(1), BeforeValidator(self.convert))

    @staticmethod
    def convert(value: Any, info: ValidationInfo) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            fail(422, N_("Feltet 'fte' skal være et tal større end 0 og højst 1."), "fte")
        return float(value)
