"""Flask URL converters built on quota_app.converters: a path value that is not one answers 404.

`<id:place_id>` replaces `<int:place_id>`: ASCII digits only, 1..2147483647 (Werkzeug's int converter
matches any Unicode digit and any size, which overflows PostgreSQL's integer). `<year:year>` is a year
2000-2100 (else 404, before the view runs). Plain `<code>` and `<path:...>` segments refuse control
characters (404).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter, PathConverter, UnicodeConverter, ValidationError

from . import converters


class IdConverter(BaseConverter):
    regex = r"[0-9]{1,20}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        try:
            return converters.parse_id(value)
        except converters.ConversionError:
            raise ValidationError() from None

    def to_url(self, value: int) -> str:
        return str(int(value))


class YearConverter(IdConverter):
    def to_python(self, value: str) -> int:
        try:
            return converters.parse_int(value, field="year", low=2000, high=2100)
        except converters.ConversionError:
            raise ValidationError() from None


class TextConverter(UnicodeConverter):
    """A path segment (codes, periods, tokens) without NUL or other control characters (PostgreSQL
    cannot even compare text holding NUL): such a path names nothing, 404."""

    def to_python(self, value: str) -> str:
        if converters.control_character(value) is not None:
            raise ValidationError()
        return value


class TextPathConverter(PathConverter):
    def to_python(self, value: str) -> str:
        if converters.control_character(value) is not None:
            raise ValidationError()
        return value


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["year"] = YearConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.url_map.converters["path"] = TextPathConverter
