"""The verdict first: page 1 of a department's report opens with the answer, and the report mail says the
same in three lines (issue 12, point 9)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.message import EmailMessage

from sqlmodel import Session, select

from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.dispatch import ledger, mail_texts
from quota_app.dispatch.delivery import deliver_due
from quota_app.models import DepartmentComment, Dispatch
from quota_app.periods import parse_period
from quota_app.settings import Settings
from reports import services as report_services
from reports.gather import gather_department_report
from reports.render import render_department_report

from . import samples
from .pdfs import pages_text

H1 = parse_period("2025-H1")
KNOWN = datetime(2025, 8, 15, 6, 0, tzinfo=UTC)
RESULT = "Under mål: 75,0 % af måltallet – målet er ikke nået: 3 talt med mod måltal 4, der mangler 1."
BEHIND = "Længst fra målet: Virksomhedspraktik 75,0 % (mangler 1)."
ASK = (
    "Forvaltningen bedes besætte eller oprette flere pladser, så måltallet nås, først og fremmest inden "
    "for Virksomhedspraktik."
)


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def comment(session: Session, department_id: int, text: str) -> None:
    session.add(DepartmentComment(period="2025-H1", department_id=department_id, text=text, updated_at=KNOWN))
    session.flush()


def test_page_one_opens_with_the_verdict_before_the_letter(session: Session, sof_figures: dict) -> None:
    long_comment = "Vi har tre nye praktikpladser på vej.\n\n" + "Vi følger op hver måned. " * 12
    comment(session, sof_figures["SOF"].id, long_comment)
    pdf = report_services.build_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    first = one_line(pages_text(pdf)[0])
    assert first.index("Resultatet kort") < first.index(RESULT) < first.index("Kære Socialborgmester")
    assert BEHIND in first and ASK in first
    assert "Forvaltningens kommentar" in first
    assert one_line(long_comment).strip() in first  # the comment in full
    assert first.index(ASK) < first.index("Kære")  # the answer before the letter text


def test_the_verdict_names_at_most_three_types_and_says_when_the_target_is_met() -> None:
    report = samples.department_report()
    first = one_line(pages_text(render_department_report(report))[0])
    assert (
        "Under mål: 81,0 % af måltallet – målet er ikke nået: 1.076,5 talt med mod måltal 1.329, der "
        in first
    )
    assert (
        "Længst fra målet: Jobrotation 40,0 % (mangler 6), Virksomhedspraktik 77,5 % (mangler 9), "
        "Løntilskud 81,1 % (mangler 233)." in first
    )
    met = samples.verdict(samples.type_rows())
    met = type(met)("at", 102.5, 41.0, 40, 0.0, ())
    first = one_line(pages_text(render_department_report(samples.department_report(verdict=met)))[0])
    assert "Mål nået: 102,5 % af måltallet – målet er nået: 41 talt med mod måltal 40." in first
    assert "Ingen ordning med måltal er bagud." in first
    assert "Forvaltningen bedes holde niveauet" in first
    none = type(met)("none", None, 3.0, None, None, ())
    first = one_line(pages_text(render_department_report(samples.department_report(verdict=none)))[0])
    assert "Intet måltal: forvaltningen har intet måltal for perioden (3 talt med)." in first


def test_the_greeting_says_the_title_once(session: Session, sof_figures: dict) -> None:
    sof_figures["SOF"].mayor_name = "Socialborgmester Søren Østergård Åberg"
    session.flush()
    data = gather_department_report(session, period=H1, department_code="SOF", known_at=KNOWN)
    assert data.addressee == "Socialborgmester Søren Østergård Åberg"
    first = one_line(pages_text(render_department_report(data))[0])
    assert "Til Socialborgmester Søren Østergård Åberg" in first
    assert "Kære Socialborgmester Søren Østergård Åberg" in first
    assert "Socialborgmester Socialborgmester" not in first


class Recording:
    """A transport that keeps what it is given (the SMTP conversation itself is tested in tests/dispatch)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.messages.append(message)


def test_the_mail_says_the_verdict_in_three_lines(session: Session, connection, sof_figures: dict) -> None:  # type: ignore[no-untyped-def]
    sof = sof_figures["SOF"]
    sof.mayor_email, sof.mayor_title, sof.mayor_name = (
        "mayor@kk.test",
        "Socialborgmester",
        "Socialborgmester Åberg",
    )
    comment(session, sof.id, "Vi følger op.")
    session.commit()
    settings = Settings(
        env="test", secret_key="s", bif_email="bif@kk.test", base_url="https://kvoter.kk.test"
    )
    clock = FrozenClock(KNOWN)
    ledger.plan_period(
        session,
        settings=settings,
        period=H1,
        actor="test",
        now=KNOWN,
        department_code="SOF",
        source=report_services.report_source(),
    )
    session.commit()
    transport = Recording()
    deliver_due(
        Database.bound_to(connection), settings=settings, transport=transport, clock=clock, worker="t@h"
    )
    [mayor] = [m for m in transport.messages if m["To"] == "mayor@kk.test"]
    text = mayor.get_body(("plain",)).get_content()
    greeting, verdict, *_rest = text.split("\n\n")
    assert greeting == "Kære Socialborgmester Åberg"
    assert verdict.split("\n") == [RESULT, BEHIND, ASK]
    html = mayor.get_body(("html",)).get_content()
    assert f"<p><strong>{RESULT}</strong></p>" in html and f"<p>{ASK}</p>" in html
    row = session.exec(select(Dispatch).where(Dispatch.recipient == "mayor@kk.test")).one()
    # The preview in the ledger composes the same three lines from the archived data.
    again = mail_texts.compose(session, row, settings=settings)
    assert again.text.split("\n\n")[1].split("\n") == [RESULT, BEHIND, ASK]
    assert "https://kvoter.kk.test/rapport/" in text


def test_without_the_reports_data_the_mail_has_no_verdict_lines(session: Session, sof_figures: dict) -> None:
    """A report archived before its data was kept: the mail is as it was, without the three lines."""
    archive = report_services.archive_report(
        session, period=H1, department_code="SOF", known_at=KNOWN, pdf=b"%PDF", actor="t", now=KNOWN
    )
    row = Dispatch(
        period="2025-H1",
        department_id=sof_figures["SOF"].id,
        scope="SOF",
        recipient="bif@kk.test",
        kind="report",
        archive_id=archive.id,
        created_at=KNOWN,
    )
    session.add(row)
    session.flush()
    mail = mail_texts.compose(session, row, settings=Settings(env="test", secret_key="s"))
    assert "Under mål" not in mail.text and "Hermed halvårsstatus" in mail.text.split("\n\n")[2]
    assert date(2025, 6, 30).strftime("%d.%m.%Y") in mail.text
