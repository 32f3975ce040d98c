"""Counting places against targets (DESIGN.md §3): SQL aggregates over bitemporal status intervals.

The status of place P on date D as known at T is the event with the greatest (effective_date,
recorded_at) among the events with effective_date <= D, recorded_at <= T and not voided at T
(voided_at IS NULL OR voided_at > T); events recorded at the same instant for the same date are
ordered by id. Every figure here is computed by the database from *status intervals*: per place, the
winning event of each effective date, valid from its effective date up to (not including) the next
winning event's effective date. Intervals come from one window pass over the events in index order
(ix_place_event_timeline, covering). On SQLite, whose windows are slow, reconciliation uses no window:
each place's status is one index seek, and only the events in the period are visited, a few seeks each
(see anchor_for and _seek_counts_query); other figures reduce each place's history before the first day
they need to one index seek.

Choices where DESIGN.md is silent (documented for the CLI, the web and reports):
- "average" on a single date is the count on that date; ties (same date and recorded_at) go to the
  higher event id; ageing counts days from the start of the current open spell (the first `open` after
  another status) to the date; time to fill is grouped by the fill's date.
- Flow types (measure "flow") count transitions into `filled` (from another status, or as the first
  event) whose effective date falls in the period; on a single date, from 1 January of its year.
  Their open/filled/paused/closed figures follow the method like stock types.
- A half-year is measured against its year's target. For flow types at H1 `target_pro_rata` is the
  annual target × days of H1 / days of the year (one decimal); fulfilment stays against the annual
  target.
- Totals sum their rows. Their target is the sum of the targets of the rows that have one (None when
  no row has); their fulfilment and gap compare that target with the counted places of those same rows,
  so a row without a target never inflates fulfilment.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlmodel import Session

from ..errors import DomainError
from ..models import STATUSES, WEIGHTINGS, CountingRule, Department, Place, PlaceEvent, PlacementType, Target
from ..periods import Period
from ..reference import PLACEMENT_TYPES
from .types import (
    AgeingBuckets,
    OpenPlaceAge,
    Reconciliation,
    ReconciliationRow,
    RuleOverride,
    TimeToFill,
    Totals,
)

EVENTS = PlaceEvent.__table__
PLACES = Place.__table__
DEFAULT_RULES = {t.code: tuple(s for s in t.counted_statuses.split(",") if s) for t in PLACEMENT_TYPES}
NUMERIC_KEYS = ("target", "open", "filled", "paused", "closed", "counted", "fulfilment_pct", "gap")


# --- SQL building blocks -------------------------------------------------------------------------------


class days_between(sa.sql.functions.FunctionElement):
    """Whole days from the first date to the second (second - first), on SQLite and PostgreSQL."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({second}) - julianday({first}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST({second} AS DATE) - CAST({first} AS DATE))"


def _day(value: date) -> Any:
    return sa.literal(value, sa.Date())


def _visible(events: Any, known_at: datetime) -> Any:
    return sa.and_(
        events.c.recorded_at <= known_at, sa.or_(events.c.voided_at.is_(None), events.c.voided_at > known_at)
    )


def anchor_for(session: Session, since: date) -> date | None:
    """Return since where the engine is faster seeking each place's status than windowing all history.

    SQLite's window functions cost about a microsecond a row, so there counts are made by index seeks
    (_seek_counts_query) and intervals are built from each place's status just before `since` (an index
    seek per place) plus the events from `since` on. PostgreSQL streams the whole history through its
    windows in index order faster than it seeks.
    """
    return since if session.get_bind().dialect.name == "sqlite" else None


def counts_by_seeks(session: Session, method: str) -> bool:
    """Whether reconcile() counts by index seeks (_seek_counts_query) rather than with a window pass.

    Always on SQLite (slow windows); on PostgreSQL for point counts only: 100,000 seeks for the status
    on one date beat windowing every event there (about 0.42 s against 0.55 s at national scale), while
    for averages the window pass stays faster (0.54 s against 0.81 s).
    """
    return session.get_bind().dialect.name == "sqlite" or method == "point"


