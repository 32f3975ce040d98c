"""Every marked text has an English translation, the catalogues compile, and English pages are English."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.checkers import python_format
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("quota_app", "reports", "scheduler")
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "lazy_gettext": None}
METHODS = [("**/static/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]


def catalogues() -> list[Path]:
    return sorted((ROOT / "quota_app").glob("**/translations/en/LC_MESSAGES/*.po"))


def extracted_messages() -> list[tuple[str, int, str | tuple]]:
    """Every translatable text in the app's Python and templates: (file, line, msgid)."""
    found = []
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for filename, line, message, _comments, _context in extract_from_dir(
            str(folder), METHODS, keywords=KEYWORDS, strip_comment_tags=True
        ):
            found.append((f"{package}/{filename}", line, message))
    return found


def english() -> dict:
    """msgid -> English msgstr, merged over every feature's catalogue (non-empty, non-fuzzy only)."""
    merged: dict = {}
    for path in catalogues():
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or message.fuzzy:
                    continue
                strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
                if all(strings):
                    merged[message.id] = message.string
    return merged


def test_there_is_something_to_translate():
    messages = extracted_messages()
    assert len(messages) > 50
    assert any(message == "Log ind" for _, _, message in messages)
    assert any(path.endswith("base.html") for path, _, _ in messages)


def test_every_marked_text_has_an_english_translation():
    translated = english()
    missing = sorted(
        {
            f"{path}:{line}: {message!r}"
            for path, line, message in extracted_messages()
            if message not in translated
        }
    )
    assert not missing, (
        "These texts have no English translation in any catalogue under quota_app/**/translations "
        "(extract with pybabel, then fill msgstr):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_compiles_with_matching_placeholders(path):
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    for message in catalogue:
        if message.id and message.string:
            python_format(catalogue, message)  # raises TranslationError on a placeholder mismatch
    write_mo(BytesIO(), catalogue)


def test_make_compiles_every_catalogue():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^setup:.*\btranslations\b", makefile, re.MULTILINE)
    recipe = makefile.split("\ntranslations:", 1)[1].split("\n\n", 1)[0]
    assert "find quota_app -type d -name translations" in recipe and "pybabel compile" in recipe
    for po in catalogues():
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run `make translations`"
        assert mo.stat().st_mtime >= po.stat().st_mtime, (
            f"{mo} is older than its .po: run `make translations`"
        )


def choose_english(client, page: str = "/login") -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page).get_data(as_text=True))
    response = client.post("/language", data={"lang": "en", "next": page, "csrf_token": token})
    assert response.status_code == 302


DANISH_CHROME = ("Log ud", "Forside", "Gå til sidens indhold", "Støttet beskæftigelse", "Hovedmenu")


def test_sign_in_page_in_english(client):
    choose_english(client)
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h1>Sign in</h1>" in page
    assert "Skip to content" in page and "Supported employment" in page and "Password" in page
    assert "Gå til sidens indhold" not in page and "Adgangskode" not in page


@pytest.mark.parametrize(
    ("role", "intro"),
    [
        ("hr", "You register supported places for"),
        ("bif", "You follow quota fulfilment in every department"),
        ("admin", "You manage users, departments and schedules."),
    ],
)
def test_start_pages_in_english(client, login, make_user, role, intro):
    login(make_user(role))
    choose_english(client, "/")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Welcome" in page and intro in page and "Sign out" in page
    for danish in DANISH_CHROME:
        assert danish not in page


def test_errors_in_english(client, login, make_user):
    login(make_user("hr"))
    choose_english(client, "/")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "Error code" in page
    assert "Siden findes ikke" not in page


def test_wrong_password_message_in_english(client, make_user):
    user = make_user("hr")
    choose_english(client)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    page = client.post(
        "/login", data={"email": user.email, "password": "wrong password", "csrf_token": token}
    )
    html = page.get_data(as_text=True)
    assert "Wrong email or password." in html
    assert "There are problems with the form" in html


def test_danish_is_the_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="da">' in page and "<h1>Log ind</h1>" in page
