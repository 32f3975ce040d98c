"""`quota reconcile` (docs/cli.md): places counted against targets, as a table, JSON or CSV."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import current_app

from .. import formatting
from ..cli_types import aligned_table, fail
from ..converters import parse_iso_date, parse_timestamp
from ..csv_writer import write_csv
from ..errors import DomainError
from ..models import STATUSES
from ..periods import parse_period
from ..reconcile.figures import reconcile, reconciliation_to_json
from ..reconcile.types import Method, Reconciliation, RuleOverride
from ..texts import N_
from ..vocabulary import STATUS_LABELS
from ..web import database

COLUMNS = (
    ("department", "Forvaltning"),
    ("type", "Ordning"),
    ("target", "Måltal"),
    *((status, str.__str__(STATUS_LABELS[status])) for status in STATUSES),
    ("counted", "Tæller"),
    ("fulfilment_pct", "Opfyldelse %"),
    ("gap", "Mangler"),
)
TEXT_KEYS = ("department", "type")
MUNICIPALITY_LABEL = "Kommunen"
TOTAL_LABEL = "I alt"


def parse_count(spec: str) -> RuleOverride:
    """Parse a what-if rule 'TYPE=STATUS,STATUS' (types and statuses are checked by the service)."""
    type_code, sep, statuses = spec.partition("=")
    parts = tuple(s.strip().lower() for s in statuses.split(",") if s.strip())
    if not sep or not type_code.strip() or not parts:
        raise DomainError(
            N_("Ugyldig --count '%(spec)s': brug TYPE=STATUS,STATUS, fx internship=filled,open.", spec=spec)
        )
    bad = [s for s in parts if s not in STATUSES]
    if bad:
        raise DomainError(
            N_(
                "Ukendt status i --count '%(spec)s': %(statuses)s (brug %(known)s).",
                spec=spec,
                statuses=", ".join(bad),
                known=", ".join(STATUSES),
            )
        )
    return RuleOverride(type_code=type_code.strip(), counted_statuses=parts)


def _text(value: object, *, decimal_comma: bool = False) -> str:
    if value is None:
        return ""
    if decimal_comma and isinstance(value, float):
        return formatting.number(value, digits=6, grouping=False)  # the shared formatting, for Danish Excel
    return str(value)


def _lines(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows, then a total per department and for the municipality."""
    lines = list(data["rows"])
    for code, figures in data["totals"]["by_department"].items():
        lines.append({"department": code, "type": TOTAL_LABEL, **figures})
    municipality = data["totals"]["municipality"]
    if municipality is not None:
        lines.append({"department": MUNICIPALITY_LABEL, "type": TOTAL_LABEL, **municipality})
    return lines


def render_table(result: Reconciliation, data: dict[str, Any]) -> str:
    """Return an aligned plain-text table with a heading that says what was counted and how."""
    heading = (
        f"Afstemning {data['period'] or data['as_of']} (metode: {data['method']}, "
        f"opgjort {data['as_of']}, kendt pr. {data['known_at']})"
    )
    cells = [[label for _, label in COLUMNS]]
    for line in _lines(data):
        cells.append([_text(line[key], decimal_comma=True) for key, _ in COLUMNS])
    out = aligned_table(heading, cells, text_columns=2)
    rules = "; ".join(
        f"{code}: {'start' if not statuses else '+'.join(statuses)} ({weighting})"
        for code, (statuses, weighting) in result.rules.items()
    )
    out += ["", f"Regler: {rules}"]
    return "\n".join(out) + "\n"


def render_csv(data: dict[str, Any]) -> str:
    """Return ';'-separated CSV with decimal commas and a BOM, as Danish Excel opens it."""
    rows = (
        [line[key] if key in TEXT_KEYS else _text(line[key], decimal_comma=True) for key, _ in COLUMNS]
        for line in _lines(data)
    )
    return write_csv([label for _, label in COLUMNS], rows)


@click.command("reconcile", help="Count places against targets on a date or over a period.")
@click.option("--as-of", "as_of_text", metavar="DATE", help="Measuring date, e.g. 2025-06-30.")
@click.option("--period", "period_text", metavar="P", help="Period: 2025, 2025-H1 or 2025-H2.")
@click.option("--method", type=click.Choice(["point", "average"]), default="point", show_default=True)
@click.option("--known-at", "known_at_text", metavar="TIMESTAMP", help="ISO 8601 with offset; default now.")
@click.option("--department", "departments", multiple=True, metavar="CODE", help="Repeatable; default all.")
@click.option("--count", "counts", multiple=True, metavar="TYPE=STATUS,STATUS", help="What-if counting rule.")
@click.option(
    "--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
def reconcile_command(
    as_of_text: str | None,
    period_text: str | None,
    method: Method,  # click.Choice allows these two only
    known_at_text: str | None,
    departments: tuple[str, ...],
    counts: tuple[str, ...],
    output: str,
) -> None:
    if (as_of_text is None) == (period_text is None):
        raise click.UsageError("Angiv præcis én af --as-of og --period.")
    try:
        as_of = parse_iso_date(as_of_text) if as_of_text is not None else None
        period = parse_period(period_text) if period_text is not None else None
        known_at = (
            parse_timestamp(known_at_text)
            if known_at_text is not None
            else current_app.extensions["quota_clock"].now()
        )
        overrides = tuple(parse_count(spec) for spec in counts)
        session = database().session()
        try:
            result = reconcile(
                session,
                as_of=as_of,
                period=period,
                method=method,
                known_at=known_at,
                department_codes=list(departments) or None,
                overrides=overrides,
            )
        finally:
            session.rollback()
            session.close()
    except DomainError as exc:
        fail(exc.message)
        return
    data = reconciliation_to_json(result)
    if output == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif output == "csv":
        click.echo(render_csv(data), nl=False)
    else:
        click.echo(render_table(result, data), nl=False)
