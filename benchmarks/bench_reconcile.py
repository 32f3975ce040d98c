"""Reconciliation at national scale on SQLite and PostgreSQL, side by side (docs/quality.md §1).

Loads N places (default 100,000, about ten events each) into a fresh SQLite file and a fresh PostgreSQL
database, then times reconcile() for all departments (point, average over a half-year, and with an
earlier known-at) against the bare SQL aggregate over the same tables: hand-written SQL over the status
interval tables giving places (point) or place-days (average) per department, type and status, without
rules, targets, flow starts, fte weights or result shaping. Each is compared with the bare aggregate of its
own method; the average is also shown against the bare point count.

    python -m benchmarks.bench_reconcile [--places 100000] [--seed 1] [--repeat 5]
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from quota_app.db import DayNumber, QuotaSession, UTCDateTime
from quota_app.periods import Period
from quota_app.reconcile.figures import monthly_trend, reconcile

from .databases import engines_parser, measure_engines, print_table
from .synthetic import NOW, load

AS_OF = date(2025, 6, 30)
EARLIER = datetime(2025, 1, 15, 12, tzinfo=UTC)
# The hardest case for the interval tables: a date far back as known soon after, when almost every
# superseded interval was still known (the superseded table's whole index range is read).
FAR_BACK, FAR_BACK_KNOWN = date(2016, 6, 30), datetime(2016, 8, 1, tzinfo=UTC)
TREND_FROM = date(2022, 10, 1)
BUDGET_SECONDS = 0.5
BUDGET_RATIO = 1.5
H1 = Period(2025, 1)

# The lower bound: one aggregate per interval table, as a person would write it for this schema. The IN
# lists name every department, type and status, so both engines read one index range per combination.
_CELLS = (
    "department_id IN :departments AND type_id IN :types AND status IN ('open', 'filled', 'paused', 'closed')"
)
_KNOWN = {
    "place_interval": "known_from <= :known_at",
    "place_interval_superseded": "known_to > :known_at AND known_from <= :known_at",
}
BARE_POINT = " UNION ALL ".join(
    f"SELECT department_id, type_id, status, count(*) FROM {table} "
    f"WHERE {known} AND {_CELLS} AND valid_to > :day AND valid_from <= :day "
    "GROUP BY department_id, type_id, status"
    for table, known in _KNOWN.items()
)
BARE_AVERAGE = " UNION ALL ".join(
    f"SELECT department_id, type_id, status, sum({{least}}(valid_to, :after) - {{greatest}}(valid_from, :first)) "
    f"FROM {table} WHERE {known} AND {_CELLS} AND valid_to > :first AND valid_from <= :last "
    "GROUP BY department_id, type_id, status"
    for table, known in _KNOWN.items()
)


def timed_rounds(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Return each action's best wall time over repeat rounds, after a warm-up round.

    The actions take turns within every round, so a busy machine slows them alike and the ratios hold.
    """
    for action in actions.values():
        action()
    best = dict.fromkeys(actions, float("inf"))
    for _ in range(repeat):
        for name, action in actions.items():
            began = time.perf_counter()
            action()
            best[name] = min(best[name], time.perf_counter() - began)
    return best


