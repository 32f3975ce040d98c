"""The scheduler's timetable in words ("15. februar og 15. august kl. 08.00"), never as cron or job names.

A cron expression is described when it is a common kind (given times on given dates, weekdays, days of
the month or every day); anything else is None, and the next run time says when instead. Month and day
names, lists and times come from Babel's CLDR data in each language, and the words around them are
translatable texts (`N_`), so the result is a Text shown in the reader's language. No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from babel.dates import format_date, format_skeleton, get_day_names, get_month_names
from babel.lists import format_list
from croniter import croniter

from ..settings import REMINDER_CRON, Settings
from ..texts import N_, ByLanguage, Text

LANGUAGES = ("da", "en")
MAX_TIMES = 4  # more run times a day than this are not listed
MAX_DATES = 12


@dataclass(frozen=True)
class Schedule:
    what: Text
    when: Text | None  # None: not describable in words (next_run says when)
    next_at: datetime  # aware, in the settings' time zone

    @property
    def next_run(self) -> Text:
        return moment(self.next_at)


def _each_language(make: Callable[[str], str]) -> ByLanguage:
    return ByLanguage(**{language: make(language) for language in LANGUAGES})


def _listed(items: Callable[[str], list[str]]) -> ByLanguage:
    return _each_language(lambda language: format_list(items(language), locale=language))


def _times(minutes: list[Any], hours: list[Any]) -> ByLanguage | None:
    if "*" in minutes or "*" in hours or len(minutes) * len(hours) > MAX_TIMES:
        return None
    moments = [time(hour, minute) for hour in hours for minute in minutes]
    return _listed(lambda language: [format_skeleton("Hm", moment, locale=language) for moment in moments])


def _weekdays(days: list[int]) -> Text:
    """Cron's days of the week (0 = Sunday) as "mandag til fredag" or "mandag og torsdag"."""
    monday_first = sorted((day + 6) % 7 for day in set(days))  # Babel: 0 = Monday

    def name(language: str, day: int) -> str:
        return str(get_day_names("wide", locale=language)[day])

    consecutive = monday_first == list(range(monday_first[0], monday_first[-1] + 1))
    if consecutive and len(monday_first) >= 3:
        first, last = monday_first[0], monday_first[-1]
        return N_(
            "%(first)s til %(last)s",
            first=_each_language(lambda language: name(language, first)),
            last=_each_language(lambda language: name(language, last)),
        )
    return _listed(lambda language: [name(language, day) for day in monday_first])


def _dates(days: list[int], months: list[int]) -> ByLanguage | None:
    """Given days of given months as "15. februar og 15. august" (2000 is a leap year: 29 February)."""
    found = []
    for month in months:
        for day in days:
            try:
                found.append(date(2000, month, day))
            except ValueError:
                continue
    if not found or len(found) > MAX_DATES:
        return None
    return _listed(lambda language: [format_skeleton("MMMMd", day, locale=language) for day in found])


def describe(expression: str) -> Text | None:
    """A five-field cron expression in words, or None when it is not one of the kinds described."""
    try:
        fields: list[list[Any]] = croniter(expression).expanded  # numbers, or ["*"] (the stubs say str)
        minutes, hours, days, months, weekdays = fields
    except (ValueError, KeyError):
        return None
    if any(not isinstance(value, int) for value in [*days, *months, *weekdays] if value != "*"):
        return None  # L (last day), W (weekday nearest), # (nth weekday): not described
    times = _times(minutes, hours)
    if times is None:
        return None
    any_day, any_month, any_weekday = days == ["*"], months == ["*"], weekdays == ["*"]
    if any_day and any_month and any_weekday:
        return N_("hver dag kl. %(times)s", times=times)
    if any_day and any_month:
        return N_("%(days)s kl. %(times)s", days=_weekdays(weekdays), times=times)
    if not any_weekday:
        return None  # days of the month and of the week together: cron runs on either, hard to say well
    if any_day:
        months_named = _listed(lambda language: [get_month_names("wide", locale=language)[m] for m in months])
        return N_("hver dag i %(months)s kl. %(times)s", months=months_named, times=times)
    if any_month:
        numbered = ByLanguage(
            da=format_list([f"{day}." for day in days], locale="da"),
            en=format_list([str(day) for day in days], locale="en"),
        )
        return N_("den %(days)s i hver måned kl. %(times)s", days=numbered, times=times)
    dates = _dates(days, months)
    return None if dates is None else N_("%(days)s kl. %(times)s", days=dates, times=times)


def moment(at: datetime) -> Text:
    """A local time in words: "15. februar 2026 kl. 08.00" (at must already be in the wanted zone)."""
    return N_(
        "%(date)s kl. %(time)s",
        date=_each_language(lambda language: format_date(at.date(), "long", locale=language)),
        time=_each_language(lambda language: format_skeleton("Hm", at.time(), locale=language)),
    )


def next_run(expression: str, *, now: datetime, settings: Settings) -> datetime:
    """The first run after now, in the settings' time zone (cron times are local times there)."""
    return croniter(expression, now.astimezone(settings.zone)).get_next(datetime)


def schedules(settings: Settings, *, now: datetime) -> list[Schedule]:
    """What the scheduler sends, and when, from the settings."""

    def entry(what: Text, expression: str, when: Callable[[Text], Text] | None = None) -> Schedule:
        words = describe(expression)
        return Schedule(
            what=what,
            when=when(words) if words is not None and when is not None else words,
            next_at=next_run(expression, now=now, settings=settings),
        )

    days = settings.reminder_days_before
    return [
        entry(
            N_("Halvårsrapporterne til borgmestrene, BIF og udvalgene, for det halvår, der lige er slut"),
            settings.dispatch_cron,
        ),
        entry(
            N_("Påmindelser til forvaltningernes HR-kontakter om åbne pladser"),
            REMINDER_CRON,
            lambda words: N_("%(when)s, fra %(days)d dage før et halvår slutter", when=words, days=days),
        ),
        entry(N_("Nye åbne pladser til rekrutteringen"), settings.alert_cron),
        entry(
            N_("Tidlig varsling til BIF og HR: linjer der ender under 90 %, pladser registreret sent"),
            settings.warning_cron,
        ),
    ]
