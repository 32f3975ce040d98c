"""The accessible twin of every archived report (issue 12, point 10): the PDF's data as an HTML page, the
same numbers, the same known-at; without sign-in through a long random link that BIF can revoke."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from flask.testing import FlaskClient
from sqlmodel import Session, select

from quota_app.dispatch import report_links
from quota_app.models import AppText, DepartmentComment, ReportLink, User
from quota_app.periods import parse_period
from reports import services as report_services
from reports.gather import LETTER_KEY
from tests.conftest import csrf_from

from .pdfs import all_text

H1 = parse_period("2025-H1")
KNOWN = datetime(2025, 8, 15, 6, 0, tzinfo=UTC)
CELL = r"(?:[-+]?[\d.,]+(?: %)?|–)"  # a figure, a percentage, a change or "–"
ROW_CELLS = rf"(?: \(forløb\)(?:; halvårets andel af måltallet: [\d.,]+, opfyldelse af andelen: {CELL})?)?(?: {CELL}){{8}}"


def page_text(page: str) -> str:
    """The page's text as a reader gets it: tags gone, entities read, runs of whitespace as one space."""
    body = page[page.index("<main") :]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def assert_same_rows(rows: list[dict], pdf: str, text: str) -> None:
    """Each placement type's row of the status table reads the same on the page as in the PDF."""
    pdf_table, text_table = (t[t.index("Status pr. ordning") :] for t in (pdf, text))
    for row in rows:
        found = re.search(re.escape(row["type_name"]) + ROW_CELLS, pdf_table)
        assert found and found.group(0) in text_table, row["type_name"]


def sign_out(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})


def archive(session: Session, code: str | None = "SOF"):  # type: ignore[no-untyped-def]
    entry = report_services.build_archived_report(
        session, period=H1, department_code=code, known_at=KNOWN, actor="test", now=KNOWN
    )
    session.commit()
    return entry


def test_the_page_shows_the_pdfs_numbers(
    client, login, make_user, session: Session, sof_figures: dict
) -> None:  # type: ignore[no-untyped-def]
    entry = archive(session)
    login(make_user("hr", "SOF"))
    response = client.get(f"/rapporter/arkiv/{entry.id}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text, pdf = page_text(response.get_data(as_text=True)), all_text(entry.pdf)
    assert_same_rows(entry.report_data["rows"], pdf, text)
    assert "Virksomhedspraktik 4 3 1 0 3 75,0 %" in text
    for sentence in (
        "Under mål: 75,0 % af måltallet – målet er ikke nået: 3 talt med mod måltal 4, der mangler 1.",
        "Længst fra målet: Virksomhedspraktik 75,0 % (mangler 1).",
        "Skæringsdato: 30.06.2025.",
        "Tal som kendt pr. 15.08.2025 kl. 08.00 (dansk tid)",
        "SOF-ÆØÅ-1",
        "Kære Socialborgmester Søren Østergård Åberg",
        "Socialforvaltningen er nr. 2 af 7 målt på samlet kvoteopfyldelse.",
    ):
        assert sentence in text and sentence in pdf, sentence
    assert entry.sha256 in text


def test_every_figure_row_and_the_method_read_as_in_the_pdf(  # type: ignore[no-untyped-def]
    client, login, make_user, session: Session, sof_figures: dict, make_place, make_target
) -> None:
    """With a flow type (its half-year share of the target) too: the status rows, the trend, the standing
    and the method box read word for word as in the PDF."""
    make_target(2025, "SOF", "job_rotation", 10)
    make_place("SOF", "job_rotation", [("filled", date(2025, 2, 1), datetime(2025, 2, 2, tzinfo=UTC))])
    entry = archive(session)
    login(make_user("bif"))
    text = page_text(client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True))
    pdf = all_text(entry.pdf)
    assert "Jobrotation (forløb); halvårets andel af måltallet: 5" in pdf
    assert_same_rows(entry.report_data["rows"], pdf, text)
    text_table = text[text.index("Status pr. ordning") :]
    assert (
        re.search("Jobrotation" + ROW_CELLS, text_table)
        .group(0)
        .startswith(
            "Jobrotation (forløb); halvårets andel af måltallet: 5, opfyldelse af andelen: 20,2 % 10 1 0 0 1 10,0 %"
        )
    )
    method = pdf[
        pdf.index("Metode Periode") : pdf.index("Socialforvaltningen · 1. halvår 2025", pdf.index("Metode"))
    ]
    assert method.strip() in text
    for line in entry.report_data["trend"]:
        points = " ".join(
            f"{p['counted']:.0f} / {p['target'] if p['target'] is not None else '–'}" for p in line["points"]
        )
        assert f"{line['type_name']} {points}" in pdf and f"{line['type_name']} {points}" in text


def test_the_page_shows_what_was_archived_not_todays_data(  # type: ignore[no-untyped-def]
    client, login, make_user, session: Session, sof_figures: dict, make_place
) -> None:
    entry = archive(session)
    # After archiving: a back-dated place, a new comment, another letter and mayor.
    make_place("SOF", "internship", [("filled", date(2025, 5, 1), datetime(2025, 8, 20, tzinfo=UTC))])
    session.add(
        DepartmentComment(
            period="2025-H1", department_id=sof_figures["SOF"].id, text="Ny kommentar", updated_at=KNOWN
        )
    )
    session.add(AppText(key=LETTER_KEY, value="Et helt andet brev.", updated_at=KNOWN))
    sof_figures["SOF"].mayor_name = "En anden"
    session.commit()
    login(make_user("bif"))
    text = page_text(client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True))
    assert "Virksomhedspraktik 4 3 1 0 3 75,0 %" in text
    assert "Søren Østergård Åberg" in text and "En anden" not in text
    assert "Ny kommentar" not in text and "Et helt andet brev" not in text
    assert "dannet igen" not in text


