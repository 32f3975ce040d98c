"""What was sent stays as it was sent (issue 12, point 11): the ledger shows the message kept when it was
sent (recipient, greeting, body, attachment hash), not one composed again from today's data; a report mail
carries a link to the report's web page whose secret is kept nowhere."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlmodel import select

from quota_app.models import Department, Dispatch, ReportLink
from tests.conftest import csrf_from
from tests.dispatch.support import mayor_address, pdf_attachments, smtp_settings


@pytest.fixture
def settings(smtp, tmp_path):  # type: ignore[no-untyped-def]
    """The app's settings: mail to the loopback SMTP server, links to the app's public address."""
    return smtp_settings(
        smtp.port,
        instance_path=tmp_path / "instance",
        session_cookie_secure=False,
        base_url="https://kvoter.kk.test",
    )


def send_sof(client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    token = csrf_from(client.get("/udsendelser/send?period=2025-H1&department=SOF").get_data(as_text=True))
    response = client.post(
        "/udsendelser/send", data={"period": "2025-H1", "department": "SOF", "csrf_token": token}
    )
    assert response.status_code == 302


def test_the_ledger_shows_the_message_as_sent_after_the_data_changed(  # type: ignore[no-untyped-def]
    client, login, make_user, session, addressed, smtp, test_reports
) -> None:
    smtp.start()
    sof = session.exec(select(Department).where(Department.code == "SOF")).one()
    sof.mayor_name = "Socialborgmester Anna Hansen"  # the title is said once in the greeting
    session.commit()
    send_sof(client, login, make_user)
    [received] = smtp.to(mayor_address("SOF"))
    text = received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Kære Socialborgmester Anna Hansen\n\n")
    secret = re.search(r"https://kvoter\.kk\.test/rapport/([A-Za-z0-9_-]{43})", text).group(1)
    [(filename, pdf)] = pdf_attachments(received.message)
    row = session.exec(select(Dispatch).where(Dispatch.recipient == mayor_address("SOF"))).one()
    session.commit()
    assert row.sent_message["subject"] == received.message["Subject"]
    assert row.sent_message["to"] == [mayor_address("SOF")]
    assert row.sent_message["attachments"] == [
        {"filename": filename, "bytes": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest()}
    ]
    assert row.sent_message["text"] == text.replace(secret, "…")  # everything but the link's secret
    assert secret not in str(row.sent_message)
    link = session.exec(select(ReportLink).where(ReportLink.dispatch_id == row.id)).one()
    assert link.token_hash == hashlib.sha256(secret.encode()).hexdigest() and link.revoked_at is None
    session.commit()  # see test_views.test_preview_and_resend_with_confirmation
    assert client.get(f"/rapport/{secret}").status_code == 200

    # Today the mayor is someone else and the department has another name: the ledger shows what was sent.
    sof.mayor_title, sof.mayor_name, sof.name = "Borgmester", "Bo Nyborg", "Social- og Sundhedsforvaltningen"
    session.commit()
    page = client.get(f"/udsendelser/{row.id}").get_data(as_text=True)
    assert "Mailen, som den blev sendt" in page
    assert "Kære Socialborgmester Anna Hansen" in page and "Bo Nyborg" not in page
    assert "Halvårsstatus 1. halvår 2025: støttet beskæftigelse i Socialforvaltningen" in page
    assert "Social- og Sundhedsforvaltningen" not in page
    assert mayor_address("SOF") in page and hashlib.sha256(pdf).hexdigest() in page
    assert "https://kvoter.kk.test/rapport/…" in page and secret not in page


def test_a_row_sent_before_copies_were_kept_says_what_is_known(  # type: ignore[no-untyped-def]
    client, login, make_user, session, addressed, smtp, test_reports
) -> None:
    smtp.start()
    send_sof(client, login, make_user)
    row = session.exec(select(Dispatch).where(Dispatch.recipient == mayor_address("SOF"))).one()
    row.sent_message = None  # as a row sent before migration 0009
    session.add(row)
    session.commit()
    page = client.get(f"/udsendelser/{row.id}").get_data(as_text=True)
    assert "før appen gemte en kopi af hver mail" in page
    assert row.pdf_sha256 in page and mayor_address("SOF") in page
    assert "Kære" not in page  # no mail made up from today's data


def test_a_mail_that_could_not_be_sent_ends_its_link(  # type: ignore[no-untyped-def]
    client, login, make_user, session, addressed, smtp, test_reports
) -> None:
    smtp.handler.refuse.add(mayor_address("SOF"))
    smtp.start()
    send_sof(client, login, make_user)
    row = session.exec(select(Dispatch).where(Dispatch.recipient == mayor_address("SOF"))).one()
    assert row.state == "failed" and row.sent_message is None
    [link] = session.exec(select(ReportLink).where(ReportLink.dispatch_id == row.id)).all()
    assert link.revoked_at is not None
    session.commit()
    page = client.get(f"/udsendelser/{row.id}").get_data(as_text=True)
    assert "Forhåndsvisning af mailen" in page and "https://kvoter.kk.test/rapport/…" in page
