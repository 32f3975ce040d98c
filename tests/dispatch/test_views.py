"""BIF's dispatch pages: schedule, ledger, preview, send now and resend (with confirmation and CSRF)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlmodel import select

from quota_app.dispatch import heartbeat
from quota_app.models import AppText, Dispatch
from tests.conftest import T0, csrf_from
from tests.dispatch.support import mayor_address


def count(session) -> int:  # type: ignore[no-untyped-def]
    value = session.exec(select(sa.func.count()).select_from(Dispatch)).one()
    session.commit()  # see test_preview_and_resend_with_confirmation
    return value


def test_only_bif_and_admin_see_the_pages(client, login, make_user, session, addressed) -> None:
    assert client.get("/udsendelser/").status_code == 302  # to sign-in
    login(make_user("hr", "SOF"))
    assert client.get("/udsendelser/").status_code == 403
    assert client.get("/udsendelser/send").status_code == 403


def test_schedule_shows_the_next_runs_the_scheduler_reported(
    client, login, make_user, session, addressed
) -> None:
    login(make_user("bif"))
    page = client.get("/udsendelser/").get_data(as_text=True)
    assert "Planlæggeren har ikke meldt sig endnu" in page and "0 8 15 2,8 *" in page
    session.add(
        AppText(
            key=heartbeat.SCHEDULER_STATUS_KEY,
            value=json.dumps(
                {
                    "worker": "scheduler@host:42",
                    "heartbeat": T0.isoformat(),
                    "jobs": [{"id": "dispatch", "next_run_time": "2026-02-15T08:00:00+01:00"}],
                }
            ),
            updated_at=T0,
        )
    )
    session.commit()
    page = client.get("/udsendelser/").get_data(as_text=True)
    assert "Planlæggeren kører (scheduler@host:42)" in page
    assert "15.02.2026 kl. 08.00" in page


def test_send_now_shows_the_plan_then_sends_after_confirmation(
    client, login, make_user, session, addressed, smtp, test_reports
) -> None:
    smtp.start()
    login(make_user("bif"))
    page = client.get("/udsendelser/send?period=2025-H1&department=SOF").get_data(as_text=True)
    assert mayor_address("SOF") in page and "Ny: sendes nu" in page
    assert count(session) == 0 and smtp.messages == []
    token = csrf_from(page)
    assert (
        client.post("/udsendelser/send", data={"period": "2025-H1", "department": "SOF"}).status_code == 400
    )
    response = client.post(
        "/udsendelser/send", data={"period": "2025-H1", "department": "SOF", "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(smtp.messages) == 2 and count(session) == 2
    ledger = client.get("/udsendelser/?period=2025-H1").get_data(as_text=True)
    assert mayor_address("SOF") in ledger and "Sendt" in ledger
    # sending again sends nothing new
    client.post("/udsendelser/send", data={"period": "2025-H1", "department": "SOF", "csrf_token": token})
    assert len(smtp.messages) == 2


def test_preview_and_resend_with_confirmation(
    client, login, make_user, session, addressed, smtp, test_reports
) -> None:
    smtp.handler.refuse.add(mayor_address("SOF"))
    smtp.start()
    login(make_user("bif"))
    token = csrf_from(client.get("/udsendelser/send?period=2025-H1&department=SOF").get_data(as_text=True))
    client.post("/udsendelser/send", data={"period": "2025-H1", "department": "SOF", "csrf_token": token})
    row = session.exec(select(Dispatch).where(Dispatch.recipient == mayor_address("SOF"))).one()
    assert row.state == "failed"
    # The app fixture keeps one app context (and so one request session) across requests: end the test
    # session's savepoint now, so the view's commit does not release it from under us.
    session.commit()

    page = client.get(f"/udsendelser/{row.id}").get_data(as_text=True)
    assert "Halvårsstatus 1. halvår 2025: støttet beskæftigelse i Socialforvaltningen" in page
    assert "halvaarsstatus-2025-H1-SOF.pdf" in page and row.pdf_sha256 in page
    assert "Kære Socialborgmester" in page and "550" in page

    confirm = client.get(f"/udsendelser/{row.id}/gensend").get_data(as_text=True)
    assert "Send igen?" in confirm
    smtp.handler.refuse.clear()
    assert client.post(f"/udsendelser/{row.id}/gensend").status_code == 400  # no CSRF token
    assert smtp.to(mayor_address("SOF")) == []
    response = client.post(f"/udsendelser/{row.id}/gensend", data={"csrf_token": csrf_from(confirm)})
    assert response.status_code == 302
    session.refresh(row)
    session.commit()
    assert row.state == "sent" and len(smtp.to(mayor_address("SOF"))) == 1
    assert client.get("/udsendelser/999999").status_code == 404


def test_the_pages_are_translated(client, login, make_user, session, addressed) -> None:
    login(make_user("bif"))
    token = csrf_from(client.get("/udsendelser/").get_data(as_text=True))
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/udsendelser/"})
    # the app fixture keeps one app context for the whole test, where Flask-Babel caches the locale
    from flask_babel import refresh

    refresh()
    page = client.get("/udsendelser/").get_data(as_text=True)
    assert "Dispatch ledger" in page and "Retries and failure notices" in page
