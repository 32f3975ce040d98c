"""Demo data: reference data, three years of targets, units, users and places with realistic histories."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from .. import reconcile  # noqa: F401  (writes events: keeps their intervals in step)
from ..audit import services as audit
from ..auth import services as auth
from ..clock import local_date
from ..models import (
    Department,
    DepartmentHeadcount,
    MunicipalityTarget,
    Place,
    PlaceEvent,
    Target,
    TargetRevision,
    Unit,
    User,
)
from ..reference import ensure_default_rules, ensure_departments, ensure_placement_types, read_fixture
from ..settings import local_zone
from ..targets.municipal_targets import largest_remainder

# Approximate staff per department (order of magnitude of Copenhagen's public figures).
HEADCOUNT = {"ØKF": 2100, "KFF": 1900, "BUF": 17500, "SUF": 10200, "SOF": 7400, "TMF": 2300, "BIF": 1900}

# 2014 municipality-wide targets (kk-2014-targets.csv) plus the two types the table does not cover.
TARGETS_2014_EXTRA = {"internship": 900, "utility_job": 150}

UNITS = {
    "ØKF": ["Koncernservice", "Koncern HR", "Københavns Ejendomme"],
    "KFF": ["Københavns Biblioteker", "Idrætsanlæg", "Kulturhuse"],
    "BUF": ["Dagtilbud Amager", "Skoler Nørrebro", "Ungdomsskolen"],
    "SUF": ["Plejecenter Østerbro", "Hjemmeplejen Vesterbro", "Sundhedshuset Valby"],
    "SOF": ["Borgercenter Voksne", "Center for Hjemløse", "Borgercenter Børn og Unge"],
    "TMF": ["Byens Drift", "Center for Renhold", "Parker og Kirkegårde"],
    "BIF": ["Jobcenter København", "Ungecenteret", "Center for Integration"],
}

TITLES = {
    "internship": [
        "Praktik i administration",
        "Praktik i køkken",
        "Praktik som pedelmedhjælper",
        "Praktik i lager",
    ],
    "utility_job": ["Nytteindsats i park", "Nytteindsats ved genbrugsstation", "Nytteindsats i kantine"],
    "flex_job": ["Fleksjob som kontorassistent", "Fleksjob i rengøring", "Fleksjob som pædagogmedhjælper"],
    "senior_job": ["Seniorjob som servicemedarbejder", "Seniorjob i bibliotek", "Seniorjob i vejdrift"],
    "job_rotation": ["Jobrotation: vikar for sosu-assistent", "Jobrotation: vikar i børnehave"],
    "wage_subsidy": ["Løntilskud som sagsbehandler", "Løntilskud i IT-support", "Løntilskud i økonomi"],
}

DEMO_USERS = (
    ("admin@demo.kk.dk", "Demo Administrator", "admin", None),
    ("bif@demo.kk.dk", "Demo BIF-konsulent", "bif", None),
    ("hr.sof@demo.kk.dk", "Demo HR Socialforvaltningen", "hr", "SOF"),
    ("hr.okf@demo.kk.dk", "Demo HR Økonomiforvaltningen", "hr", "ØKF"),
)

# Next status and the days until it, for the lifecycle of docs/counting.md §2.
NEXT = {
    "open": ((("filled", 0.72), ("paused", 0.14), ("closed", 0.14)), (5, 140)),
    "filled": ((("open", 0.6), ("closed", 0.4)), (60, 420)),
    "paused": ((("open", 0.7), ("closed", 0.3)), (10, 100)),
}


@dataclass
class DemoResult:
    passwords: dict[str, str] = field(default_factory=dict)
    places: int = 0
    events: int = 0
    reset: bool = False


def load_demo(session: Session, *, seed: int, places: int, now: datetime) -> DemoResult:
    """Load demo data (idempotent for reference data and users; places only into an empty database)."""
    rng = random.Random(seed)
    today = local_date(now)
    years = [today.year - 2, today.year - 1, today.year]
    departments = ensure_departments(session)
    types = ensure_placement_types(session)
    for year in years:
        ensure_default_rules(session, year)
    _fill_mayors(departments)
    _ensure_headcounts(session, departments, years)
    _ensure_municipality_targets(session, types)
    _ensure_targets(session, departments, types, years, now=now, scale=max(places, 0))
    units = _ensure_units(session, departments)
    result = DemoResult()
    result.passwords, result.reset = _ensure_users(session, now=now)
    already = session.exec(select(Place.id).limit(1)).first() is not None
    if places > 0 and not already:
        result.places, result.events = _generate_places(
            session, rng, departments, types, units, count=places, today=today, now=now
        )
    audit.record(
        session,
        actor="cli",
        action="demo.load",
        entity_type="demo",
        after={"seed": seed, "places": places},
        at=now,
    )
    return result


def _fill_mayors(departments: dict[str, Department]) -> None:
    for code, department in departments.items():
        slug = code.lower().replace("ø", "oe").replace("æ", "ae").replace("å", "aa")
        department.mayor_name = department.mayor_name or f"{department.mayor_title} (demo)"
        department.mayor_email = department.mayor_email or f"borgmester.{slug}@demo.kk.dk"
        department.hr_emails = department.hr_emails or f"hr.{slug}@demo.kk.dk"


def _ensure_headcounts(session: Session, departments: dict[str, Department], years: list[int]) -> None:
    have = {(h.year, h.department_id) for h in session.exec(select(DepartmentHeadcount)).all()}
    for year in years:
        for code, department in departments.items():
            if (year, department.id) not in have:
                session.add(
                    DepartmentHeadcount(
                        year=year, department_id=department.id, employees=HEADCOUNT.get(code, 1000)
                    )
                )
    session.flush()


def _targets_2014() -> dict[str, int]:
    figures = {row["type"]: int(row["target"]) for row in read_fixture("kk-2014-targets.csv")}
    return {**TARGETS_2014_EXTRA, **figures}


def _ensure_municipality_targets(session: Session, types: dict[str, Any]) -> None:
    if session.exec(select(MunicipalityTarget).where(MunicipalityTarget.year == 2014)).first():
        return
    for row in read_fixture("kk-2014-targets.csv"):
        session.add(
            MunicipalityTarget(
                year=2014,
                type_id=types[row["type"]].id,
                value=int(row["target"]),
                result=int(row["result"]),
                decided_on=date(2014, 1, 1),
                reference="Økonomiudvalget 24.03.2015, punkt 7",
            )
        )
    session.flush()


def _ensure_targets(
    session: Session,
    departments: dict[str, Any],
    types: dict[str, Any],
    years: list[int],
    *,
    now: datetime,
    scale: int,
) -> None:
    """Targets in proportion to 2014, scaled to the demo's size and split by headcount."""
    base = _targets_2014()
    base_total = sum(base.values())
    # Aim a little above what the demo's places can fill, so some departments fall short.
    factor = (scale * 0.75 / base_total) if scale else 1.0
    for offset, year in enumerate(years):
        if session.exec(select(Target).where(Target.year == year)).first():
            continue
        growth = 1 + 0.05 * offset
        for code, figure in base.items():
            total = max(1, round(figure * factor * growth))
            parts = largest_remainder(total, {c: HEADCOUNT.get(c, 1000) for c in departments})
            for dept_code, value in parts.items():
                target = Target(
                    year=year,
                    department_id=departments[dept_code].id,
                    type_id=types[code].id,
                    value=value,
                    decided_on=date(year - 1, 12, 10),
                    reference=f"BR {year - 1}-12-10, budgetaftale {year}",
                    updated_at=now,
                )
                session.add(target)
                session.flush()
                session.add(
                    TargetRevision(
                        target_id=target.id,
                        value=value,
                        decided_on=target.decided_on,
                        reference=target.reference,
                        recorded_at=now,
                    )
                )
    session.flush()


