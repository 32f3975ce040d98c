"""What a place's status history may be and what its texts may hold (docs/counting.md §1-2).

The status words, the transition rules, which event holds on a date, and the checks every write of a
place makes on its input (no database). The underscore helpers are shared by the places modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar

from .. import converters, cpr
from ..clock import local_date
from ..errors import DomainError
from ..models import STATUSES, PlacementType, User
from ..texts import N_, Joined, Text
from ..vocabulary import STATUS_NAMES, status_name
from ..vocabulary import type_name as _type_name

STATUS_DA = STATUS_NAMES  # the shared vocabulary (quota_app.vocabulary)
ALLOWED_NEXT: dict[str, tuple[str, ...]] = {
    "open": ("filled", "paused", "closed"),
    "filled": ("open", "closed"),
    "paused": ("open", "closed"),
    "closed": (),
}
FIRST_STATUSES = ("open", "filled")
FIELD_DA = {
    "title": N_("Titlen"),
    "note": N_("Bemærkningen"),
    "reason": N_("Begrundelsen"),
    "reference": N_("Referencen"),
    "unit": N_("Enheden"),
}
MAX_LENGTH = {"reference": 100, "title": 300, "note": 2000, "reason": 2000}

CONFLICT_MESSAGE = N_(
    "Pladsen er blevet ændret af en anden, siden du hentede den. Hent den igen og prøv på ny."
)


def status_da(status: str | None) -> str:
    """Return the word for a status code (Danish; a Text, so it is translated where it is shown)."""
    return status_name(status)


def type_name(placement_type: PlacementType) -> Text:
    """Return a placement type's name in each language it is stored in."""
    return _type_name(placement_type)


def _words(statuses: Sequence[str]) -> str:
    names = [status_da(s) for s in statuses]
    if len(names) == 1:
        return names[0]
    return N_("%(first)s eller %(last)s", first=Joined(names[:-1], ", "), last=names[-1])


def unknown_status(status: str) -> Text:
    return N_("Ukendt status '%(status)s': brug åben, besat, i bero eller nedlagt.", status=status)


def transition_problem(previous: str | None, status: str, day: date) -> Text | None:
    """Return why a place may not go from previous (None: it has no status yet) to status on day."""
    if status not in STATUSES:
        return unknown_status(status)
    if previous is None:
        if status in FIRST_STATUSES:
            return None
        return N_(
            "En plads skal begynde som åben eller besat, ikke som %(status)s (%(date)s).",
            status=status_da(status),
            date=day,
        )
    if previous == status:
        return N_(
            "Pladsen er allerede %(status)s (%(date)s): det er ikke en ændring.",
            status=status_da(status),
            date=day,
        )
    if previous == "closed":
        return N_(
            "En nedlagt plads kan ikke blive %(status)s (%(date)s): nedlagt er endeligt. "
            "En fejlagtig nedlæggelse rettes med en rettelse.",
            status=status_da(status),
            date=day,
        )
    if status not in ALLOWED_NEXT[previous]:
        return N_(
            "En plads kan ikke gå fra %(previous)s til %(status)s (%(date)s). "
            "En %(previous)s plads kan kun blive %(allowed)s.",
            previous=status_da(previous),
            status=status_da(status),
            date=day,
            allowed=_words(ALLOWED_NEXT[previous]),
        )
    return None


def allowed_next(status: str | None) -> tuple[str, ...]:
    """The statuses a place may get after status (None: a new place)."""
    return FIRST_STATUSES if status is None else ALLOWED_NEXT[status]


def allowed_on(history: Mapping[date, str], day: date) -> tuple[str, ...]:
    """The statuses that may hold on day instead of what the history says there, in a history that stays
    valid (the status before day allows it and the one after day follows from it)."""
    others = {d: s for d, s in history.items() if d != day}
    return tuple(s for s in STATUSES if history_problem(sorted({**others, day: s}.items())) is None)


def history_problem(history: Sequence[tuple[date, str]], *, changed: date | None = None) -> Text | None:
    """Return the first refused transition in a date-ordered history, worded around the changed date."""
    previous: str | None = None
    previous_day: date | None = None
    for day, status in history:
        problem = transition_problem(previous, status, day)
        if problem:
            if changed is not None and previous_day == changed and day != changed:
                return N_(
                    "Det passer ikke med den senere registrering %(date)s: %(problem)s",
                    date=day,
                    problem=problem,
                )
            return problem
        previous, previous_day = status, day
    return None


def check_personal_data(text: str, *, field: str) -> None:
    """Refuse text that contains something shaped like a CPR number (see quota_app.cpr)."""
    cpr.check(text, field=field, label=FIELD_DA.get(field, field.capitalize()))


def check_not_future(day: date, *, now: datetime) -> None:
    if day > local_date(now):
        raise DomainError(
            N_("Datoen %(date)s ligger i fremtiden. Registrér ændringen, når den er sket.", date=day),
            field="effective_date",
        )


def _check_text(value: str, field: str, *, required: bool = False) -> str:
    """Stripped, bounded text without control characters or CPR numbers (quota_app.converters)."""
    return converters.clean_text(
        value,
        field=field,
        label=FIELD_DA.get(field, field),
        max_length=MAX_LENGTH.get(field),
        required=required,
        multiline=field in ("note", "reason"),
        cpr_guard=True,
    )


def too_long(label: str, limit: int) -> Text:
    return N_("%(field)s må højst være %(max)d tegn.", field=label, max=limit)


def _actor_id(actor: User | str) -> int | None:
    return actor.id if isinstance(actor, User) else None


class _Dated(Protocol):
    @property
    def effective_date(self) -> date: ...


E = TypeVar("E", bound=_Dated)


def effective_by_date(events: Sequence[E]) -> dict[date, E]:
    """The event that holds on each date: the latest recorded one (events given in recorded order)."""
    result: dict[date, E] = {}
    for event in events:
        result[event.effective_date] = event
    return dict(sorted(result.items()))


def before_first(day: date, first: date) -> Text:
    return N_("Datoen %(date)s ligger før pladsens første registrering (%(first)s).", date=day, first=first)
