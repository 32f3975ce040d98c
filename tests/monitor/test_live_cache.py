"""The live overview, with a clock that moves on every reading as a real one does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from quota_app.clock import FrozenClock
from quota_app.models import Target
from quota_app.monitor.cache import RESULTS
from quota_app.monitor.forecasting import REUSE
from tests.conftest import T0


class TickingClock(FrozenClock):
    """A clock that is a millisecond later every time it is read."""

    def now(self):  # type: ignore[no-untyped-def]
        self.advance(timedelta(milliseconds=1))
        return super().now()


def cached(name: str) -> int:
    """How many results of one kind the cache holds (the overview and its early warning are two kinds)."""
    return sum(1 for key in RESULTS._items if key[0] == name)


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock(T0)


def test_the_live_overview_is_reused_until_something_changes(
    client, login, make_user, history, make_place, session, clock
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    first = client.get("/monitor/?date=2025-09-30").get_data(as_text=True)
    assert (cached("overview"), cached("early_warning")) == (1, 1)
    second = client.get("/monitor/?date=2025-09-30").get_data(as_text=True)
    assert (cached("overview"), cached("early_warning")) == (1, 1)  # the same live results, the clock moved
    assert ">3</a>" in first and ">3</a>" in second
    make_place("SOF", "internship", [("filled", date(2025, 9, 1), T0)])
    session.commit()
    third = client.get("/monitor/?date=2025-09-30").get_data(as_text=True)
    # The figures follow the registration at once; the year-end projection is reused for up to REUSE.
    assert (cached("overview"), cached("early_warning")) == (2, 1)
    sof = third[third.index("(SOF)") :]
    assert '<span class="mon-figure"><a' in sof and ">4</a>" in sof.split("</td>")[0]
    clock.advance(REUSE)
    client.get("/monitor/?date=2025-09-30")
    assert (cached("overview"), cached("early_warning")) == (2, 2)


def test_the_early_warning_follows_a_target_change_at_once(
    client, login, make_user, history, session
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    client.get("/monitor/")
    target = session.exec(select(Target)).first()
    target.value += 1
    session.add(target)
    session.commit()
    client.get("/monitor/")
    assert cached("early_warning") == 2


def test_drill_down_pages_follow_every_registration(
    client, login, make_user, history, make_place, session
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    department = "/monitor/department/SOF?date=2025-09-30"
    trend = "/monitor/department/SOF/type/internship?date=2025-09-30"
    assert "M-99999" not in client.get(department).get_data(as_text=True)
    first_trend = client.get(trend).get_data(as_text=True)
    assert client.get(department).get_data(as_text=True).count("M-99999") == 0  # reused, still correct
    make_place("SOF", "internship", [("open", date(2025, 1, 2), T0)], reference="M-99999")
    session.commit()
    html = client.get(department).get_data(as_text=True)
    assert "M-99999" in html  # now the longest open place
    second_trend = client.get(trend).get_data(as_text=True)
    assert "M-99999" in second_trend and "M-99999" not in first_trend