def measure(engine: sa.Engine, *, places: int, seed: int, repeat: int) -> dict[str, float | int | str]:
    loaded = load(engine, seed=seed, places=places)
    figures: dict[str, float | int | str] = {
        "places": loaded.places,
        "events": loaded.events,
        "load s": loaded.seconds,
        "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    figures.update(time_counting(engine, repeat=repeat))
    return figures


def time_counting(engine: sa.Engine, *, repeat: int) -> dict[str, float | str]:
    """Time reconcile() and the bare aggregates on a loaded database; return the figures and the verdict."""
    figures: dict[str, float | str] = {}
    with QuotaSession(engine) as session:
        if engine.dialect.name == "postgresql":
            # reconcile() runs with JIT off (make_engine); the bare aggregates get the same.
            session.execute(sa.text("SET jit = off"))
        words = {"least": "min", "greatest": "max"} if engine.dialect.name == "sqlite" else {}
        departments = tuple(session.execute(sa.text("SELECT id FROM department")).scalars())
        types = tuple(session.execute(sa.text("SELECT id FROM placement_type")).scalars())
        expanding = (sa.bindparam("departments", expanding=True), sa.bindparam("types", expanding=True))
        point_sql = sa.text(BARE_POINT).bindparams(
            *expanding, sa.bindparam("known_at", type_=UTCDateTime()), sa.bindparam("day", type_=DayNumber())
        )
        average_sql = sa.text(
            BARE_AVERAGE.format(least=words.get("least", "least"), greatest=words.get("greatest", "greatest"))
        ).bindparams(
            *expanding,
            sa.bindparam("known_at", type_=UTCDateTime()),
            *(sa.bindparam(name, type_=DayNumber()) for name in ("first", "last", "after")),
        )
        cells = {"departments": departments, "types": types}

        def bare_point(known_at: datetime = NOW, day: date = AS_OF) -> object:
            return session.execute(point_sql, {**cells, "known_at": known_at, "day": day}).all()

        def bare_average() -> object:
            values = {"first": H1.start, "last": H1.end, "after": H1.end + timedelta(days=1)}
            return session.execute(average_sql, {**cells, "known_at": NOW, **values}).all()

        figures.update(
            timed_rounds(
                {
                    "bare point s": bare_point,
                    "point s": lambda: reconcile(session, as_of=AS_OF, known_at=NOW),
                    "bare average s": bare_average,
                    "average H1 s": lambda: reconcile(session, period=H1, method="average", known_at=NOW),
                    "bare point, earlier known-at s": lambda: bare_point(EARLIER),
                    "point, earlier known-at s": lambda: reconcile(session, as_of=AS_OF, known_at=EARLIER),
                    "average H1, earlier known-at s": lambda: reconcile(
                        session, period=H1, method="average", known_at=EARLIER
                    ),
                    "bare point, far back s": lambda: bare_point(FAR_BACK_KNOWN, FAR_BACK),
                    "point, far back s": lambda: reconcile(session, as_of=FAR_BACK, known_at=FAR_BACK_KNOWN),
                    # The dashboard's trend: 36 month-ends for one department and type, in one query.
                    "monthly trend, 36 months s": lambda: monthly_trend(
                        session,
                        department_code="SOF",
                        type_code="utility_job",
                        start=TREND_FROM,
                        end=NOW.date(),
                        known_at=NOW,
                    ),
                },
                repeat,
            )
        )
        pairs = {
            "ratio point / bare point": ("point s", "bare point s"),
            "ratio average / bare average": ("average H1 s", "bare average s"),
            "ratio earlier / bare earlier": ("point, earlier known-at s", "bare point, earlier known-at s"),
            "ratio far back / bare far back": ("point, far back s", "bare point, far back s"),
        }
        for label, (measured, bare) in pairs.items():
            figures[label] = float(figures[measured]) / float(figures[bare])
        figures["(average / bare point)"] = float(figures["average H1 s"]) / float(figures["bare point s"])
        timed = [key for key in figures if key.endswith(" s") and not key.startswith(("bare", "monthly"))]
        worst = max(float(figures[k]) for k in timed)
        ratio = max(float(figures[k]) for k in pairs)
        figures["within budget"] = "yes" if worst < BUDGET_SECONDS and ratio <= BUDGET_RATIO else "NO"
    return figures


def main() -> None:
    args = engines_parser(__doc__.splitlines()[0]).parse_args()
    results = measure_engines(measure, args)
    print(
        f"\nReconciliation benchmark (as of {AS_OF}, all departments; best of {args.repeat} interleaved rounds)"
    )
    print(
        f"Budget: under {BUDGET_SECONDS} s and within {BUDGET_RATIO}x of the bare aggregate (docs/quality.md)\n"
    )
    print_table(results, width=32)


if __name__ == "__main__":
    main()
