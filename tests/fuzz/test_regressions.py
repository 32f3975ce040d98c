"""Each server error the route fuzzer found, as a plain example: now a 4xx with a message."""

from __future__ import annotations

import pytest
from werkzeug.test import encode_multipart

from tests.conftest import csrf_from


@pytest.fixture
def bif(client, make_user, login):  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    return client


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # int("9" * 5000) raised ValueError (Python's 4300-digit limit) in the place list
        ("/places/?unit=" + "9" * 5000, 200),
        ("/places/?page=" + "9" * 5000, 200),
        # '²'.isdigit() is True, int('²') raised; 2**63 overflowed SQLite's integer
        ("/monitor/department/SOF/unit/%C2%B2", 404),
        ("/monitor/department/SOF/unit/9223372036854775808", 404),
        ("/monitor/department/SOF/unit/2147483648", 404),
        # a known-at in year 1, Copenhagen time, is year 0 in UTC: OverflowError
        ("/monitor/?known_at=0001-01-01", 400),
        ("/monitor/?date=0001-01-01", 400),
        # out-of-range ids and years never reach a view (they overflowed PostgreSQL's integer)
        ("/places/2147483648", 404),
        ("/exports/targets-99999999999.csv", 404),
        # NUL in a path segment: PostgreSQL refused the department lookup (DataError)
        ("/monitor/department/%00", 404),
        ("/rapporter/2025-H1/SOF%00.pdf", 404),
        # NUL in a query value: PostgreSQL cannot hold it
        ("/places/?q=a%00b", 400),
    ],
)
def test_hostile_values_answer_4xx(bif, path, status):
    response = bif.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:300]


def test_multipart_part_without_a_name_is_dropped_not_a_500(bif):
    # A bare CR in a part's name made Werkzeug give the field the name None; Flask-WTF's CSRF check
    # then failed with AttributeError.
    token = csrf_from(bif.get("/places/new").get_data(as_text=True))
    boundary, body = encode_multipart({"csrf_token": token, "title\rx": "a"})
    response = bif.post("/places/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code < 500


def test_nul_in_a_form_value_is_400(bif):
    token = csrf_from(bif.get("/places/new").get_data(as_text=True))
    response = bif.post("/places/new", data={"csrf_token": token, "title": "a\x00b"})
    assert response.status_code == 400


def test_a_400_page_says_what_was_wrong_in_the_readers_language(bif):
    response = bif.get("/places/?q=a%00b")
    assert response.status_code == 400
    assert "Forespørgslen indeholder et ugyldigt tegn (kode U+0000)." in response.get_data(as_text=True)
    bif.post(
        "/language", data={"lang": "en", "csrf_token": csrf_from(bif.get("/places/").get_data(as_text=True))}
    )
    english = bif.get("/places/?q=a%00b").get_data(as_text=True)
    assert "The request contains an invalid character (code U+0000)." in english
