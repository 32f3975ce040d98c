"""What the API reads from a request: query parameters (400 when malformed) and JSON body fields (400 when
not JSON, 422 when a field is wrong), through the shared converters; every refusal an ApiError."""

from __future__ import annotations

from datetime import date
from typing import Any, NoReturn

from flask import request

from .. import converters
from ..texts import N_


class ApiError(Exception):
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


def arg_int(name: str, *, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return converters.parse_int(raw, field=name, low=low, high=high)
    except converters.ConversionError:
        fail(
            400,
            N_(
                "Parameteren '%(name)s' skal være et helt tal mellem %(low)d og %(high)d.",
                name=name,
                low=low,
                high=high,
            ),
            name,
        )


# --- body (400 when not JSON, 422 when a field is wrong) ---


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        fail(400, N_("Indholdet skal være JSON (Content-Type: application/json)."))
    if not isinstance(data, dict):
        fail(422, N_("Indholdet skal være et JSON-objekt."))
    return data


def text_field(
    body: dict, name: str, *, required: bool = True, max_length: int = 300, multiline: bool = False
) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            fail(422, N_("Feltet '%(name)s' mangler.", name=name), name)
        return None
    if not isinstance(value, str):
        fail(422, N_("Feltet '%(name)s' skal være tekst.", name=name), name)
    check_text(value, name, multiline=multiline)
    if len(value) > max_length:
        fail(422, N_("Feltet '%(name)s' må højst være %(max)d tegn.", name=name, max=max_length), name)
    return value


def date_field(body: dict, name: str, *, required: bool = True) -> date | None:
    value = text_field(body, name, required=required, max_length=10)
    if value is None:
        return None
    try:
        return converters.parse_date(value, field=name)
    except converters.ConversionError as exc:
        fail(422, exc.message, name)


def int_field(body: dict, name: str, *, low: int, high: int, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None:
        if required:
            fail(422, N_("Feltet '%(name)s' mangler.", name=name), name)
        return None
    try:
        if not isinstance(value, int):  # a JSON integer only: 1.0 and "1" are refused
            raise converters.ConversionError("", field=name)
        return converters.parse_int(value, field=name, low=low, high=high)
    except converters.ConversionError:
        fail(
            422,
            N_(
                "Feltet '%(name)s' skal være et helt tal mellem %(low)d og %(high)d.",
                name=name,
                low=low,
                high=high,
            ),
            name,
        )