def _ensure_units(session: Session, departments: dict[str, Department]) -> dict[str, list[Unit]]:
    existing: dict[int, dict[str, Unit]] = {}
    for unit in session.exec(select(Unit)).all():
        existing.setdefault(unit.department_id, {})[unit.name] = unit
    result: dict[str, list[Unit]] = {}
    for code, department in departments.items():
        have = existing.get(department.id, {})
        for name in UNITS.get(code, ["Hovedkontor"]):
            if name not in have:
                have[name] = Unit(department_id=department.id, name=name)
                session.add(have[name])
        result[code] = list(have.values())
    session.flush()
    return result


def _ensure_users(session: Session, *, now: datetime) -> tuple[dict[str, str], bool]:
    """Create the demo users, or give existing ones new passwords; return the passwords to print once."""
    passwords: dict[str, str] = {}
    reset = False
    for email, name, role, department_code in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            auth.create_user(
                session,
                email=email,
                role=role,
                password=password,
                name=name,
                department_code=department_code,
                actor="cli",
                now=now,
            )
        else:
            auth.set_password(
                session, user=user, password=password, actor="cli", now=now, action="user.reset_password"
            )
            reset = True
        passwords[email] = password
    session.flush()
    return passwords, reset


def _recorded(rng: random.Random, effective: date, now: datetime) -> datetime:
    """When HR registered a change: usually within days, sometimes weeks late."""
    lag = rng.choice((0, 0, 1, 1, 2, 3, 5, 8, 14, 30))
    local = datetime.combine(
        effective + timedelta(days=lag), time(8 + rng.randrange(9), rng.randrange(60)), local_zone()
    )
    return min(local.astimezone(UTC), now)


