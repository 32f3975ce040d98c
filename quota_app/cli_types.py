"""What the commands share about bad input: click parameter types built on quota_app.converters (the CLI
parses options as the web and API do; a bad value is a usage error, exit 2), `fail` (exit 1), and the
aligned plain-text tables the commands print."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from . import converters


class Converted(click.ParamType):
    """An option converted by a quota_app.converters function; its message on failure (exit 2, usage)."""

    def __init__(self, name: str, convert: Callable[..., Any], **options: Any) -> None:
        self.name = name
        self._convert, self._options = convert, options

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self._convert(value, **self._options)
        except converters.ConversionError as exc:
            self.fail(str(exc.message), param, ctx)


def integer(low: int = converters.MIN_INT, high: int = converters.MAX_ID) -> Converted:
    """A whole number of ASCII digits within [low, high] (click's int accepts '٣')."""
    return Converted("integer", converters.parse_int, low=low, high=high)


PERIOD = Converted("period", converters.parse_period)
DATE = Converted("date", converters.parse_date)
TIMESTAMP = Converted("timestamp", converters.parse_timestamp)


def fail(message: object) -> None:
    """Print a message on stderr and exit 1 (bad input)."""
    click.echo(f"Fejl: {message}", err=True)
    sys.exit(1)


def aligned_table(heading: str, cells: list[list[str]], *, text_columns: int) -> list[str]:
    """The lines of a plain-text table under a heading: cells[0] the column labels, underlined; the first
    text_columns columns left-aligned, the figures right-aligned."""
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [heading, ""]
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if i < text_columns else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines
