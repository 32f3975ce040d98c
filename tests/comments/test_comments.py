"""The shortfall explanation: HR writes it per half-year, it locks when the report is sent, BIF reads all."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlmodel import Session

from quota_app.clock import FrozenClock
from quota_app.comments import services
from quota_app.errors import DomainError
from quota_app.models import AuditEntry, DepartmentComment, User
from tests.conftest import csrf_from, department


def _count(session) -> int:  # type: ignore[no-untyped-def]
    return session.execute(sa.select(sa.func.count()).select_from(DepartmentComment)).scalar_one()


def test_save_creates_then_updates_and_audits(
    session: Session, reference: dict, make_user: Callable[..., User], clock: FrozenClock
) -> None:
    hr = make_user("hr", "SOF")
    sof = department(session, "SOF")
    comment = services.save_comment(
        session,
        period="2025-H1",
        department_id=sof.id,
        text=" Færre praktikpladser. ",
        actor=hr,
        now=clock.now(),
    )
    assert comment.text == "Færre praktikpladser."
    assert comment.author_id == hr.id
    services.save_comment(
        session,
        period="2025-H1",
        department_id=sof.id,
        text="Nyt forløb i efteråret.",
        actor=hr,
        now=clock.now(),
    )
    assert _count(session) == 1
    assert (
        services.get_comment(session, period="2025-H1", department_id=sof.id).text
        == "Nyt forløb i efteråret."
    )
    actions = (
        session.execute(
            sa.select(AuditEntry.action)
            .where(AuditEntry.entity_type == "department_comment")
            .order_by(AuditEntry.id)
        )
        .scalars()
        .all()
    )
    assert actions == ["comment.create", "comment.update"]


def test_locked_comment_refuses_edits(
    session: Session, reference: dict, make_user: Callable[..., User], clock: FrozenClock
) -> None:
    hr = make_user("hr", "SOF")
    sof = department(session, "SOF")
    services.save_comment(
        session, period="2025-H1", department_id=sof.id, text="Før", actor=hr, now=clock.now()
    )
    locked = services.lock_comment(session, period="2025-H1", department_id=sof.id, now=clock.now())
    assert locked.locked_at == clock.now()
    again = services.lock_comment(
        session, period="2025-H1", department_id=sof.id, now=clock.now() + timedelta(days=1)
    )
    assert again.locked_at == clock.now()  # idempotent: the first lock time stays
    with pytest.raises(DomainError, match="låst") as refused:
        services.save_comment(
            session, period="2025-H1", department_id=sof.id, text="Efter", actor=hr, now=clock.now()
        )
    assert refused.value.field == "text"
    assert services.get_comment(session, period="2025-H1", department_id=sof.id).text == "Før"


def test_lock_without_comment_creates_an_empty_locked_one(
    session: Session, reference: dict, clock: FrozenClock
) -> None:
    sof = department(session, "SOF")
    comment = services.lock_comment(session, period="2025-H2", department_id=sof.id, now=clock.now())
    assert comment.text == "" and comment.locked_at is not None


def test_comment_is_per_half_year(
    session: Session, reference: dict, make_user: Callable[..., User], clock: FrozenClock
) -> None:
    hr = make_user("hr", "SOF")
    sof = department(session, "SOF")
    with pytest.raises(DomainError, match="halvår"):
        services.save_comment(
            session, period="2025", department_id=sof.id, text="x", actor=hr, now=clock.now()
        )
    with pytest.raises(DomainError):
        services.save_comment(
            session, period="2025-H3", department_id=sof.id, text="x", actor=hr, now=clock.now()
        )


def test_cpr_number_is_refused(
    session: Session, reference: dict, make_user: Callable[..., User], clock: FrozenClock
) -> None:
    hr = make_user("hr", "SOF")
    sof = department(session, "SOF")
    with pytest.raises(DomainError, match="CPR") as refused:
        services.save_comment(
            session,
            period="2025-H1",
            department_id=sof.id,
            text="Borger 010190-1234 stoppede",
            actor=hr,
            now=clock.now(),
        )
    assert refused.value.field == "text"
    assert _count(session) == 0


# --- through the browser's routes ---


def test_hr_writes_the_comment_in_the_browser(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    reference: dict,
    make_user: Callable[..., User],
) -> None:
    hr = make_user("hr", "SOF")
    login(hr)
    response = client.get("/comments/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/comments/2025-H1")  # the last completed half-year
    page = client.get("/comments/2025-H1").get_data(as_text=True)
    response = client.post(
        "/comments/2025-H1", data={"csrf_token": csrf_from(page), "text": "Vi mangler 3 fleksjob."}
    )
    assert response.status_code == 302
    sof = department(session, "SOF")
    assert (
        services.get_comment(session, period="2025-H1", department_id=sof.id).text == "Vi mangler 3 fleksjob."
    )
    assert "Vi mangler 3 fleksjob." in client.get("/comments/2025-H1").get_data(as_text=True)


def test_cpr_in_the_browser_is_refused_with_a_reason(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    reference: dict,
    make_user: Callable[..., User],
) -> None:
    login(make_user("hr", "SOF"))
    page = client.get("/comments/2025-H1").get_data(as_text=True)
    response = client.post(
        "/comments/2025-H1", data={"csrf_token": csrf_from(page), "text": "Se 010190-1234"}
    )
    assert response.status_code == 422
    assert "CPR" in response.get_data(as_text=True)
    assert _count(session) == 0


def test_locked_comment_shows_read_only_and_refuses_post(
    client, login, session, reference, make_user, clock
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr", "SOF")
    sof = department(session, "SOF")
    services.save_comment(
        session, period="2025-H1", department_id=sof.id, text="Låst tekst", actor=hr, now=clock.now()
    )
    services.lock_comment(session, period="2025-H1", department_id=sof.id, now=clock.now())
    session.commit()
    login(hr)
    assert client.get("/comments/").headers["Location"].endswith("/comments/2025-H2")
    page = client.get("/comments/2025-H1").get_data(as_text=True)
    assert 'id="comment-locked"' in page and "<textarea" not in page
    response = client.post("/comments/2025-H1", data={"csrf_token": csrf_from(page), "text": "Ændret"})
    assert response.status_code == 409
    assert "låst" in response.get_data(as_text=True)
    assert services.get_comment(session, period="2025-H1", department_id=sof.id).text == "Låst tekst"


def test_hr_cannot_read_or_change_another_departments_comment(
    client, login, session, reference, make_user, clock
) -> None:  # type: ignore[no-untyped-def]
    other = make_user("hr", "ØKF")
    okf = department(session, "ØKF")
    services.save_comment(
        session,
        period="2025-H1",
        department_id=okf.id,
        text="ØKF's hemmelighed",
        actor=other,
        now=clock.now(),
    )
    session.commit()
    login(make_user("hr", "SOF"))
    page = client.get("/comments/2025-H1?department=ØKF").get_data(as_text=True)
    assert "ØKF's hemmelighed" not in page  # the department argument is ignored for HR
    client.post(
        "/comments/2025-H1?department=ØKF", data={"csrf_token": csrf_from(page), "text": "Overskrevet"}
    )
    assert services.get_comment(session, period="2025-H1", department_id=okf.id).text == "ØKF's hemmelighed"
    sof = department(session, "SOF")
    assert services.get_comment(session, period="2025-H1", department_id=sof.id).text == "Overskrevet"


def test_bif_reads_all_comments_but_cannot_write(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    reference: dict,
    make_user: Callable[..., User],
    clock: FrozenClock,
) -> None:
    hr = make_user("hr", "SOF")
    sof = department(session, "SOF")
    services.save_comment(
        session, period="2025-H1", department_id=sof.id, text="SOF forklarer", actor=hr, now=clock.now()
    )
    session.commit()
    login(make_user("bif"))
    page = client.get("/comments/2025-H1?department=ØKF").get_data(as_text=True)
    assert "SOF forklarer" in page and "<textarea" not in page
    response = client.post("/comments/2025-H1", data={"csrf_token": csrf_from(page), "text": "BIF skriver"})
    assert response.status_code == 403
    assert services.get_comment(session, period="2025-H1", department_id=sof.id).text == "SOF forklarer"


def test_unknown_period_is_404(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    assert client.get("/comments/2025").status_code == 404
    assert client.get("/comments/nonsense").status_code == 404


def test_the_comment_page_shows_the_figures_it_explains(
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    reference: dict,
    make_user: Callable[..., User],
) -> None:
    from quota_app.models import PlacementType, Target
    from quota_app.places import registration
    from tests.conftest import T0

    hr = make_user("hr", "SOF")
    sof = department(session, "SOF")
    flex = session.execute(sa.select(PlacementType).where(PlacementType.code == "flex_job")).scalar_one()
    session.add(Target(year=2025, department_id=sof.id, type_id=flex.id, value=4, updated_at=T0))
    registration.register_place(
        session,
        department_id=sof.id,
        type_code="flex_job",
        reference="F-1",
        status="filled",
        effective_date=date(2025, 3, 1),
        actor=hr,
        now=T0,
    )
    registration.register_place(  # filled after the half-year: not in its figures
        session,
        department_id=sof.id,
        type_code="flex_job",
        reference="F-2",
        status="filled",
        effective_date=date(2025, 8, 1),
        actor=hr,
        now=T0,
    )
    session.commit()
    login(hr)
    html = client.get("/comments/2025-H1").get_data(as_text=True)
    table = html[html.index('id="comment-figures"') :]
    row = table[table.index("Fleksjob") : table.index("</tr>", table.index("Fleksjob"))]
    assert "30.06.2025" in html
    assert [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row)] == ["4", "1", "25,0 %"]
    html = client.get("/comments/2025-H2").get_data(as_text=True)  # still running: today's figures
    assert "30.09.2025" in html