def generate_history(rng: random.Random, *, start: date, today: date) -> list[tuple[str, date]]:
    """Return a valid status history (status, effective date) from start up to today."""
    status = "open" if rng.random() < 0.8 else "filled"
    history = [(status, start)]
    day = start
    while status != "closed":
        choices, (low, high) = NEXT[status]
        day = day + timedelta(days=rng.randint(low, high))
        if day > today:
            break
        roll, acc = rng.random(), 0.0
        for candidate, weight in choices:
            acc += weight
            if roll <= acc:
                status = candidate
                break
        history.append((status, day))
    return history


def _generate_places(
    session: Session,
    rng: random.Random,
    departments: dict[str, Any],
    types: dict[str, Any],
    units: dict[str, Any],
    *,
    count: int,
    today: date,
    now: datetime,
) -> tuple[int, int]:
    weights = _targets_2014()
    type_parts = largest_remainder(count, {k: float(v) for k, v in weights.items()})
    start_span = (today - date(today.year - 2, 1, 1)).days
    events = 0
    demo_user = session.exec(select(User).where(User.email == "hr.sof@demo.kk.dk")).first()
    serial = 0
    for type_code, n in sorted(type_parts.items()):
        dept_parts = largest_remainder(n, {c: HEADCOUNT.get(c, 1000) ** 0.6 for c in departments})
        for dept_code, m in sorted(dept_parts.items()):
            department = departments[dept_code]
            for _ in range(m):
                serial += 1
                start = today - timedelta(days=rng.randrange(start_span))
                history = generate_history(rng, start=start, today=today)
                unit = rng.choice(units[dept_code])
                place = Place(
                    department_id=department.id,
                    unit_id=unit.id,
                    type_id=types[type_code].id,
                    reference=f"{dept_code}-{serial:05d}",
                    title=rng.choice(TITLES[type_code]),
                    fte=1.0 if type_code != "flex_job" else rng.choice((0.5, 0.6, 0.8, 1.0)),
                    current_status=history[-1][0],
                    current_since=history[-1][1],
                    created_at=_recorded(rng, start, now),
                )
                session.add(place)
                session.flush()
                events += _add_events(
                    session, rng, place, history, now=now, user_id=demo_user.id if demo_user else None
                )
    session.flush()
    return serial, events


def _add_events(
    session: Session,
    rng: random.Random,
    place: Place,
    history: list[tuple[str, date]],
    *,
    now: datetime,
    user_id: int | None,
) -> int:
    added = 0
    previous = None
    for status, effective in history:
        recorded = _recorded(rng, effective, now)
        event = PlaceEvent(
            place_id=place.id,
            status=status,
            effective_date=effective,
            recorded_at=recorded,
            recorded_by_id=user_id,
            source="demo",
        )
        session.add(event)
        added += 1
        # A back-dated correction now and then: a pause registered as a fill, or the reverse (both
        # lead on to the same next statuses, so the rest of the history stays valid).
        if previous == "open" and status in ("filled", "paused") and rng.random() < 0.06:
            session.flush()
            corrected = "paused" if status == "filled" else "filled"
            fixed_at = min(recorded + timedelta(days=rng.randint(1, 20)), now)
            session.add(
                PlaceEvent(
                    place_id=place.id,
                    status=corrected,
                    effective_date=effective,
                    recorded_at=fixed_at,
                    recorded_by_id=user_id,
                    note="Rettelse: forkert status registreret",
                    corrects_event_id=event.id,
                    source="demo",
                )
            )
            added += 1
            if effective == history[-1][1]:
                place.current_status = corrected
            history_status = corrected
        else:
            history_status = status
        previous = history_status
    return added
