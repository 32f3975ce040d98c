"""`quota report`: write a department's or the municipality's half-yearly status as PDF."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from ..cli_types import fail
from ..converters import parse_timestamp
from ..errors import DomainError
from ..periods import parse_period
from ..web import database


@click.command("report", help="Write a half-yearly status report as PDF.")
@click.option("--period", required=True, help="2025-H1, 2025-H2 or 2025.")
@click.option("--department", "department_code", help="Department code, e.g. SOF.")
@click.option("--consolidated", is_flag=True, help="The report for the whole municipality.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.pdf")
@click.option("--known-at", "known_at_text", help="ISO 8601 timestamp with offset; default now.")
@click.option("--final", is_flag=True, help="Archive the report as final (with its known-at and SHA-256).")
def report_command(
    period: str,
    department_code: str | None,
    consolidated: bool,
    out: Path,
    known_at_text: str | None,
    final: bool,
) -> None:
    # imported when used: `quota --help` stays free of ReportLab
    from reports import services as report_services

    if bool(department_code) == consolidated:
        raise click.UsageError("Angiv enten --department CODE eller --consolidated.")
    now = current_app.extensions["quota_clock"].now()
    try:
        chosen = parse_period(period)
        known_at = parse_timestamp(known_at_text) if known_at_text else now
        code = None if consolidated else (department_code or "").strip().upper()
        with database().begin() as session:
            data = report_services.gather_report(
                session, period=chosen, department_code=code, known_at=known_at
            )
            pdf = report_services.render_report(data)
            try:
                out.write_bytes(pdf)  # before archiving: a report nobody received is not archived as final
            except OSError as exc:
                fail(f"Kan ikke skrive {out}: {exc.strerror}")
            if final:
                report_services.archive_report(
                    session,
                    period=chosen,
                    department_code=code,
                    known_at=known_at,
                    pdf=pdf,
                    actor="cli",
                    now=now,
                    data=data,
                )
    except DomainError as exc:
        fail(exc.message)
    click.echo(
        f"Wrote {out} ({len(pdf)} bytes, known at {known_at.isoformat()}, sha256 {report_services.sha256_of(pdf)})"
        + (" and archived it as final." if final else ".")
    )
