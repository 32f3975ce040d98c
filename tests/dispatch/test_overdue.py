"""A missed half-year dispatch is never silent: BIF's pages, the daily alert mail and `quota dispatch --check`.

The app clock stands at T0 (30.09.2025); the 2025-H1 reports were planned for 15.08.2025 08:00 in
Copenhagen, and the grace (QUOTA_MISFIRE_GRACE_SECONDS, 7 days by default) ended 22.08.2025 08:00.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from quota_app.clock import FrozenClock
from quota_app.dispatch import overdue
from quota_app.models import Dispatch
from quota_app.periods import Period
from scheduler import jobs
from tests.conftest import csrf_from
from tests.dispatch.support import TEST_SOURCE, mayor_address
from tests.factories import insert_place

H1 = Period(2025, 1)
PLANNED = datetime(2025, 8, 15, 6, 0, tzinfo=UTC)  # 08:00 in Copenhagen (summer time)
GRACE_ENDS = PLANNED + timedelta(days=7)
BANNER = "Halvårsstatus for 1. halvår 2025 er ikke sendt"
BUTTON = re.compile(
    r'<form method="post" action="/udsendelser/send"[^>]*>\s*'
    r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
    r'<input type="hidden" name="period" value="2025-H1">'
)


@pytest.fixture
def in_use(session, addressed):  # type: ignore[no-untyped-def]
    """The app held data before the 2025-H1 reports were due: a place registered in March 2025."""
    insert_place(
        session,
        addressed,
        department="SOF",
        type_code="internship",
        events=[("open", date(2025, 3, 1))],
        place_reference="SOF-1",
        default_recorded=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
    )
    session.commit()
    return addressed


def late(session, settings, now) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.label for item in overdue.overdue_periods(session, settings=settings, now=now)]


def test_planned_time_follows_the_dispatch_cron_in_copenhagen(settings) -> None:
    assert overdue.planned_time(settings, H1) == PLANNED
    assert overdue.planned_time(settings, Period(2025, 2)) == datetime(2026, 2, 15, 7, 0, tzinfo=UTC)
    monthly = settings.model_copy(update={"dispatch_cron": "30 6 1 * *"})
    assert overdue.planned_time(monthly, H1) == datetime(2025, 7, 1, 4, 30, tzinfo=UTC)
    never = settings.model_copy(update={"dispatch_cron": "0 8 31 2 *"})  # valid, but 31 February
    assert overdue.planned_time(never, H1) is None


def test_overdue_only_after_the_planned_time_plus_the_grace(session, settings, in_use) -> None:
    assert late(session, settings, PLANNED) == []
    assert late(session, settings, GRACE_ENDS - timedelta(seconds=1)) == []
    assert late(session, settings, GRACE_ENDS) == ["2025-H1"]
    shorter = settings.model_copy(update={"misfire_grace_seconds": 3600})
    assert late(session, shorter, PLANNED + timedelta(hours=1)) == ["2025-H1"]
    # months later, with the scheduler still down: both missed half-years, oldest first
    assert late(session, settings, datetime(2026, 3, 1, tzinfo=UTC)) == ["2025-H1", "2025-H2"]


def test_a_new_installation_is_not_told_about_half_years_before_its_time(
    session, settings, addressed
) -> None:
    assert late(session, settings, GRACE_ENDS + timedelta(days=30)) == []  # no data at all
    insert_place(
        session,
        addressed,
        department="SOF",
        type_code="internship",
        events=[("open", date(2025, 3, 1))],
        place_reference="SOF-2",
        default_recorded=PLANNED + timedelta(days=1),  # registered (imported) after the planned time
    )
    assert late(session, settings, GRACE_ENDS + timedelta(days=30)) == []


def test_rows_still_waiting_keep_the_period_overdue_sent_or_failed_rows_do_not(
    session, settings, in_use
) -> None:
    now = GRACE_ENDS + timedelta(days=1)
    row = Dispatch(
        period="2025-H1",
        scope="SOF",
        recipient="x@kk.test",
        kind="report",
        created_at=PLANNED,
        state="pending",
    )
    session.add(row)
    session.flush()
    (item,) = overdue.overdue_periods(session, settings=settings, now=now)
    assert item.waiting == 1 and "1 mail(s) venter stadig" in item.describe(settings)
    for state in ("sent", "failed"):
        row.state = state
        session.flush()
        assert late(session, settings, now) == []
    # a row planned after the moment asked about does not count for it
    assert late(session, settings, PLANNED + timedelta(days=7, seconds=1)) == []
    row.created_at = now + timedelta(days=1)
    session.flush()
    assert late(session, settings, now) == ["2025-H1"]


def test_bif_sees_the_missed_dispatch_in_red_and_sends_it_with_the_button(
    client, login, make_user, session, in_use, smtp, test_reports
) -> None:
    smtp.start()
    login(make_user("bif"))
    for path in ("/", "/udsendelser/", "/monitor/"):
        page = client.get(path).get_data(as_text=True)
        assert BANNER in page, path
        assert 'class="alert alert-error" role="alert"' in page and "15.08.2025 kl. 08.00" in page
        assert BUTTON.search(page), path
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/udsendelser/send", data={"period": "2025-H1", "department": ""}).status_code == 400
    response = client.post(
        "/udsendelser/send", data={"period": "2025-H1", "department": "", "csrf_token": token}
    )
    assert response.status_code == 302
    session.commit()  # end the test session's savepoint (see test_views.test_preview_and_resend...)
    rows = session.exec(select(Dispatch).where(Dispatch.period == "2025-H1")).all()
    assert len(rows) == 16 and {r.state for r in rows} == {"sent"}
    assert len(smtp.to(mayor_address("SOF"))) == 1
    for path in ("/", "/udsendelser/", "/monitor/"):
        assert BANNER not in client.get(path).get_data(as_text=True), path
    # the button again (a second tab): the ledger sends nothing twice
    client.post("/udsendelser/send", data={"period": "2025-H1", "department": "", "csrf_token": token})
    assert len(smtp.messages) == 16


def test_admin_sees_it_and_hr_does_not(client, login, make_user, session, in_use) -> None:
    login(make_user("admin"))
    assert BANNER in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    login(make_user("hr", "SOF"))
    for path in ("/", "/monitor/"):
        page = client.get(path).get_data(as_text=True)
        assert BANNER not in page and not BUTTON.search(page), path
    token = csrf_from(client.get("/").get_data(as_text=True))
    forbidden = client.post(
        "/udsendelser/send", data={"period": "2025-H1", "department": "", "csrf_token": token}
    )
    assert forbidden.status_code == 403
    assert session.exec(select(sa.func.count()).select_from(Dispatch)).one() == 0


def test_the_daily_alert_mail_mentions_the_missed_dispatch(
    db, session, in_use, smtp, mail_settings, transport
) -> None:
    smtp.start()
    clock = FrozenClock(datetime(2025, 9, 30, 5, 0, tzinfo=UTC))  # 07:00, the alert's time
    ctx = jobs.JobContext(settings=mail_settings, db=db, clock=clock, transport=transport, source=TEST_SOURCE)
    assert jobs.alert_in(ctx) is True  # no place opened this week: the missed dispatch alone is worth a mail
    (mail,) = smtp.to("rekruttering@kk.test")
    assert mail.message["Subject"].startswith("ADVARSEL: halvårsstatus 1. halvår 2025 ikke sendt")
    body = mail.message.get_body(("plain",)).get_content()
    assert (
        "Halvårsstatus for 1. halvår 2025 er ikke sendt; den skulle være sendt 15.08.2025 kl. 08.00" in body
    )
    assert "quota dispatch --period 2025-H1" in body

    jobs.dispatch_in(ctx)  # someone sends it; the next day's alert has nothing to say
    clock.advance(timedelta(days=1))
    assert jobs.alert_in(ctx) is False


def test_the_alert_before_the_grace_ends_says_nothing_about_it(
    db, session, in_use, smtp, mail_settings, transport
) -> None:
    smtp.start()
    clock = FrozenClock(GRACE_ENDS - timedelta(hours=1))
    ctx = jobs.JobContext(settings=mail_settings, db=db, clock=clock, transport=transport, source=TEST_SOURCE)
    assert jobs.alert_in(ctx) is False and smtp.messages == []


def test_dispatch_check_exits_1_naming_the_period_and_0_when_on_time(
    app, clock, session, in_use, smtp, test_reports
) -> None:
    runner = app.test_cli_runner()
    clock.set(GRACE_ENDS - timedelta(seconds=1))
    ok = runner.invoke(args=["dispatch", "--check"])
    assert ok.exit_code == 0 and ok.stdout.strip() == "OK: ingen halvårsstatus er forsinket."

    clock.set(GRACE_ENDS)
    result = runner.invoke(args=["dispatch", "--check"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Fejl: Halvårsstatus for 1. halvår 2025 er ikke sendt")

    smtp.start()
    assert runner.invoke(args=["dispatch", "--period", "2025-H1"]).exit_code == 0
    after = runner.invoke(args=["dispatch", "--check"])
    assert after.exit_code == 0 and "OK" in after.stdout

    usage = runner.invoke(args=["dispatch"])
    assert usage.exit_code == 2 and "--period" in usage.stderr