def status_intervals(
    *,
    known_at: datetime,
    until: date,
    department_ids: Sequence[int] | None = None,
    type_ids: Sequence[int] | None = None,
    with_spells: bool = False,
    anchored_from: date | None = None,
) -> sa.Subquery:
    """Return a subquery of status intervals as known at known_at, for intervals starting on or before until.

    Columns: place_id, status, start, next_start (NULL: still valid), and with_spells also prev_status
    (NULL: first event) and spell_start (start of the latest open spell up to this interval).
    With anchored_from, only intervals valid on or after that date are complete (earlier history is
    reduced to the one interval valid the day before); the figures from that date on are the same.
    """
    e = EVENTS
    columns = (e.c.place_id, e.c.status, e.c.effective_date, e.c.recorded_at, e.c.id)
    if anchored_from is not None and not with_spells:
        # Per place: the events from the date of its winner before anchored_from (that winner and the
        # date's other events, which it beats) up to until; one backward seek and one range seek in the
        # index per place, instead of a scan of every event.
        y = EVENTS.alias("before_since")
        anchor_date = (
            sa.select(y.c.effective_date)
            .where(
                y.c.place_id == PLACES.c.id, y.c.effective_date < _day(anchored_from), _visible(y, known_at)
            )
            .order_by(y.c.effective_date.desc(), y.c.recorded_at.desc(), y.c.id.desc())
            .limit(1)
            .correlate(PLACES)
            .scalar_subquery()
        )
        from_date = sa.func.coalesce(anchor_date, _day(anchored_from))
        relevant = (
            # place.id, not place_event.place_id: SQLite then reads the places in rowid order and the
            # window below needs no sort.
            sa.select(PLACES.c.id.label("place_id"), *columns[1:])
            .select_from(
                # "+ 0": place.id is no index constraint, so SQLite loops over places and seeks events.
                PLACES.join(e, sa.and_(e.c.place_id == PLACES.c.id + 0, e.c.effective_date >= from_date))
            )
            .where(_visible(e, known_at), e.c.effective_date <= _day(until))
        )
        if department_ids is not None:
            relevant = relevant.where(PLACES.c.department_id.in_(list(department_ids)))
        if type_ids is not None:
            relevant = relevant.where(PLACES.c.type_id.in_(list(type_ids)))
        source = relevant.subquery("relevant")
    else:
        recent = sa.select(*columns).where(_visible(e, known_at), e.c.effective_date <= _day(until))
        if department_ids is not None or type_ids is not None:
            chosen = sa.select(PLACES.c.id)
            if department_ids is not None:
                chosen = chosen.where(PLACES.c.department_id.in_(list(department_ids)))
            if type_ids is not None:
                chosen = chosen.where(PLACES.c.type_id.in_(list(type_ids)))
            recent = recent.where(e.c.place_id.in_(chosen))
        source = recent.subquery("relevant")
    # One window pass in the events' own order (place, date, recorded_at, id): the last row of a date is
    # that date's winner.
    raw_order = {
        "partition_by": source.c.place_id,
        "order_by": (source.c.effective_date, source.c.recorded_at, source.c.id),
    }
    visible_q = sa.select(
        source.c.place_id,
        source.c.status,
        source.c.effective_date.label("start"),
        sa.func.lead(source.c.effective_date, type_=sa.Date()).over(**raw_order).label("next_any"),
    ).subquery("visible")
    # The last event recorded for an effective date wins; its interval runs to the next date's winner.
    winners = sa.select(
        visible_q.c.place_id,
        visible_q.c.status,
        visible_q.c.start,
        visible_q.c.next_any.label("next_start"),
    ).where(sa.or_(visible_q.c.next_any.is_(None), visible_q.c.next_any != visible_q.c.start))
    if not with_spells:
        return winners.subquery("intervals")
    w0 = winners.subquery("winners")
    w = sa.select(
        w0,
        sa.func.lag(w0.c.status, type_=sa.String())
        .over(partition_by=w0.c.place_id, order_by=w0.c.start)
        .label("prev_status"),
    ).subquery("winners_before")
    opens_spell = sa.and_(w.c.status == "open", sa.or_(w.c.prev_status.is_(None), w.c.prev_status != "open"))
    return sa.select(
        w,
        sa.func.max(sa.case((opens_spell, w.c.start), else_=None), type_=sa.Date())
        .over(partition_by=w.c.place_id, order_by=w.c.start)
        .label("spell_start"),
    ).subquery("spells")


