"""Reports in the browser: BIF sees every department and can archive; HR sees only their own."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import Session, select

from quota_app.clock import FrozenClock
from quota_app.models import AuditEntry, ReportArchive, User
from tests.conftest import csrf_from

from .pdfs import all_text


def test_bif_sees_every_department_and_the_consolidated_report(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User]
) -> None:
    login(make_user("bif"))
    default = client.get("/rapporter/").get_data(as_text=True)
    assert 'value="2025-H1"' in default  # the last half-year completed on 30.09.2025
    page = client.get("/rapporter/?period=2025-H1").get_data(as_text=True)
    assert "Økonomiforvaltningen (ØKF)" in page and "Socialforvaltningen (SOF)" in page
    assert "Samlet rapport for kommunen" in page and "Hent som endelig" in page
    response = client.get("/rapporter/2025-H1/%C3%98KF.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "Økonomiforvaltningen" in all_text(response.data)
    consolidated = client.get("/rapporter/2025-H1/samlet.pdf?download=1")
    assert consolidated.status_code == 200
    assert consolidated.headers["Content-Disposition"].startswith("attachment")
    assert "Kommunen i alt" in all_text(consolidated.data)


def test_bif_downloads_as_final_and_it_is_archived(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    session: Session,
    clock: FrozenClock,
) -> None:
    login(make_user("bif"))
    token = csrf_from(client.get("/rapporter/?period=2025-H1").get_data(as_text=True))
    assert client.post("/rapporter/2025-H1/SOF/endelig").status_code == 400  # no CSRF token
    response = client.post("/rapporter/2025-H1/SOF/endelig", data={"csrf_token": token})
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    [entry] = session.exec(select(ReportArchive)).all()
    assert (entry.period, entry.scope, entry.known_at) == ("2025-H1", "SOF", clock.now())
    assert entry.pdf == response.data
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "report.archive")).first() is not None
    page = client.get("/rapporter/?period=2025-H1").get_data(as_text=True)
    assert entry.sha256[:16] in page
    archived = client.get(f"/rapporter/arkiv/{entry.id}.pdf")
    assert archived.status_code == 200 and archived.data == entry.pdf
    final = client.post("/rapporter/2025-H1/samlet/endelig", data={"csrf_token": token})
    assert final.status_code == 200
    assert {e.scope for e in session.exec(select(ReportArchive)).all()} == {"SOF", "KK"}


def test_hr_sees_only_their_own_department(
    client: FlaskClient,
    login: Callable[[User], None],
    make_user: Callable[..., User],
    session: Session,
    clock: FrozenClock,
) -> None:
    login(make_user("hr", "SOF"))
    page = client.get("/rapporter/?period=2025-H1").get_data(as_text=True)
    assert "Socialforvaltningen (SOF)" in page
    assert (
        "Økonomiforvaltningen" not in page and "Samlet rapport" not in page and "Hent som endelig" not in page
    )
    own = client.get("/rapporter/2025-H1/SOF.pdf")
    assert own.status_code == 200 and "Socialforvaltningen" in all_text(own.data)
    assert client.get("/rapporter/2025-H1/BUF.pdf").status_code == 404
    assert client.get("/rapporter/2025-H1/%C3%98KF.pdf?download=1").status_code == 404
    assert client.get("/rapporter/2025-H1/samlet.pdf").status_code == 403
    token = csrf_from(page)
    assert client.post("/rapporter/2025-H1/SOF/endelig", data={"csrf_token": token}).status_code == 403
    assert session.exec(select(ReportArchive)).all() == []


def test_hr_cannot_fetch_another_departments_archived_report(  # type: ignore[no-untyped-def]
    client, login, make_user, session: Session, clock, reference
) -> None:
    from quota_app.periods import parse_period
    from reports import services as report_services

    period = parse_period("2025-H1")
    other = report_services.archive_report(
        session,
        period=period,
        department_code="BUF",
        known_at=clock.now(),
        pdf=b"%PDF-1.4",
        actor="t",
        now=clock.now(),
    )
    everyone = report_services.archive_report(
        session,
        period=period,
        department_code=None,
        known_at=clock.now(),
        pdf=b"%PDF-1.4",
        actor="t",
        now=clock.now(),
    )
    session.commit()
    login(make_user("hr", "SOF"))
    assert client.get(f"/rapporter/arkiv/{other.id}.pdf").status_code == 404
    assert client.get(f"/rapporter/arkiv/{everyone.id}.pdf").status_code == 404
    assert client.get("/rapporter/arkiv/999999.pdf").status_code == 404
    page = client.get("/rapporter/?period=2025-H1").get_data(as_text=True)
    assert other.sha256[:16] not in page


def test_bad_period_is_explained_and_unknown_ones_are_404(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User]
) -> None:
    login(make_user("bif"))
    page = client.get("/rapporter/?period=2025-H3")
    assert page.status_code == 200 and "Ugyldig periode" in page.get_data(as_text=True)
    assert client.get("/rapporter/2025-H3/SOF.pdf").status_code == 404
    assert client.get("/rapporter/2025-H1/XYZ.pdf").status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client: FlaskClient) -> None:
    assert client.get("/rapporter/2025-H1/SOF.pdf").status_code == 302


def test_every_text_has_an_english_translation() -> None:
    from pathlib import Path

    from babel.messages.pofile import read_po

    import quota_app

    po = Path(quota_app.__file__).parent / "reports_web/translations/en/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 20
    assert [m.id for m in messages if not m.string or m.fuzzy] == []
