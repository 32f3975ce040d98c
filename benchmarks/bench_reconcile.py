"""Reconciliation at national scale on SQLite and PostgreSQL, side by side (DESIGN.md §8).

Loads N places (default 100,000, about ten events each) into a fresh SQLite file and a fresh PostgreSQL
database, then times reconcile() for all departments (point, average over a half-year, and with an
earlier known-at) against the bare SQL aggregate over the same tables: the status-interval window query
counting places per department, type and status, without rules, targets or result shaping.

    python -m benchmarks.bench_reconcile [--places 100000] [--seed 1] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from quota_app.db import make_engine
from quota_app.periods import Period
from quota_app.reconcile.services import anchor_for, bare_count_query, monthly_trend, reconcile

from .synthetic import NOW, load

PG_ADMIN_URL = os.environ.get(
    "QUOTA_BENCH_PG_URL",
    os.environ.get("QUOTA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
AS_OF = date(2025, 6, 30)
EARLIER = datetime(2025, 1, 15, 12, tzinfo=UTC)
TREND_FROM = date(2022, 10, 1)
BUDGET_SECONDS = 0.5
BUDGET_RATIO = 1.5


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
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            # reconcile() turns JIT off for its own transaction; the bare aggregate gets the same.
            session.execute(sa.text("SET jit = off"))
        # The same strategy as reconcile() uses on this engine (on SQLite: anchored on the day itself).
        anchor = anchor_for(session, AS_OF)

        def bare(known_at: datetime = NOW) -> object:
            return session.execute(
                bare_count_query(known_at=known_at, as_of=AS_OF, anchored_from=anchor)
            ).all()

        figures.update(
            timed_rounds(
                {
                    "bare aggregate s": bare,
                    "point s": lambda: reconcile(session, as_of=AS_OF, known_at=NOW),
                    "average H1 s": lambda: reconcile(
                        session, period=Period(2025, 1), method="average", known_at=NOW
                    ),
                    "point, earlier known-at s": lambda: reconcile(session, as_of=AS_OF, known_at=EARLIER),
                    "bare, earlier known-at s": lambda: bare(EARLIER),
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
        base = float(figures["bare aggregate s"])
        for key in ("point s", "average H1 s"):
            figures[f"ratio {key[:-2]} / bare"] = float(figures[key]) / base
        figures["ratio earlier / bare earlier"] = float(figures["point, earlier known-at s"]) / float(
            figures["bare, earlier known-at s"]
        )
        worst = max(float(figures[k]) for k in ("point s", "average H1 s", "point, earlier known-at s"))
        ratio = max(float(v) for k, v in figures.items() if k.startswith("ratio"))
        figures["within budget"] = "yes" if worst < BUDGET_SECONDS and ratio <= BUDGET_RATIO else "NO"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args()

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="quota-bench-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            results["SQLite"] = measure(engine, places=args.places, seed=args.seed, repeat=args.repeat)
        finally:
            engine.dispose()

    if not args.skip_postgresql:
        name = f"quota_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
        try:
            url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
            engine = make_engine(url)
            try:
                results["PostgreSQL"] = measure(
                    engine, places=args.places, seed=args.seed, repeat=args.repeat
                )
            finally:
                engine.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    engines = list(results)
    keys = list(next(iter(results.values())))
    print(
        f"\nReconciliation benchmark (as of {AS_OF}, all departments; best of {args.repeat} interleaved rounds)"
    )
    print(
        f"Budget: under {BUDGET_SECONDS} s and within {BUDGET_RATIO}x of the bare aggregate (DESIGN.md §8)\n"
    )
    print(f"{'':32}" + "".join(f"{e:>14}" for e in engines))
    for key in keys:
        cells = []
        for e in engines:
            value = results[e][key]
            cells.append(f"{value:>14.3f}" if isinstance(value, float) else f"{value!s:>14}")
        print(f"{key:32}" + "".join(cells))


if __name__ == "__main__":
    main()