def previous_status(iv: Any, known_at: datetime) -> Any:
    """The status of the previous date's winner (NULL before the first event) for an interval of iv.

    One index seek per interval asked about (only fills in the period are), cheaper than another window
    pass over every event.
    """
    if "prev_status" in iv.c:
        return iv.c.prev_status
    y = EVENTS.alias("previous_date")
    looked_up = (
        sa.select(y.c.status)
        .where(y.c.place_id == iv.c.place_id, y.c.effective_date < iv.c.start, _visible(y, known_at))
        .order_by(y.c.effective_date.desc(), y.c.recorded_at.desc(), y.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return looked_up


def _valid_on(iv: Any, day: date) -> Any:
    return sa.and_(iv.c.start <= _day(day), sa.or_(iv.c.next_start.is_(None), iv.c.next_start > _day(day)))


def _started(iv: Any, known_at: datetime, first: date, last: date) -> Any:
    """1 for a transition into filled dated first..last (from another status or as the first event), else 0.

    A CASE, so the previous status is only worked out for filled intervals in the period.
    """
    in_period = sa.and_(iv.c.status == "filled", iv.c.start >= _day(first), iv.c.start <= _day(last))
    before = sa.func.coalesce(previous_status(iv, known_at), "")
    return sa.case((in_period, sa.case((before != "filled", 1), else_=0)), else_=0)


def _scoped(
    query: sa.Select, department_ids: Sequence[int] | None, type_ids: Sequence[int] | None
) -> sa.Select:
    if department_ids is not None:
        query = query.where(PLACES.c.department_id.in_(list(department_ids)))
    if type_ids is not None:
        query = query.where(PLACES.c.type_id.in_(list(type_ids)))
    return query


def _winners_from(e: Any, known_at: datetime, first: date, last: date) -> tuple[Any, Any, Any]:
    """For events e of each place dated first..last: (join condition with place, e wins its date, status
    of the previous date's winner (NULL: none)); the last two are index seeks per event."""
    z = EVENTS.alias("same_date")
    date_winner = (
        sa.select(z.c.id)
        .where(z.c.place_id == e.c.place_id, z.c.effective_date == e.c.effective_date, _visible(z, known_at))
        .order_by(z.c.recorded_at.desc(), z.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    x = EVENTS.alias("previous_date")
    before = (
        sa.select(x.c.status)
        .where(x.c.place_id == e.c.place_id, x.c.effective_date < e.c.effective_date, _visible(x, known_at))
        .order_by(x.c.effective_date.desc(), x.c.recorded_at.desc(), x.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    in_period = sa.and_(
        # "+ 0": place.id is no index constraint, so SQLite loops over places and seeks their events.
        e.c.place_id == PLACES.c.id + 0,
        e.c.effective_date >= _day(first),
        e.c.effective_date <= _day(last),
    )
    return in_period, sa.and_(_visible(e, known_at), e.c.id == date_winner), before


def _status_before(known_at: datetime, day: date, *, inclusive: bool) -> Any:
    """The status of each place (correlated with place) on day (inclusive) or the day before: one seek."""
    y = EVENTS.alias("latest")
    bound = y.c.effective_date <= _day(day) if inclusive else y.c.effective_date < _day(day)
    return (
        sa.select(y.c.status)
        .where(y.c.place_id == PLACES.c.id, bound, _visible(y, known_at))
        .order_by(y.c.effective_date.desc(), y.c.recorded_at.desc(), y.c.id.desc())
        .limit(1)
        .correlate(PLACES)
        .scalar_subquery()
    )


def _row(status: Any, n: Any, starts: Any) -> sa.Select:
    return sa.select(
        PLACES.c.department_id,
        PLACES.c.type_id,
        status.label("status"),
        n.label("n"),
        PLACES.c.fte,
        starts.label("starts"),
    )


def _int(value: int) -> Any:
    return sa.literal(value, sa.Integer())


def _seek_counts_query(
    *,
    known_at: datetime,
    as_of: date,
    method: str,
    flow_start: date,
    average_from: date | None,
    department_ids: Sequence[int] | None,
    type_ids: Sequence[int] | None,
) -> sa.Select:
    """count_by_status_query without intervals: index seeks instead of a window pass (SQLite).

    point: each place's status on as_of is one backward seek (its winner on or before as_of).
    average: the status the day before average_from counts up to the first date in the period with an
    event; each date winner in the period counts from its date up to the next date with an event (a
    forward seek each). starts: filled date winners from flow_start to as_of after a date whose winner is
    not filled (or none). A range seek per place, then a few seeks per event in the range.
    Each branch yields one row per place or event; fte is multiplied in once, outside.
    """
    selects = []
    starts_among_changes = method == "average" and average_from is not None and flow_start >= average_from
    if method == "average":
        assert average_from is not None
        after_end = _day(as_of + timedelta(days=1))
        first = EVENTS.alias("first_in_period")
        first_change = (
            sa.select(first.c.effective_date)
            .where(
                first.c.place_id == PLACES.c.id,
                first.c.effective_date >= _day(average_from),
                first.c.effective_date <= _day(as_of),
                _visible(first, known_at),
            )
            .order_by(first.c.effective_date)
            .limit(1)
            .correlate(PLACES)
            .scalar_subquery()
        )
        before_period = _status_before(known_at, average_from, inclusive=False)
        anchor_days = days_between(_day(average_from), sa.func.coalesce(first_change, after_end))
        selects.append(_row(before_period, anchor_days, _int(0)))
        e = EVENTS.alias("change")
        join_on, wins, before = _winners_from(e, known_at, average_from, as_of)
        nxt = EVENTS.alias("next_date")
        next_date = (
            sa.select(nxt.c.effective_date)
            .where(
                nxt.c.place_id == e.c.place_id,
                nxt.c.effective_date > e.c.effective_date,
                nxt.c.effective_date <= _day(as_of),
                _visible(nxt, known_at),
            )
            .order_by(nxt.c.effective_date)
            .limit(1)
            .scalar_subquery()
        )
        length = days_between(e.c.effective_date, sa.func.coalesce(next_date, after_end))
        if starts_among_changes:
            fill = sa.and_(e.c.status == "filled", e.c.effective_date >= _day(flow_start))
            # A CASE, so the previous date's status is only looked up for fills.
            started = sa.case(
                (fill, sa.case((sa.func.coalesce(before, "") != "filled", 1), else_=0)), else_=0
            )
        else:
            started = _int(0)
        selects.append(_row(e.c.status, length, started).select_from(PLACES.join(e, join_on)).where(wins))
    else:
        selects.append(_row(_status_before(known_at, as_of, inclusive=True), _int(1), _int(0)))
    if not starts_among_changes:
        f = EVENTS.alias("fill")
        join_on, wins, before = _winners_from(f, known_at, flow_start, as_of)
        selects.append(
            _row(sa.literal("filled", sa.String()), _int(0), _int(1))
            .select_from(PLACES.join(f, join_on))
            .where(f.c.status == "filled", wins, sa.func.coalesce(before, "") != "filled")
        )
    u = sa.union_all(*(_scoped(q, department_ids, type_ids) for q in selects)).subquery("by_place")
    return (
        sa.select(
            u.c.department_id,
            u.c.type_id,
            u.c.status,
            sa.func.sum(u.c.n).label("n"),
            sa.func.sum(u.c.n * u.c.fte).label("n_fte"),
            sa.func.sum(u.c.starts).label("starts"),
            sa.func.sum(u.c.starts * u.c.fte).label("starts_fte"),
        )
        .group_by(u.c.department_id, u.c.type_id, u.c.status)
        # HAVING, not WHERE: a WHERE on the status would make SQLite work it out twice per place.
        .having(u.c.status.is_not(None), _counts_something(u.c.n, u.c.starts))
    )


def _counts_something(n: Any, starts: Any) -> Any:
    """Keep only groups that count a place or a start (an interval of zero days in the period counts nothing)."""
    return sa.or_(sa.func.sum(n) > 0, sa.func.sum(starts) > 0)


def count_by_status_query(
    *,
    known_at: datetime,
    as_of: date,
    method: str,
    flow_start: date,
    average_from: date | None = None,
    department_ids: Sequence[int] | None = None,
    type_ids: Sequence[int] | None = None,
    anchored: bool = False,
) -> sa.Select:
    """Return the aggregate per (department_id, type_id, status): n, n_fte, starts, starts_fte.

    point: places in the status on as_of; average: place-days in the status from average_from to as_of
    (divide by the number of those days); starts: transitions into filled from flow_start to as_of.
    anchored: no intervals at all, index seeks per place and per event instead (_seek_counts_query;
    see anchor_for).
    """
    if anchored:
        return _seek_counts_query(
            known_at=known_at,
            as_of=as_of,
            method=method,
            flow_start=flow_start,
            average_from=average_from,
            department_ids=department_ids,
            type_ids=type_ids,
        )
    lower = min(average_from if method == "average" and average_from else as_of, flow_start)
    iv = status_intervals(
        known_at=known_at,
        until=as_of,
        department_ids=department_ids,
        type_ids=type_ids,
        anchored_from=lower if anchored else None,
    )
    fte = PLACES.c.fte
    if method == "average":
        assert average_from is not None
        after_end = as_of + timedelta(days=1)
        overlap_from = sa.case((iv.c.start < _day(average_from), _day(average_from)), else_=iv.c.start)
        overlap_to = sa.case(
            (iv.c.next_start.is_(None), _day(after_end)),
            (iv.c.next_start > _day(after_end), _day(after_end)),
            else_=iv.c.next_start,
        )
        overlaps = sa.or_(iv.c.next_start.is_(None), iv.c.next_start > _day(average_from))
        days = sa.case((overlaps, days_between(overlap_from, overlap_to)), else_=0)
        n = sa.func.sum(days)
        n_fte = sa.func.sum(days * fte)
    else:
        valid = _valid_on(iv, as_of)
        n = sa.func.sum(sa.case((valid, 1), else_=0))
        n_fte = sa.func.sum(sa.case((valid, fte), else_=0.0))
    started = _started(iv, known_at, flow_start, as_of)
    fill_in_period = sa.and_(iv.c.status == "filled", iv.c.start >= _day(flow_start))
    if method == "average":
        needed = sa.or_(iv.c.next_start.is_(None), iv.c.next_start > _day(lower))
    else:  # only what is valid on the date, and the fills that may be starts
        needed = sa.or_(_valid_on(iv, as_of), fill_in_period)
    return (
        sa.select(
            PLACES.c.department_id,
            PLACES.c.type_id,
            iv.c.status,
            n.label("n"),
            n_fte.label("n_fte"),
            sa.func.sum(started).label("starts"),
            sa.func.sum(started * fte).label("starts_fte"),
        )
        .select_from(iv.join(PLACES, PLACES.c.id == iv.c.place_id))
        .where(needed)
        .group_by(PLACES.c.department_id, PLACES.c.type_id, iv.c.status)
        .having(sa.or_(n > 0, sa.func.sum(started) > 0))
    )


def bare_count_query(*, known_at: datetime, as_of: date, anchored_from: date | None = None) -> sa.Select:
    """The plain aggregate (places per department, type and status on a date): the benchmarks' lower bound."""
    iv = status_intervals(known_at=known_at, until=as_of, anchored_from=anchored_from)
    return (
        sa.select(PLACES.c.department_id, PLACES.c.type_id, iv.c.status, sa.func.count().label("n"))
        .select_from(iv.join(PLACES, PLACES.c.id == iv.c.place_id))
        .where(sa.or_(iv.c.next_start.is_(None), iv.c.next_start > _day(as_of)))
        .group_by(PLACES.c.department_id, PLACES.c.type_id, iv.c.status)
    )


# --- scope, rules and targets --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    statuses: tuple[str, ...]
    weighting: str


C = TypeVar("C", Department, PlacementType)


def _pick_by_code(rows: Sequence[C], codes: Sequence[str] | None, *, what: str, field: str) -> list[C]:
    """The active rows if no codes are given, else the rows with those codes (DomainError for an unknown code)."""
    if codes is None:
        return [r for r in rows if r.active]
    by_code = {r.code: r for r in rows}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise DomainError(f"Ukendt {what}: {', '.join(unknown)}.", field=field)
    wanted = set(codes)
    return [r for r in rows if r.code in wanted]


def _departments(session: Session, codes: Sequence[str] | None) -> list[Department]:
    rows = session.exec(sa.select(Department).order_by(Department.sort, Department.code)).scalars().all()
    return _pick_by_code(rows, codes, what="forvaltning", field="department")


def _types(session: Session, codes: Sequence[str] | None) -> list[PlacementType]:
    rows = (
        session.exec(sa.select(PlacementType).order_by(PlacementType.sort, PlacementType.code))
        .scalars()
        .all()
    )
    return _pick_by_code(rows, codes, what="ordning", field="type")


def counting_rules(
    session: Session, *, year: int, types: Iterable[PlacementType], overrides: Sequence[RuleOverride] = ()
) -> dict[str, _Rule]:
    """Return the rule per type code for a year: adopted rule, else DESIGN's default; what-ifs win."""
    types = list(types)
    adopted = {
        r.type_id: r
        for r in session.exec(sa.select(CountingRule).where(CountingRule.year == year)).scalars().all()
    }
    by_code = {o.type_code: o for o in overrides}
    known = {t.code for t in types}
    for override in overrides:
        if override.type_code not in known:
            raise DomainError(f"Ukendt ordning i regel: {override.type_code}.", field="count")
        bad = [s for s in override.counted_statuses if s not in STATUSES]
        if bad:
            raise DomainError(
                f"Ukendt status i regel for {override.type_code}: {', '.join(bad)} "
                f"(brug {', '.join(STATUSES)}).",
                field="count",
            )
        if override.weighting is not None and override.weighting not in WEIGHTINGS:
            raise DomainError(f"Ukendt vægtning: {override.weighting}.", field="count")
    rules: dict[str, _Rule] = {}
    for t in types:
        rule = adopted.get(t.id)
        statuses = rule.statuses if rule else DEFAULT_RULES.get(t.code, ("filled",))
        weighting = rule.weighting if rule else "headcount"
        override = by_code.get(t.code)
        if override is not None:
            statuses = tuple(override.counted_statuses)
            weighting = override.weighting or weighting
        rules[t.code] = _Rule(tuple(statuses), weighting)
    return rules


def _targets(session: Session, year: int) -> dict[tuple[int, int], int]:
    rows = session.exec(
        sa.select(Target.department_id, Target.type_id, Target.value).where(Target.year == year)
    )
    return {(d, t): v for d, t, v in rows}


# --- reconciliation ------------------------------------------------------------------------------------


def _pct(counted: float, target: int | None) -> float | None:
    if not target:
        return None
    return round(counted / target * 100, 1)


def _clean(value: float) -> float:
    """Drop float noise from sums of fractions (figures are shown with at most a few decimals)."""
    return round(float(value), 9)


def reconcile(
    session: Session,
    *,
    as_of: date | None = None,
    period: Period | None = None,
    method: Literal["point", "average"] = "point",
    known_at: datetime,
    department_codes: Sequence[str] | None = None,
    type_codes: Sequence[str] | None = None,
    overrides: Sequence[RuleOverride] = (),
) -> Reconciliation:
    """Count places per department and type against the year's targets, as known at known_at."""
    if (as_of is None) == (period is None):
        raise DomainError("Angiv enten en dato eller en periode.", field="as_of")
    if method not in ("point", "average"):
        raise DomainError(f"Ukendt metode '{method}': brug point eller average.", field="method")
    if known_at.tzinfo is None:
        raise DomainError("Tidspunktet (known_at) skal have en tidszone.", field="known_at")
    if period is None:
        assert as_of is not None
        # An average over a single date is the count on that date.
        measure_on, year, flow_start = as_of, as_of.year, date(as_of.year, 1, 1)
        average_over = None
    else:
        measure_on, year, flow_start = period.end, period.year, period.start
        average_over = period
    departments = _departments(session, department_codes)
    types = _types(session, type_codes)
    rules = counting_rules(session, year=year, types=types, overrides=overrides)
    use_method = method if average_over is not None else "point"
    averaging_days = average_over.days if average_over is not None and use_method == "average" else 1
    query = count_by_status_query(
        known_at=known_at,
        as_of=measure_on,
        method=use_method,
        average_from=average_over.start if average_over is not None else None,
        flow_start=flow_start,
        department_ids=[d.id for d in departments] if department_codes is not None else None,
        type_ids=[t.id for t in types] if type_codes is not None else None,
        anchored=counts_by_seeks(session, use_method),
    )
    figures: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for dept_id, type_id, status, n, n_fte, starts, starts_fte in session.execute(query):
        cell = figures[(dept_id, type_id)]
        cell[status] += float(n or 0)
        cell[f"{status}:fte"] += float(n_fte or 0)
        cell["starts"] += float(starts or 0)
        cell["starts:fte"] += float(starts_fte or 0)
    targets = _targets(session, year)
    rows = []
    for dept in departments:
        for ptype in types:
            rule = rules[ptype.code]
            cell = figures.get((dept.id, ptype.id), {})
            suffix = ":fte" if rule.weighting == "fte" else ""
            by_status = {s: _clean(cell.get(s + suffix, 0.0) / averaging_days) for s in STATUSES}
            if ptype.measure == "flow":
                counted = _clean(cell.get("starts" + suffix, 0.0))
            else:
                counted = _clean(sum(by_status[s] for s in rule.statuses))
            target = targets.get((dept.id, ptype.id))
            pro_rata = None
            if ptype.measure == "flow" and target is not None and period is not None and period.half == 1:
                pro_rata = round(target * period.days / Period(year).days, 1)
            rows.append(
                ReconciliationRow(
                    department=dept.code,
                    type=ptype.code,
                    target=target,
                    counted=counted,
                    fulfilment_pct=_pct(counted, target),
                    gap=_clean(target - counted) if target is not None else None,
                    measure=ptype.measure,
                    target_pro_rata=pro_rata,
                    **by_status,
                )
            )
    return Reconciliation(
        as_of=measure_on,
        period=period.label if period else None,
        method=method,
        known_at=known_at,
        rows=tuple(rows),
        by_department={d.code: _total(r for r in rows if r.department == d.code) for d in departments},
        by_type={t.code: _total(r for r in rows if r.type == t.code) for t in types},
        municipality=_total(rows),
        rules={code: (rule.statuses, rule.weighting) for code, rule in rules.items()},
    )


def _total(rows: Iterable[ReconciliationRow]) -> Totals:
    """Sum rows; fulfilment and gap from the rows that have a target (see the module docstring)."""
    rows = list(rows)
    with_target = [r for r in rows if r.target is not None]
    target = sum(r.target for r in with_target) if with_target else None  # type: ignore[misc]
    counted_with_target = _clean(sum(r.counted for r in with_target))
    return Totals(
        target=target,
        open=_clean(sum(r.open for r in rows)),
        filled=_clean(sum(r.filled for r in rows)),
        paused=_clean(sum(r.paused for r in rows)),
        closed=_clean(sum(r.closed for r in rows)),
        counted=_clean(sum(r.counted for r in rows)),
        fulfilment_pct=_pct(counted_with_target, target),
        gap=_clean(target - counted_with_target) if target is not None else None,
    )


def _number(value: float | int | None) -> float | int | None:
    if value is None:
        return None
    if float(value).is_integer():
        return int(value)
    return round(float(value), 2)


def _numbers(item: ReconciliationRow | Totals) -> dict[str, Any]:
    return {key: _number(getattr(item, key)) for key in NUMERIC_KEYS}


def reconciliation_to_json(result: Reconciliation) -> dict:
    """Return the object `quota reconcile --format json` prints (DESIGN.md §6)."""
    return {
        "as_of": result.as_of.isoformat(),
        "period": result.period,
        "method": result.method,
        "known_at": result.known_at.isoformat().replace("+00:00", "Z"),
        "rows": [{"department": r.department, "type": r.type, **_numbers(r)} for r in result.rows],
        "totals": {
            "by_department": {code: _numbers(t) for code, t in result.by_department.items()},
            "by_type": {code: _numbers(t) for code, t in result.by_type.items()},
            "municipality": _numbers(result.municipality) if result.municipality else None,
        },
    }


# --- ageing, time to fill, trends ----------------------------------------------------------------------


def _scope_ids(
    session: Session, department_codes: Sequence[str] | None, type_codes: Sequence[str] | None
) -> tuple[list[Department], list[PlacementType], list[int] | None, list[int] | None]:
    departments = _departments(session, department_codes)
    types = _types(session, type_codes)
    return (
        departments,
        types,
        [d.id for d in departments] if department_codes is not None else None,
        [t.id for t in types] if type_codes is not None else None,
    )


def _open_spells_query(
    *, as_of: date, known_at: datetime, department_ids: list[int] | None, type_ids: list[int] | None
) -> sa.Select:
    """Return place id, spell_start and days_open of every place open on as_of."""
    sp = status_intervals(
        known_at=known_at, until=as_of, department_ids=department_ids, type_ids=type_ids, with_spells=True
    )
    days_open = days_between(sp.c.spell_start, _day(as_of))
    query = (
        sa.select(PLACES.c.id, sp.c.spell_start, days_open.label("days_open"))
        .select_from(sp.join(PLACES, PLACES.c.id == sp.c.place_id))
        .where(sp.c.status == "open", sp.c.next_start.is_(None))
    )
    return query


def open_places_longest(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    department_codes: Sequence[str] | None = None,
    type_codes: Sequence[str] | None = None,
    limit: int | None = 20,
) -> list[OpenPlaceAge]:
    """Return the places open on as_of, longest open spell first."""
    _, _, dept_ids, type_ids = _scope_ids(session, department_codes, type_codes)
    spells = _open_spells_query(as_of=as_of, known_at=known_at, department_ids=dept_ids, type_ids=type_ids)
    s = spells.subquery("open_spells")
    unit = sa.table("unit", sa.column("id"), sa.column("name"))
    query = (
        sa.select(
            PLACES.c.id,
            PLACES.c.reference,
            Department.__table__.c.code,
            unit.c.name,
            PlacementType.__table__.c.code,
            PLACES.c.title,
            s.c.spell_start,
            s.c.days_open,
        )
        .select_from(
            s.join(PLACES, PLACES.c.id == s.c.id)
            .join(Department.__table__, Department.__table__.c.id == PLACES.c.department_id)
            .join(PlacementType.__table__, PlacementType.__table__.c.id == PLACES.c.type_id)
            .outerjoin(unit, unit.c.id == PLACES.c.unit_id)
        )
        .order_by(s.c.days_open.desc(), PLACES.c.reference, PLACES.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        OpenPlaceAge(
            place_id=pid,
            reference=ref,
            department=dept,
            unit=unit_name,
            type=type_code,
            title=title,
            open_since=spell_start if isinstance(spell_start, date) else date.fromisoformat(spell_start),
            days_open=int(days),
        )
        for pid, ref, dept, unit_name, type_code, title, spell_start, days in session.execute(query)
    ]


def ageing_summary(
    session: Session, *, as_of: date, known_at: datetime, department_codes: Sequence[str] | None = None
) -> dict[tuple[str, str], AgeingBuckets]:
    """Return, per (department, type), the places open on as_of and how many for over 30/60/90 days."""
    departments, types, dept_ids, _ = _scope_ids(session, department_codes, None)
    spells = _open_spells_query(as_of=as_of, known_at=known_at, department_ids=dept_ids, type_ids=None)
    s = spells.subquery("open_spells")

    def over(days: int) -> Any:
        return sa.func.sum(sa.case((s.c.days_open > days, 1), else_=0))

    query = (
        sa.select(PLACES.c.department_id, PLACES.c.type_id, sa.func.count(), over(30), over(60), over(90))
        .select_from(s.join(PLACES, PLACES.c.id == s.c.id))
        .group_by(PLACES.c.department_id, PLACES.c.type_id)
    )
    found = {(d, t): (n, a, b, c) for d, t, n, a, b, c in session.execute(query)}
    result = {}
    for dept in departments:
        for ptype in types:
            n, a, b, c = found.get((dept.id, ptype.id), (0, 0, 0, 0))
            result[(dept.code, ptype.code)] = AgeingBuckets(int(n), int(a or 0), int(b or 0), int(c or 0))
    return result


def time_to_fill(
    session: Session, *, period: Period, known_at: datetime, department_codes: Sequence[str] | None = None
) -> list[TimeToFill]:
    """Return, per department and type, the days from open to filled of the fills dated in the period."""
    departments, types, dept_ids, _ = _scope_ids(session, department_codes, None)
    sp = status_intervals(known_at=known_at, until=period.end, department_ids=dept_ids, with_spells=True)
    # spell_start on a filled interval is the latest open spell before it: the one this fill ends.
    query = (
        sa.select(
            PLACES.c.department_id, PLACES.c.type_id, days_between(sp.c.spell_start, sp.c.start).label("days")
        )
        .select_from(sp.join(PLACES, PLACES.c.id == sp.c.place_id))
        .where(
            sp.c.status == "filled",
            sp.c.prev_status == "open",
            sp.c.start >= _day(period.start),
            sp.c.start <= _day(period.end),
        )
    )
    durations: dict[tuple[int, int], list[int]] = defaultdict(list)
    for dept_id, type_id, days in session.execute(query):
        durations[(dept_id, type_id)].append(int(days))
    result = []
    for dept in departments:
        for ptype in types:
            values = durations.get((dept.id, ptype.id), [])
            result.append(
                TimeToFill(
                    department=dept.code,
                    type=ptype.code,
                    fills=len(values),
                    median_days=float(statistics.median(values)) if values else None,
                    mean_days=round(statistics.fmean(values), 1) if values else None,
                )
            )
    return result


def _month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _month_ends(start: date, end: date) -> list[date]:
    points = []
    day = _month_end(start)
    while True:
        points.append(min(day, end))
        if day >= end:
            return points
        day = _month_end(day + timedelta(days=1))


def monthly_trend_query(
    *, known_at: datetime, points: Sequence[date], department_id: int, type_id: int, anchored: bool = False
) -> sa.Select:
    """Return the aggregate per (day, status) for every date of points (ascending) in one query.

    Columns: day, status, n, n_fte (places in the status on day), starts, starts_fte (transitions into
    filled from 1 January of day's year to day): what count_by_status_query gives for one date.
    """
    first_year = date(points[0].year, 1, 1)
    iv = status_intervals(
        known_at=known_at,
        until=points[-1],
        department_ids=[department_id],
        type_ids=[type_id],
        anchored_from=first_year if anchored else None,
    )
    # Whether an interval is a start is worked out once per interval, before the join with the dates.
    marked = (
        sa.select(
            iv.c.place_id,
            iv.c.status,
            iv.c.start,
            iv.c.next_start,
            _started(iv, known_at, first_year, points[-1]).label("is_start"),
        )
        .where(
            sa.or_(
                iv.c.next_start.is_(None),
                iv.c.next_start > _day(points[0]),
                sa.and_(iv.c.status == "filled", iv.c.start >= _day(first_year)),
            )
        )
        .cte("marked")
        .prefix_with("MATERIALIZED")
    )
    days = sa.union_all(
        *(sa.select(_day(p).label("day"), _day(date(p.year, 1, 1)).label("year_start")) for p in points)
    ).subquery("points")
    valid = sa.or_(marked.c.next_start.is_(None), marked.c.next_start > days.c.day)
    starts_here = sa.and_(marked.c.is_start == 1, marked.c.start >= days.c.year_start)
    valid_n = sa.case((valid, 1), else_=0)
    start_n = sa.case((starts_here, 1), else_=0)
    fte = PLACES.c.fte
    return (
        sa.select(
            days.c.day,
            marked.c.status,
            sa.func.sum(valid_n).label("n"),
            sa.func.sum(valid_n * fte).label("n_fte"),
            sa.func.sum(start_n).label("starts"),
            sa.func.sum(start_n * fte).label("starts_fte"),
        )
        .select_from(
            marked.join(days, sa.and_(marked.c.start <= days.c.day, sa.or_(valid, starts_here))).join(
                PLACES, PLACES.c.id == marked.c.place_id
            )
        )
        .group_by(days.c.day, marked.c.status)
    )


def monthly_trend(
    session: Session, *, department_code: str, type_code: str, start: date, end: date, known_at: datetime
) -> list[tuple[date, float, int | None]]:
    """Return (month end, counted, target) for every month from start's to end's (the last one on end).

    One query for all the dates; each figure equals reconcile(as_of=that date) for the department and type.
    """
    if end < start:
        raise DomainError("Slutdatoen ligger før startdatoen.", field="end")
    if known_at.tzinfo is None:
        raise DomainError("Tidspunktet (known_at) skal have en tidszone.", field="known_at")
    (dept,) = _departments(session, [department_code])
    (ptype,) = _types(session, [type_code])
    points = _month_ends(start, end)
    query = monthly_trend_query(
        known_at=known_at,
        points=points,
        department_id=dept.id,
        type_id=ptype.id,
        anchored=anchor_for(session, date(points[0].year, 1, 1)) is not None,
    )
    figures: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for day, status, n, n_fte, starts, starts_fte in session.execute(query):
        cell = figures[day if isinstance(day, date) else date.fromisoformat(day)]
        cell[status] += float(n or 0)
        cell[f"{status}:fte"] += float(n_fte or 0)
        cell["starts"] += float(starts or 0)
        cell["starts:fte"] += float(starts_fte or 0)
    rules = {
        year: counting_rules(session, year=year, types=[ptype])[ptype.code]
        for year in {p.year for p in points}
    }
    targets = {year: _targets(session, year).get((dept.id, ptype.id)) for year in rules}
    result = []
    for point in points:
        rule = rules[point.year]
        cell = figures.get(point, {})
        suffix = ":fte" if rule.weighting == "fte" else ""
        if ptype.measure == "flow":
            counted = _clean(cell.get("starts" + suffix, 0.0))
        else:
            by_status = {s: _clean(cell.get(s + suffix, 0.0)) for s in STATUSES}
            counted = _clean(sum(by_status[s] for s in rule.statuses))
        result.append((point, counted, targets[point.year]))
    return result


def places_behind(
    session: Session,
    *,
    as_of: date,
    known_at: datetime,
    department_code: str,
    type_code: str,
    status: str | None = None,
) -> list[int]:
    """Return the ids of the places behind a figure: in status on as_of, or those counted (status None)."""
    (dept,) = _departments(session, [department_code])
    (ptype,) = _types(session, [type_code])
    if status is not None and status not in STATUSES:
        raise DomainError(f"Ukendt status: {status}.", field="status")
    iv = status_intervals(
        known_at=known_at,
        until=as_of,
        department_ids=[dept.id],
        type_ids=[ptype.id],
        anchored_from=anchor_for(session, date(as_of.year, 1, 1)),
    )
    query = sa.select(iv.c.place_id).distinct().order_by(iv.c.place_id)
    if status is None and ptype.measure == "flow":
        query = query.where(_started(iv, known_at, date(as_of.year, 1, 1), as_of) == 1)
    else:
        rule = counting_rules(session, year=as_of.year, types=[ptype])[ptype.code]
        statuses = [status] if status is not None else list(rule.statuses)
        query = query.where(_valid_on(iv, as_of), iv.c.status.in_(statuses))
    return [int(pid) for (pid,) in session.execute(query)]
