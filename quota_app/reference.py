"""Reference data every installation needs: departments, placement types and default counting rules."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from .models import CountingRule, Department, PlacementType

DATA = Path(__file__).resolve().parent / "demo" / "data"


@dataclass(frozen=True)
class TypeDefault:
    code: str
    name_da: str
    name_en: str
    measure: str
    target_unit: str
    counted_statuses: str


# docs/domain.md §4: the placement types and what counts by default.
PLACEMENT_TYPES = (
    TypeDefault("internship", "Virksomhedspraktik", "Work placement", "stock", "places", "filled"),
    TypeDefault("utility_job", "Nytteindsats", "Utility job", "stock", "places", "filled,open"),
    TypeDefault("flex_job", "Fleksjob", "Flex job", "stock", "persons", "filled"),
    TypeDefault("senior_job", "Seniorjob", "Senior job", "stock", "persons", "filled"),
    TypeDefault("job_rotation", "Jobrotation", "Job rotation", "flow", "courses", ""),
    TypeDefault("wage_subsidy", "Løntilskud", "Wage subsidy", "stock", "places", "filled"),
)


def read_fixture(name: str) -> list[dict[str, str]]:
    """Read a ';'-separated fixture file, skipping '#' comment lines."""
    with (DATA / name).open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter=";"))


def ensure_departments(session: Session) -> dict[str, Department]:
    """Create Copenhagen's seven departments if missing; return them by code."""
    existing = {d.code: d for d in session.exec(select(Department)).all()}
    for sort, row in enumerate(read_fixture("departments.csv")):
        if row["code"] not in existing:
            department = Department(
                code=row["code"], name=row["name"], mayor_title=row["mayor_title"], sort=sort
            )
            session.add(department)
            existing[row["code"]] = department
    session.flush()
    return existing


def ensure_placement_types(session: Session) -> dict[str, PlacementType]:
    """Create the six placement types if missing; return them by code."""
    existing = {t.code: t for t in session.exec(select(PlacementType)).all()}
    for sort, default in enumerate(PLACEMENT_TYPES):
        if default.code not in existing:
            placement_type = PlacementType(
                code=default.code,
                name_da=default.name_da,
                name_en=default.name_en,
                measure=default.measure,
                target_unit=default.target_unit,
                sort=sort,
            )
            session.add(placement_type)
            existing[default.code] = placement_type
    session.flush()
    return existing


def ensure_default_rules(session: Session, year: int) -> None:
    """Create the default counting rule for each type in a year where none exists."""
    types = ensure_placement_types(session)
    have = {r.type_id for r in session.exec(select(CountingRule).where(CountingRule.year == year)).all()}
    for default in PLACEMENT_TYPES:
        placement_type = types[default.code]
        if placement_type.id not in have:
            session.add(
                CountingRule(
                    year=year,
                    type_id=placement_type.id,
                    counted_statuses=default.counted_statuses,
                    weighting="headcount",
                )
            )
    session.flush()
