"""The projection's model: Kaplan-Meier sojourns, and expected rewards checked against a simulation."""

from __future__ import annotations

import random

import pytest

from quota_app.forecast.model import STAYS_FOREVER, Outlook, Sojourn, fit_sojourn


def uniform(low: int, high: int, next_status: dict[str, float]) -> Sojourn:
    """Stays low..high days (each equally likely), then goes on as next_status says."""
    survival = [1.0 if k < low else max(0.0, (high - k) / (high - low + 1)) for k in range(high + 1)]
    return Sojourn(survival=tuple(survival), next_status=next_status)


SOJOURNS = {
    "open": uniform(5, 40, {"filled": 0.7, "paused": 0.1, "closed": 0.2}),
    "filled": uniform(30, 90, {"open": 0.6, "closed": 0.4}),
    "paused": uniform(10, 20, {"open": 1.0}),
}


def simulate(rng: random.Random, status: str, age: int, days: int) -> tuple[str, int]:
    """Where a place that has been in status for age days is after days, and how often it entered filled."""
    starts, elapsed = 0, 0
    while status != "closed":
        sojourn = SOJOURNS[status]
        # Draw the total stay given that it has lasted age days: inverse of the conditional survival.
        u = rng.random() * sojourn.stays(age)
        stay = next(k for k in range(age + 1, len(sojourn.survival) + 1) if sojourn.stays(k) <= u)
        elapsed += stay - age
        if elapsed > days:
            break
        roll, status = rng.random(), None  # type: ignore[assignment]
        for candidate, share in sojourn.next_status.items():
            roll -= share
            if roll <= 0:
                status = candidate
                break
        starts += status == "filled"
        age = 0
    return status, starts


def test_kaplan_meier_by_hand() -> None:
    # Two left after 2 days (to filled), one still there after 3 days, one left after 4 days (closed).
    fitted = fit_sojourn([(2, True, 2), (3, False, 1), (4, True, 1)], {"filled": 2, "closed": 1})
    assert fitted.survival == (1.0, 1.0, 0.5, 0.5, 0.0)
    assert fitted.next_status == {"closed": 1 / 3, "filled": 2 / 3}
    assert fitted.stays(10) == 0.0
    assert fit_sojourn([(5, False, 3)], {}) is STAYS_FOREVER


def test_nobody_seen_leaving_later_is_expected_to_stay() -> None:
    fitted = fit_sojourn([(2, True, 1), (30, False, 5)], {"filled": 1})
    assert fitted.survival[-1] == pytest.approx(5 / 6) and fitted.stays(100) == pytest.approx(5 / 6)


@pytest.mark.parametrize(("status", "age", "days"), [("open", 0, 60), ("open", 30, 45), ("filled", 70, 120)])
def test_expected_rewards_match_a_simulation(status: str, age: int, days: int) -> None:
    stock = Outlook.build(SOJOURNS, stay=("filled",), entry=(), horizon=days)
    flow = Outlook.build(SOJOURNS, stay=(), entry=("filled",), horizon=days)
    rng = random.Random(7)
    runs = [simulate(rng, status, age, days) for _ in range(20_000)]
    in_filled = sum(end == "filled" for end, _ in runs) / len(runs)
    starts = sum(n for _, n in runs) / len(runs)
    assert stock.place(status, age, days) == pytest.approx(in_filled, abs=0.015)
    assert flow.place(status, age, days) == pytest.approx(starts, abs=0.02)


def test_nothing_happens_in_no_time_and_arrivals_add_up() -> None:
    model = Outlook.build(SOJOURNS, stay=("filled", "open"), entry=(), horizon=30)
    assert model.place("open", 12, 0) == 1.0 and model.place("paused", 3, 0) == 0.0
    assert model.place("closed", 400, 30) == 0.0
    # One opening a day for three days, counted when open or filled: the fresh chances summed.
    assert model.arrivals("open", 3) == pytest.approx(sum(model.fresh["open"][m] for m in (0, 1, 2)))
    assert model.arrivals("open", 0) == 0.0


def test_older_than_anyone_ever_stayed_leaves_tomorrow() -> None:
    model = Outlook.build(SOJOURNS, stay=("filled",), entry=(), horizon=10)
    # Open places all leave within 40 days; one open for 50 days goes on like the rest, a day later.
    assert model.place("open", 50, 10) == pytest.approx(model.after_exit["open"][9])