def test_a_report_archived_before_its_data_was_kept_is_gathered_again_and_says_so(  # type: ignore[no-untyped-def]
    client, login, make_user, session: Session, sof_figures: dict
) -> None:
    entry = report_services.archive_report(
        session, period=H1, department_code="SOF", known_at=KNOWN, pdf=b"%PDF", actor="t", now=KNOWN
    )
    consolidated = report_services.archive_report(
        session, period=H1, department_code=None, known_at=KNOWN, pdf=b"%PDF", actor="t", now=KNOWN
    )
    session.commit()
    login(make_user("bif"))
    text = page_text(client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True))
    assert "Virksomhedspraktik 4 3 1 0 3 75,0 %" in text and "dannet igen" in text
    text = page_text(client.get(f"/rapporter/arkiv/{consolidated.id}").get_data(as_text=True))
    assert "Kommunen i alt: 5 talt med mod måltal 6 (83,3 %)." in text


def test_the_consolidated_report_has_a_page_too(
    client, login, make_user, session: Session, sof_figures: dict
) -> None:  # type: ignore[no-untyped-def]
    hr, bif = make_user("hr", "SOF"), make_user("bif")
    entry = archive(session, None)
    login(bif)
    text = page_text(client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True))
    pdf = all_text(entry.pdf)
    for sentence in (
        "Kommunen i alt: 5 talt med mod måltal 6 (83,3 %).",
        "Økonomiforvaltningen (ØKF)",
        "3 / 4 75,0 %",
    ):
        assert sentence in text and sentence in pdf, sentence
    sign_out(client)
    login(hr)
    assert client.get(f"/rapporter/arkiv/{entry.id}").status_code == 404  # the municipality's: BIF only


def test_a_link_opens_the_page_without_sign_in_until_bif_revokes_it(  # type: ignore[no-untyped-def]
    client, login, make_user, session: Session, sof_figures: dict, clock
) -> None:
    hr, bif = make_user("hr", "SOF"), make_user("bif")
    entry = archive(session)
    link, secret = report_links.issue_link(session, archive_id=entry.id, actor="test", now=clock.now())
    session.commit()
    assert len(secret) >= 43  # 32 random bytes
    assert link.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = session.exec(select(ReportLink)).all()
    assert all(secret not in str(v) for row in stored for v in row.model_dump().values())

    response = client.get(f"/rapport/{secret}")
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    text = page_text(response.get_data(as_text=True))
    assert "Virksomhedspraktik 4 3 1 0 3 75,0 %" in text and "Links uden login" not in text
    assert client.get(f"/rapport/{secret[:-1]}").status_code == 404
    assert client.get("/rapport/" + "x" * 200).status_code == 404

    login(hr)
    page = client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True)
    assert "Links uden login" not in page  # HR sees the page, BIF manages the links
    assert (
        client.post(
            f"/rapporter/links/{link.id}/tilbagekald", data={"csrf_token": csrf_from(page)}
        ).status_code
        == 403
    )

    sign_out(client)
    login(bif)
    page = client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True)
    assert f"Link nr. {link.id}" in page and "Virker" in page
    response = client.post(f"/rapporter/links/{link.id}/tilbagekald", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    session.refresh(link)
    assert link.revoked_at is not None
    session.commit()
    assert client.get(f"/rapport/{secret}").status_code == 404
    page = client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True)
    assert "Trukket tilbage" in page


def test_bif_makes_a_link_to_publish_and_sees_it_once(
    client, login, make_user, session: Session, sof_figures: dict
) -> None:  # type: ignore[no-untyped-def]
    entry = archive(session, None)
    login(make_user("bif"))
    page = client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True)
    assert "Rapporten har ingen links endnu." in page
    made = client.post(f"/rapporter/arkiv/{entry.id}/links", data={"csrf_token": csrf_from(page)})
    assert made.status_code == 200
    url = re.search(r"http://localhost/rapport/[A-Za-z0-9_-]{43}", made.get_data(as_text=True)).group(0)
    assert client.get(url.removeprefix("http://localhost")).status_code == 200
    again = client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True)
    assert url not in again and "Link nr." in again


def test_the_page_in_english(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    session: Session,
    sof_figures: dict,
) -> None:
    entry = archive(session)
    login(make_user("bif"))
    page = client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_from(page)})
    text = page_text(client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True))
    assert "The answer in brief" in text and "Status per placement type" in text
    assert (
        "Below target: 75.0% of the target – the target is not met: 3 counted against a target of 4, 1 short."
        in text
    )


def test_the_page_has_the_pdfs_pace_and_lag_lines(  # type: ignore[no-untyped-def]
    client, login, make_user, session: Session, sof_figures: dict
) -> None:
    entry = archive(session)
    login(make_user("hr", "SOF"))
    text, pdf = (
        page_text(client.get(f"/rapporter/arkiv/{entry.id}").get_data(as_text=True)),
        all_text(entry.pdf),
    )
    for sentence in (
        "Det skal der til inden 31.12.2025",
        "SOF skal besætte 1 plads mere i Virksomhedspraktik før 31. december.",
        "Virksomhedspraktik 4 3 3–3 1 –",
        "Virksomhedspraktik 1 1 1 0,0 % 1 1 1 0,0 %",
    ):
        assert sentence in text and sentence in pdf, sentence
