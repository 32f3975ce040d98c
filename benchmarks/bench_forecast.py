"""Backtest of the year-end projection on the synthetic ten-year history (issue 16, point 3; docs/forecast.md §4).

Loads N places (default 10,000, about 100,000 events over ten years) into a fresh database. For each full
year of the history (2016-2024) and each as-of date (the last day of January, March, June, September and
November), every department's and type's counted figure is projected to 31 December as known at the end
of the as-of day in Copenhagen, and compared with what was counted on 31 December as known now; beside it
the naive baseline: the count on the as-of date, as known then, carried forward. Prints the mean absolute
error of both and the share of the outcomes inside the projection's interval, per as-of month, per year and
overall; exits 1 when the projection does not beat the baseline overall.

    python -m benchmarks.bench_forecast [--places 10000] [--seed 1] [--engine sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from quota_app.db import QuotaSession, make_engine
from quota_app.forecast.projection import project
from quota_app.reconcile.figures import reconcile
from quota_app.settings import local_zone

from .databases import fresh_database
from .synthetic import NOW, load

CPH = local_zone()  # QUOTA_TIMEZONE, as the app reads it
YEARS = range(2016, 2025)  # the full years of the ten-year history up to 30 September 2025
AS_OF = ((1, 31), (3, 31), (6, 30), (9, 30), (11, 30))
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


@dataclass
class Tally:
    """Absolute errors of the projection and the baseline, and how often the outcome was in the interval."""

    rows: int = 0
    projection: float = 0.0
    naive: float = 0.0
    inside: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, *, projected: float, low: float, high: float, counted: float, actual: float) -> None:
        self.rows += 1
        self.projection += abs(projected - actual)
        self.naive += abs(counted - actual)
        self.inside += low <= actual <= high

    def line(self, label: str) -> str:
        mae, naive = self.projection / self.rows, self.naive / self.rows
        return (
            f"{label:14}{self.rows:>7}{mae:>12.2f}{naive:>12.2f}{mae / naive:>9.2f}"
            f"{100 * self.inside / self.rows:>11.1f} %"
        )


def end_of_day(day: date) -> datetime:
    """The moment the as-of day ends in Copenhagen: what was known on that day."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), CPH).astimezone(UTC)


def backtest(engine: sa.Engine) -> tuple[dict[str, Tally], dict[int, Tally], Tally]:
    by_month: dict[str, Tally] = defaultdict(Tally)
    by_year: dict[int, Tally] = defaultdict(Tally)
    total = Tally()
    with QuotaSession(engine) as session:
        for year in YEARS:
            outcome = reconcile(session, as_of=date(year, 12, 31), known_at=NOW)
            actual = {(r.department, r.type): r.counted for r in outcome.rows}
            for month, day in AS_OF:
                as_of = date(year, month, day)
                began = time.perf_counter()
                projection = project(session, year=year, as_of=as_of, known_at=end_of_day(as_of))
                total.seconds.append(time.perf_counter() - began)
                for row in projection.rows:
                    figures = {
                        "projected": row.year_end.projected,
                        "low": row.year_end.low,
                        "high": row.year_end.high,
                        "counted": row.counted,
                        "actual": actual[(row.department, row.type)],
                    }
                    for tally in (by_month[f"{day}. {MONTHS[month - 1]}"], by_year[year], total):
                        tally.add(**figures)
    return by_month, by_year, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with fresh_database(args.engine) as url:
        engine = make_engine(url)
        try:
            loaded = load(engine, seed=args.seed, places=args.places)
            by_month, by_year, total = backtest(engine)
        finally:
            engine.dispose()
    print(
        f"\nForecast backtest on {args.engine}: {loaded.places} places, {loaded.events} events "
        f"(seed {args.seed}), years {YEARS.start}-{YEARS.stop - 1}"
    )
    print("Each department x type projected to 31 December as known at the end of the as-of day, against the")
    print("count on 31 December as known now; naive: the as-of day's count carried forward.\n")
    header = f"{'':14}{'rows':>7}{'MAE model':>12}{'MAE naive':>12}{'ratio':>9}{'in interval':>13}"
    for title, tallies in (("as of", by_month), ("year", by_year)):
        print(header.replace(" " * 14, f"{title:14}", 1))
        for label, tally in tallies.items():
            print(tally.line(str(label)))
        print()
    print(header.replace(" " * 14, f"{'':14}", 1))
    print(total.line("all"))
    seconds = sorted(total.seconds)
    print(
        f"\nproject() for all departments: median {seconds[len(seconds) // 2]:.2f} s, "
        f"slowest {seconds[-1]:.2f} s ({len(seconds)} calls)"
    )
    beats = total.projection < total.naive
    print(f"The projection beats the naive baseline: {'yes' if beats else 'NO'}")
    if not beats:
        sys.exit(1)


if __name__ == "__main__":
    main()
