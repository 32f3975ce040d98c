"""The ceiling check every status change makes (places.status_events, registration, corrections; the
place import): a change that would make the filled places of covered types at a workplace exceed its
ceiling on any day from the change's first day on, as far as the history is known (up to today), is
refused, unless an exemption covers that day.

A change is a Proposal: the place's whole status history after it. The others' filled places come from
the status intervals as known now (one indexed query by the places' unit), the headcount and exemptions
from their small tables; a place at a unit without a known headcount is allowed (the compliance view
flags it). Days are checked where something changes (an interval, a headcount, an exemption, a year).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..clock import local_date
from ..errors import DomainError
from ..models import OPEN_END, Place, PlaceInterval, Unit
from ..reconcile.queries import day_number
from ..texts import N_, Text
from .exemptions import Exemption, covering, exemptions
from .headcounts import Timeline, headcount_on, timelines
from .rules import RuleBook

_INTERVAL = PlaceInterval.__table__
_PLACE = Place.__table__


@dataclass(frozen=True)
class Proposal:
    """A place's status history as a change would make it."""

    key: Hashable  # what a refusal is reported against (a place id, an import's place)
    unit_id: int | None
    type_id: int
    place_id: int | None  # None: a place not yet saved
    reference: str
    history: Mapping[date, str]
    changed_from: date  # the first day the change touches


@dataclass(frozen=True)
class _Span:
    start: date
    end: date  # not included; OPEN_END: still filled
    type_id: int
    reference: str
    proposal: Proposal | None


def filled_spans(history: Mapping[date, str]) -> list[tuple[date, date]]:
    """The spans [start, end) in which a status history has the place filled."""
    days = sorted(history)
    spans: list[tuple[date, date]] = []
    for position, day in enumerate(days):
        if history[day] != "filled":
            continue
        end = days[position + 1] if position + 1 < len(days) else OPEN_END
        if spans and spans[-1][1] == day:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((day, end))
    return spans


def refusal_message(
    unit: Unit, *, employees: int, day: date, ceiling: int, references: Iterable[str]
) -> Text:
    workplace = (
        N_("%(unit)s (P-nummer %(p_number)s)", unit=unit.name, p_number=unit.p_number)
        if unit.p_number
        else N_("%(unit)s (uden P-nummer)", unit=unit.name)
    )
    return N_(
        "Rimelighedskravet: arbejdsstedet %(workplace)s har %(employees)d ordinære ansatte %(date)s og må "
        "højst have %(ceiling)d besatte pladser i de ordninger, kravet gælder; de ville være besat af "
        "%(places)s. Ændringen er ikke gemt.",
        workplace=workplace,
        employees=employees,
        date=day,
        ceiling=ceiling,
        places=", ".join(sorted(references)),
    )


def check_proposals(
    session: Session, proposals: Iterable[Proposal], *, now: datetime
) -> dict[Hashable, Text]:
    """The proposals the ceiling refuses, each with its message (empty: every one is allowed)."""
    candidates = [
        p
        for p in proposals
        if p.unit_id is not None and any(end > p.changed_from for _, end in filled_spans(p.history))
    ]
    if not candidates:
        return {}
    book = RuleBook(session)
    candidates = [p for p in candidates if p.type_id in book.ever_covered_from(p.changed_from.year)]
    located = {p.unit_id for p in candidates if p.unit_id is not None}  # all of them
    known = timelines(session, unit_ids=located, known_at=now)
    candidates = [p for p in candidates if p.unit_id in known]
    if not candidates:
        return {}
    unit_ids = sorted({p.unit_id for p in candidates if p.unit_id is not None})
    start = min(p.changed_from for p in candidates)
    spans: dict[int, list[_Span]] = {u: [] for u in unit_ids}
    for p in candidates:
        assert p.unit_id is not None  # candidates have a unit
        spans[p.unit_id].extend(
            _Span(s, e, p.type_id, p.reference, p) for s, e in filled_spans(p.history) if e > start
        )
    changed_places = [p.place_id for p in candidates if p.place_id is not None]
    others = (
        sa.select(
            _INTERVAL.c.unit_id,  # the unit each place had on the interval's dates (places move)
            _INTERVAL.c.type_id,
            _INTERVAL.c.valid_from,
            _INTERVAL.c.valid_to,
            _PLACE.c.reference,
        )
        .select_from(_INTERVAL.join(_PLACE, _PLACE.c.id == _INTERVAL.c.place_id))
        .where(
            _INTERVAL.c.unit_id.in_(unit_ids),
            _INTERVAL.c.status == "filled",
            _INTERVAL.c.valid_to > day_number(start),
        )
    )
    if changed_places:
        others = others.where(_INTERVAL.c.place_id.not_in(changed_places))
    for unit_id, type_id, valid_from, valid_to, reference in session.execute(others):
        spans[unit_id].append(_Span(valid_from, valid_to, type_id, reference, None))
    exempt = exemptions(session, unit_ids=unit_ids, known_at=now, ending_from=start)
    units = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))).all()}
    refused: dict[Hashable, Text] = {}
    today = local_date(now)
    for unit_id in unit_ids:
        unit_start = min(p.changed_from for p in candidates if p.unit_id == unit_id)
        timeline, unit_exempt = known[unit_id], exempt.get(unit_id, [])
        for day in _days(unit_start, today, spans[unit_id], timeline, unit_exempt):
            employees = headcount_on(timeline, day)
            if employees is None or covering(unit_exempt, day) is not None:
                continue
            rule, covered = book.rule(day.year), book.covered_ids(day.year)
            filled = [s for s in spans[unit_id] if s.start <= day < s.end and s.type_id in covered]
            limit = rule.ceiling(employees)
            if len(filled) <= limit:
                continue
            for span in filled:
                proposal = span.proposal
                if proposal is not None and day >= proposal.changed_from and proposal.key not in refused:
                    refused[proposal.key] = refusal_message(
                        units[unit_id],
                        employees=employees,
                        day=day,
                        ceiling=limit,
                        references=(s.reference for s in filled),
                    )
    return refused


def _days(
    start: date, last: date, spans: list[_Span], timeline: Timeline, unit_exempt: list[Exemption]
) -> list[date]:
    """Every day from start to last where the count, the headcount, an exemption or the year changes."""
    days = {start}
    for span in spans:
        days.update((span.start, span.end))
    days.update(day for day, _ in timeline)
    for exemption in unit_exempt:
        days.add(exemption.valid_from)
        if exemption.valid_to < last:
            days.add(exemption.valid_to + timedelta(days=1))
    days.update(date(year, 1, 1) for year in range(start.year + 1, last.year + 1))
    return sorted(d for d in days if start <= d <= last)


def check_place(
    session: Session, place: Place, history: Mapping[date, str], *, changed_from: date, now: datetime
) -> None:
    """Refuse (DomainError on the status) a change of one place the ceiling does not allow."""
    if place.unit_id is None:
        return
    proposal = Proposal(
        key=place.id,
        unit_id=place.unit_id,
        type_id=place.type_id,
        place_id=place.id,
        reference=place.reference,
        history=history,
        changed_from=changed_from,
    )
    refused = check_proposals(session, [proposal], now=now)
    if refused:
        raise DomainError(refused[place.id], field="status")
