"""Importing places through the browser: upload, preview every bad row, confirm all or nothing."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlmodel import Session

from quota_app.models import Place, User
from tests.conftest import csrf_from
from tests.places_web.conftest import counts

HEADER = "reference;department;type;status;effective_date;unit;title;fte;note"


def upload(client, data: bytes, filename: str):  # type: ignore[no-untyped-def]
    """Post a file to the upload form; return (response of the preview page, token or None)."""
    token = csrf_from(client.get("/places/import").get_data(as_text=True))
    response = client.post(
        "/places/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    if response.status_code != 302:
        return response, None
    # The preview runs as a background job (inline here): its page leads on to the preview when done.
    page = client.get(response.headers["Location"], follow_redirects=True)
    return page, page.request.path.rsplit("/", 1)[1]


def confirm(client, token: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/places/import/{token}").get_data(as_text=True)
    return client.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf_from(page)})


def _error_rows(html: str) -> list[str]:
    table = re.search(r'<table class="table" id="import-errors">(.*?)</table>', html, re.S)
    return re.findall(r"<tr><td>([^<]+)</td>", table.group(1)) if table else []


def _csv(*rows: str, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return ("\r\n".join((header, *rows)) + "\r\n").encode(encoding)


GOOD_ROWS = (
    "SOF-1;SOF;Virksomhedspraktik;åben;01-08-2025;Køkkenet;Køkkenhjælp;0,5;",
    "SOF-1;SOF;Virksomhedspraktik;besat;15.08.2025;Køkkenet;Køkkenhjælp;0,5;Besat",
    "SOF-2;SOF;Fleksjob;åben;2025-09-01;;Pedel;1;",
)


def test_bad_row_is_reported_and_nothing_saved_then_fixed_file_saves_all(
    client, login, session, make_user
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("hr", "SOF"))
    before = counts(session)
    bad = _csv(*GOOD_ROWS, "SOF-3;SOF;Virksomhedspraktik;måske;01-09-2025;;;;")
    page, token = upload(client, bad, "pladser.csv")
    html = page.get_data(as_text=True)
    assert _error_rows(html) == ["5"]  # the header is row 1
    assert "måske" in html
    assert "Gem alle rækker" not in html  # nothing to confirm
    assert counts(session) == before
    # The bad file is not kept (only its report), so a hand-made confirm finds nothing to save.
    response = client.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 404
    assert counts(session) == before

    fixed = _csv(*GOOD_ROWS, "SOF-3;SOF;Virksomhedspraktik;i bero;01-09-2025;;;;".replace("i bero", "åben"))
    page, token = upload(client, fixed, "pladser.csv")
    html = page.get_data(as_text=True)
    assert _error_rows(html) == [] and 'id="rows-read">4<' in html
    assert counts(session) == before  # the preview saves nothing
    response = confirm(client, token)
    assert response.status_code == 302
    assert counts(session) == (before[0] + 3, before[1] + 4)
    assert re.search(r"/places/import/jobs/\d+$", response.headers["Location"])
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Importen er gemt" in done and "3 nye pladser, 4 nye statusændringer" in done
    assert client.get(f"/places/import/{token}").status_code == 404  # the stored file is gone


def test_reimporting_the_same_file_changes_nothing(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    data = _csv(*GOOD_ROWS)
    _page, token = upload(client, data, "a.csv")
    assert confirm(client, token).status_code == 302
    after_first = counts(session)
    page, token = upload(client, data, "a.csv")
    assert _error_rows(page.get_data(as_text=True)) == []
    assert confirm(client, token).status_code == 302
    assert counts(session) == after_first


def test_windows_1252_semicolons_and_decimal_commas(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    data = _csv("SOF-Æ;SOF;Virksomhedspraktik;åben;01-09-2025;Ældreplejen;Gårdmand;0,75;", encoding="cp1252")
    assert "Æ".encode("cp1252") in data
    page, token = upload(client, data, "fra-excel.csv")
    assert _error_rows(page.get_data(as_text=True)) == []
    assert confirm(client, token).status_code == 302
    place = session.execute(sa.select(Place).where(Place.reference == "SOF-Æ")).scalar_one()
    assert (place.title, place.fte) == ("Gårdmand", 0.75)


def test_utf8_with_bom_and_commas(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    data = b"\xef\xbb\xbf" + _csv(
        "SOF-B,SOF,Nytteindsats,åben,2025-09-01,,Parkarbejde,1,", header=HEADER.replace(";", ",")
    )
    page, token = upload(client, data, "bom.csv")
    assert _error_rows(page.get_data(as_text=True)) == []
    assert confirm(client, token).status_code == 302
    assert (
        session.execute(sa.select(Place.title).where(Place.reference == "SOF-B")).scalar_one()
        == "Parkarbejde"
    )


def _xlsx(*rows: tuple) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    data = _xlsx(("SOF-X", "SOF", "Seniorjob", "besat", "01-09-2025", "", "Vejleder", 0.5, ""))
    page, token = upload(client, data, "pladser.xlsx")
    assert _error_rows(page.get_data(as_text=True)) == []
    assert confirm(client, token).status_code == 302
    assert session.execute(sa.select(Place.fte).where(Place.reference == "SOF-X")).scalar_one() == 0.5


def test_empty_file_is_reported(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    before = counts(session)
    page, _token = upload(client, b"", "tom.csv")
    html = page.get_data(as_text=True)
    assert _error_rows(html) == ["Hele filen"] and "Filen er tom" in html
    assert "Gem alle rækker" not in html
    assert counts(session) == before


def test_a_formula_in_a_csv_cell_is_reported(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    before = counts(session)
    data = _csv(GOOD_ROWS[0], 'SOF-F;SOF;Fleksjob;åben;01-09-2025;;=HYPERLINK("http://x");1;')
    page, _token = upload(client, data, "formel.csv")
    html = page.get_data(as_text=True)
    assert _error_rows(html) == ["3"] and "formel" in html
    assert counts(session) == before


def test_a_formula_in_an_xlsx_cell_is_reported_never_read_by_its_cached_value(
    client, login, session, make_user
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("hr", "SOF"))
    before = counts(session)
    data = _xlsx(("SOF-F", "SOF", "Fleksjob", "åben", "01-09-2025", "", "=1+2", 1, "=CMD()"))
    page, _token = upload(client, data, "formel.xlsx")
    # The file has no cached values: read by them, the formulas would have become blank cells.
    html = page.get_data(as_text=True)
    assert _error_rows(html) == ["2"] and "Cellen G2 indeholder en formel (=1+2)" in html
    assert "Gem alle rækker" not in html
    assert counts(session) == before


def test_cpr_number_in_a_row_is_reported(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    before = counts(session)
    page, _token = upload(
        client, _csv("SOF-C;SOF;Fleksjob;åben;01-09-2025;;;1;Borger 010190-1234"), "cpr.csv"
    )
    html = page.get_data(as_text=True)
    assert _error_rows(html) == ["2"] and "CPR" in html
    assert counts(session) == before


def test_rows_of_another_department_are_errors_for_hr(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    before = counts(session)
    page, token = upload(client, _csv(GOOD_ROWS[0], "ØKF-1;ØKF;Fleksjob;åben;01-09-2025;;;1;"), "mix.csv")
    assert _error_rows(page.get_data(as_text=True)) == ["3"]
    csrf = csrf_from(page.get_data(as_text=True))
    assert client.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf}).status_code == 404
    assert counts(session) == before


def test_another_user_cannot_see_or_confirm_an_upload(
    app: Flask,
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
) -> None:
    login(make_user("hr", "SOF"))
    _page, token = upload(client, _csv(*GOOD_ROWS), "a.csv")
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    other_user = make_user("hr", "ØKF")
    from tests.conftest import TEST_PASSWORD

    other.post(
        "/login", data={"email": other_user.email, "password": TEST_PASSWORD, "csrf_token": csrf_from(page)}
    )
    before = counts(session)
    assert other.get(f"/places/import/{token}").status_code == 404
    csrf = csrf_from(other.get("/places/import").get_data(as_text=True))
    assert other.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf}).status_code == 404
    assert other.get("/places/import/not-a-token").status_code == 404
    assert counts(session) == before


def test_templates_have_danish_headers(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    response = client.get("/places/import/template.csv")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffreference;forvaltning;ordning;status;dato;enhed;titel;årsværk;note")
    workbook = load_workbook(io.BytesIO(client.get("/places/import/template.xlsx").get_data()))
    header = [cell.value for cell in workbook.active[1]]
    assert header == [
        "reference",
        "forvaltning",
        "ordning",
        "status",
        "dato",
        "enhed",
        "titel",
        "årsværk",
        "note",
    ]
    assert client.get("/places/import/template.pdf").status_code == 404


def test_the_template_imports_cleanly(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    for fmt in ("csv", "xlsx"):
        data = client.get(f"/places/import/template.{fmt}").get_data()
        page, _token = upload(client, data, f"skabelon.{fmt}")
        assert _error_rows(page.get_data(as_text=True)) == [], fmt


def _multipart(token: str, data: bytes, filename: str) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool a large one to an unclosed temp file)."""
    boundary = "hr-pages-boundary-7d1f"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_large_upload_is_accepted_and_previewed(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    note = "Lang bemærkning om pladsen. " * 70  # about 2,000 characters a row
    rows = [
        f"SOF-L{n:05d};SOF;Virksomhedspraktik;åben;01-09-2025;;Praktik;1;{note[:1990]}" for n in range(10_500)
    ]
    data = _csv(*rows)
    assert len(data) > 20 * 1024 * 1024
    before = counts(session)
    token = csrf_from(client.get("/places/import").get_data(as_text=True))
    body, content_type = _multipart(token, data, "stor.csv")
    response = client.post("/places/import", data=body, content_type=content_type)
    assert response.status_code == 302
    html = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert 'id="rows-read">10500<' in html and _error_rows(html) == []
    assert counts(session) == before


def test_upload_over_the_limit_is_refused(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    token = csrf_from(client.get("/places/import").get_data(as_text=True))
    body, content_type = _multipart(token, b"x" * (64 * 1024 * 1024 + 1), "big.csv")
    assert client.post("/places/import", data=body, content_type=content_type).status_code == 413


def test_a_change_between_preview_and_confirm_is_reported_and_nothing_saved(  # type: ignore[no-untyped-def]
    client, login, session, make_user, register_place
) -> None:
    hr = make_user("hr", "SOF")
    login(hr)
    data = _csv(
        "SOF-NY;SOF;Virksomhedspraktik;åben;01-08-2025;;;1;",
        "SOF-NY;SOF;Virksomhedspraktik;besat;15-08-2025;;;1;",
    )
    page, token = upload(client, data, "ny.csv")
    assert _error_rows(page.get_data(as_text=True)) == []
    # Meanwhile a colleague registers the same place and closes it before the file's fill.
    register_place(
        ("open", date(2025, 8, 1)),
        ("closed", date(2025, 8, 10)),
        actor=hr,
        reference="SOF-NY",
        commit=True,
    )
    before = counts(session)
    response = confirm(client, token)
    assert response.status_code == 302  # the job finds the clash
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Importen blev ikke gemt" in html and "forkerte rækker: 1" in html
    assert "Intet er gemt" in html
    assert counts(session) == before


def test_an_upload_is_bound_to_the_browser_session(
    app: Flask,
    client: FlaskClient,
    login: Callable[[User], None],
    session: Session,
    make_user: Callable[..., User],
) -> None:
    hr = make_user("hr", "SOF")
    login(hr)
    _page, token = upload(client, _csv(*GOOD_ROWS), "a.csv")
    other_browser = app.test_client()  # the same user, signed in elsewhere
    page = other_browser.get("/login").get_data(as_text=True)
    from tests.conftest import TEST_PASSWORD

    other_browser.post(
        "/login", data={"email": hr.email, "password": TEST_PASSWORD, "csrf_token": csrf_from(page)}
    )
    before = counts(session)
    assert other_browser.get(f"/places/import/{token}").status_code == 404
    csrf = csrf_from(other_browser.get("/places/import").get_data(as_text=True))
    assert other_browser.post(f"/places/import/{token}/confirm", data={"csrf_token": csrf}).status_code == 404
    assert counts(session) == before
    assert client.get(f"/places/import/{token}").status_code == 200


def _problems(page) -> list[str]:  # type: ignore[no-untyped-def]
    table = re.search(
        r'<table class="table" id="import-errors">(.*?)</table>', page.get_data(as_text=True), re.S
    )
    return [html.unescape(p) for p in re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td>", table.group(1))]


def test_bad_rows_in_danish_then_the_same_preview_in_english(
    client: FlaskClient, login: Callable[[User], None], session: Session, make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    bad = _csv(
        *GOOD_ROWS,
        "SOF-3;SOF;Virksomhedspraktik;i bero;01-09-2025;;;;",
        "SOF-4;XYZ;Virksomhedspraktik;måske;2025-09-01;;;;",
    )
    page, token = upload(client, bad, "pladser.csv")
    assert _problems(page) == [
        "Pladsen SOF-3: En plads skal begynde som åben eller besat, ikke som i bero (01.09.2025).",
        "Ukendt forvaltning 'XYZ'. Ukendt status 'måske': brug åben, besat, i bero eller nedlagt.",
    ]
    html_da = page.get_data(as_text=True)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_from(html_da), "next": "/places/import"})
    page = client.get(f"/places/import/{token}")  # the preview kept on disk, read in the new language
    assert _problems(page) == [
        "Place SOF-3: A place must start as open or filled, not as paused (01.09.2025).",
        "Unknown department 'XYZ'. Unknown status 'måske': use open, filled, paused or closed.",
    ]
    assert "2 rows are wrong. Nothing is saved." in page.get_data(as_text=True)


def test_a_whole_file_problem_in_english(
    client: FlaskClient, login: Callable[[User], None], make_user: Callable[..., User]
) -> None:
    login(make_user("hr", "SOF"))
    token = csrf_from(client.get("/places/import").get_data(as_text=True))
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/places/import"})
    page, _token = upload(client, b"", "tom.csv")
    assert _error_rows(page.get_data(as_text=True)) == ["The whole file"]
    assert _problems(page) == ["The file is empty."]
