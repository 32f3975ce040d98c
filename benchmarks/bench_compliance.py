"""Workplace compliance at national scale on SQLite and PostgreSQL (docs/compliance.md, docs/quality.md §1).

Loads N places (default 100,000, about ten events each), spreads them over workplaces (one unit per 50
places, each with a headcount history of two figures and a P-number), then times the compliance figures
for all departments (now, and as known at an earlier moment), one workplace's drill-down, and the
ceiling check one status change makes (a place of a covered type at a busy workplace).

    python -m benchmarks.bench_compliance [--places 100000] [--seed 1] [--repeat 5]
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import col

from quota_app.compliance.check import Proposal, check_proposals
from quota_app.compliance.figures import compliance, places_at
from quota_app.db import QuotaSession
from quota_app.models import Place, Unit, UnitHeadcount

from .bench_reconcile import timed_rounds
from .databases import engines_parser, measure_engines, print_table
from .synthetic import NOW, load

AS_OF = date(2025, 6, 30)
EARLIER = datetime(2025, 1, 15, 12, tzinfo=UTC)
PLACES_PER_UNIT = 50
BUDGET_VIEW_SECONDS = 0.5
BUDGET_CHECK_SECONDS = 0.05  # a small part of a status change's 150 ms (p95) budget


def add_workplaces(engine: sa.Engine) -> int:
    """Give every place a unit (PLACES_PER_UNIT places each, within its department) with a headcount."""
    with engine.begin() as conn:
        places = conn.execute(
            sa.select(Place.id, Place.department_id).order_by(Place.department_id, Place.id)
        ).all()
        units: list[dict] = []
        assignments: list[dict] = []
        current: tuple[int, int] | None = None  # (department, unit number)
        for n, (place_id, department_id) in enumerate(places):
            if current is None or current[0] != department_id or n % PLACES_PER_UNIT == 0:
                number = len(units) + 1
                units.append(
                    {
                        "id": number,
                        "department_id": department_id,
                        "name": f"Arbejdssted {number}",
                        "active": True,
                        "p_number": f"{1_000_000_000 + number}",
                    }
                )
                current = (department_id, number)
            assignments.append({"pid": place_id, "uid": current[1]})
        conn.execute(sa.insert(Unit.__table__), units)
        conn.execute(
            sa.update(Place.__table__)
            .where(Place.__table__.c.id == sa.bindparam("pid"))
            .values(unit_id=sa.bindparam("uid")),
            assignments,
        )
        headcounts = []
        for unit in units:
            for day, employees, recorded in (
                (date(2016, 1, 1), 40 + unit["id"] % 100, datetime(2016, 1, 5, tzinfo=UTC)),
                (date(2025, 1, 1), 20 + unit["id"] % 150, datetime(2025, 1, 20, tzinfo=UTC)),
            ):
                headcounts.append(
                    {
                        "unit_id": unit["id"],
                        "effective_date": day,
                        "ordinary_employees": employees,
                        "source": "bench",
                        "recorded_at": recorded,
                    }
                )
        conn.execute(sa.insert(UnitHeadcount.__table__), headcounts)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return len(units)


def measure(engine: sa.Engine, *, places: int, seed: int, repeat: int) -> dict[str, float | int | str]:
    loaded = load(engine, seed=seed, places=places)
    figures: dict[str, float | int | str] = {"places": loaded.places, "workplaces": add_workplaces(engine)}
    with QuotaSession(engine) as session:
        departments = list(session.execute(sa.text("SELECT id FROM department")).scalars())
        internship = session.execute(
            sa.text("SELECT id FROM placement_type WHERE code = 'internship'")
        ).scalar_one()
        place = session.execute(
            sa.select(col(Place.id), col(Place.unit_id), col(Place.reference))
            .where(col(Place.type_id) == internship, col(Place.unit_id).is_not(None))
            .order_by(col(Place.id))
            .limit(1)
        ).one()
        unit = session.get(Unit, place.unit_id)
        proposal = Proposal(
            key=place.id,
            unit_id=place.unit_id,
            type_id=internship,
            place_id=place.id,
            reference=place.reference,
            history={date(2025, 6, 2): "filled"},
            changed_from=date(2025, 6, 2),
        )
        figures.update(
            timed_rounds(
                {
                    "all departments s": lambda: compliance(
                        session, as_of=AS_OF, known_at=NOW, department_ids=departments
                    ),
                    "earlier known-at s": lambda: compliance(
                        session, as_of=AS_OF, known_at=EARLIER, department_ids=departments
                    ),
                    "drill-down s": lambda: places_at(session, unit=unit, as_of=AS_OF, known_at=NOW),
                    "check one change s": lambda: check_proposals(session, [proposal], now=NOW),
                },
                repeat,
            )
        )
    views = max(float(figures[k]) for k in ("all departments s", "earlier known-at s", "drill-down s"))
    ok = views < BUDGET_VIEW_SECONDS and float(figures["check one change s"]) < BUDGET_CHECK_SECONDS
    figures["within budget"] = "yes" if ok else "NO"
    return figures


def main() -> None:
    args = engines_parser(__doc__.splitlines()[0]).parse_args()
    results = measure_engines(measure, args)
    print(
        f"\nCompliance benchmark (as of {AS_OF}, all departments; best of {args.repeat} interleaved rounds)"
    )
    print(f"Budget: views under {BUDGET_VIEW_SECONDS} s, one change's check under {BUDGET_CHECK_SECONDS} s\n")
    print_table(results, width=24)


if __name__ == "__main__":
    main()
