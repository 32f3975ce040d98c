import itertools
import re
from datetime import date

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from quota_app import create_app
from quota_app.db import Database, make_engine
from quota_app.demo.services import generate_history, largest_remainder, load_demo
from quota_app.models import Department, Place, PlaceEvent, PlacementType, Target, User
from quota_app.settings import Settings

ALLOWED = {
    "open": {"filled", "paused", "closed"},
    "filled": {"open", "closed"},
    "paused": {"open", "closed"},
    "closed": set(),
}


def _history_signature(session):
    rows = session.exec(
        select(Place.reference, PlaceEvent.status, PlaceEvent.effective_date, PlaceEvent.recorded_at)
        .join(Place, Place.id == PlaceEvent.place_id)
        .order_by(Place.reference, PlaceEvent.effective_date, PlaceEvent.recorded_at)
    ).all()
    return [tuple(r) for r in rows]


def _fresh_session(tmp_path, name):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    SQLModel.metadata.create_all(engine)
    return Database(str(engine.url)).session()


def test_demo_is_deterministic_for_a_seed_and_histories_are_valid(tmp_path, clock):
    signatures = []
    for name, seed in [("a.db", 7), ("b.db", 7), ("c.db", 8)]:
        with _fresh_session(tmp_path, name) as session:
            result = load_demo(session, seed=seed, places=120, now=clock.now())
            session.commit()
            assert result.places == 120
            signatures.append(_history_signature(session))
            if name == "a.db":
                _assert_valid_histories(session, clock)
                _assert_reference_data(session)
    assert signatures[0] == signatures[1]
    assert signatures[0] != signatures[2]


def _assert_valid_histories(session, clock):
    by_place: dict[int, dict[date, PlaceEvent]] = {}
    for event in session.exec(select(PlaceEvent).order_by(PlaceEvent.recorded_at)).all():
        by_place.setdefault(event.place_id, {})[event.effective_date] = (
            event  # the latest record per date wins
        )
    corrections = 0
    for place_id, events in by_place.items():
        statuses = [events[d].status for d in sorted(events)]
        assert statuses[0] in ("open", "filled"), place_id
        for before, after in itertools.pairwise(statuses):
            assert after in ALLOWED[before], (place_id, statuses)
        place = session.get(Place, place_id)
        assert place.current_status == statuses[-1]
    corrections = session.exec(select(sa.func.count()).where(PlaceEvent.corrects_event_id.is_not(None))).one()
    assert corrections > 0, "the demo should include back-dated corrections"
    latest = session.exec(select(sa.func.max(PlaceEvent.recorded_at))).one()
    assert latest <= clock.now()


def _assert_reference_data(session):
    assert session.exec(select(sa.func.count()).select_from(Department)).one() == 7
    assert session.exec(select(sa.func.count()).select_from(PlacementType)).one() == 6
    years = session.exec(select(Target.year).distinct().order_by(Target.year)).all()
    assert years == [2023, 2024, 2025]
    roles = sorted(session.exec(select(User.role)).all())
    assert roles == ["admin", "bif", "hr", "hr"]


def test_demo_with_no_places_loads_reference_data_targets_and_users(tmp_path, clock):
    with _fresh_session(tmp_path, "d.db") as session:
        result = load_demo(session, seed=1, places=0, now=clock.now())
        assert result.places == 0 and len(result.passwords) == 4
        assert session.exec(select(sa.func.count()).select_from(Place)).one() == 0
        assert session.exec(select(sa.func.count()).select_from(Target)).one() > 0


def test_generated_histories_never_reach_past_today():
    import random

    rng = random.Random(3)
    for _ in range(200):
        history = generate_history(rng, start=date(2024, 1, 1), today=date(2025, 6, 30))
        assert all(day <= date(2025, 6, 30) for _, day in history)


def test_largest_remainder_adds_up_exactly():
    parts = largest_remainder(653, {"A": 17500, "B": 10200, "C": 7400, "D": 2100})
    assert sum(parts.values()) == 653
    assert parts["A"] > parts["B"] > parts["C"] > parts["D"]


def _cli_app(tmp_path, clock):
    settings = Settings(env="test", instance_path=tmp_path, secret_key="x", base_url="http://127.0.0.1:5000")
    return create_app(settings, database=Database(f"sqlite:///{tmp_path / 'cli.db'}"), clock=clock)


def test_cli_upgrade_demo_and_users(tmp_path, clock):
    app = _cli_app(tmp_path, clock)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["demo", "--seed", "3", "--places", "20"])
    assert result.exit_code == 0, result.output
    passwords = dict(re.findall(r"^\s+(\S+@demo\.kk\.dk)\s+(\S+)$", result.output, re.M))
    assert set(passwords) == {"admin@demo.kk.dk", "bif@demo.kk.dk", "hr.sof@demo.kk.dk", "hr.okf@demo.kk.dk"}
    again = runner.invoke(args=["demo", "--seed", "3"])
    assert again.exit_code == 0 and "new passwords" in again.output

    ok = runner.invoke(args=["users", "create", "--email", "hr@kk.dk", "--role", "hr", "--department", "KFF"])
    assert ok.exit_code == 0 and "sign-in link was mailed to hr@kk.dk" in ok.output, ok.output
    assert "Password" not in ok.output  # the user chooses it; without SMTP the mail is in the outbox
    (mail,) = (tmp_path / "outbox").glob("*.eml")
    assert "http://127.0.0.1:5000/sign-in/" in mail.read_text()
    for args, message in [
        (["--email", "hr@kk.dk", "--role", "hr", "--department", "KFF"], "findes allerede"),
        (["--email", "x@kk.dk", "--role", "hr"], "skal høre til en forvaltning"),
        (["--email", "x@kk.dk", "--role", "hr", "--department", "NOPE"], "Ukendt forvaltning"),
    ]:
        bad = runner.invoke(args=["users", "create", *args])
        assert bad.exit_code == 1 and message in bad.output, bad.output
    usage = runner.invoke(args=["users", "create", "--email", "x@kk.dk", "--role", "boss"])
    assert usage.exit_code == 2


def test_cli_checks_and_repairs_the_counted_intervals(tmp_path, clock):
    app = _cli_app(tmp_path, clock)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["demo", "--seed", "3", "--places", "20"]).exit_code == 0
    clean = runner.invoke(args=["db", "refresh-intervals", "--check"])
    assert clean.exit_code == 0 and "stemmer med" in clean.output
    # Written past the app (plain SQL): the intervals no longer say what the events say.
    engine = app.extensions["quota_db"].engine
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE place_interval SET status = 'closed' WHERE place_id = 1"))
    stale = runner.invoke(args=["db", "refresh-intervals", "--check"])
    assert stale.exit_code == 1 and "Intervallerne for 1 plads stemmer ikke" in stale.output
    repaired = runner.invoke(args=["db", "refresh-intervals"])
    assert repaired.exit_code == 0 and "Intervallerne for 1 plads er genopbygget" in repaired.output
    assert runner.invoke(args=["db", "refresh-intervals", "--check"]).exit_code == 0
