"""The short compliance section of a department's report (docs/compliance.md): its workplaces against the
proportionality rule on the period's last day, from the compliance package's figures into the report's
plain data."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from quota_app.compliance.figures import compliance

from .data import ComplianceSection, WorkplaceOver


def compliance_section(
    session: Session, *, department_id: int, as_of: date, known_at: datetime
) -> ComplianceSection | None:
    """The department's workplaces against the proportionality rule on as_of (None: it has none)."""
    result = compliance(session, as_of=as_of, known_at=known_at, department_ids=[department_id])
    if not result.rows:
        return None
    rows = result.rows
    return ComplianceSection(
        as_of=as_of,
        workplaces=len(rows),
        unknown_headcount=sum(1 for r in rows if r.ordinary_employees is None),
        occupied=sum(r.occupied for r in rows),
        free=sum(r.free or 0 for r in rows),
        missing_statements=sum(r.missing_statements for r in rows),
        over=tuple(
            WorkplaceOver(
                unit=r.unit,
                p_number=r.p_number or "",
                ordinary_employees=r.ordinary_employees or 0,
                ceiling=r.ceiling or 0,
                occupied=r.occupied,
            )
            for r in rows
            if r.over and r.exemption is None
        ),
    )
