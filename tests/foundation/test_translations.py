"""Every marked text has an English translation, the catalogues compile, and English pages are English."""

from __future__ import annotations

import ast
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
# N_ (quota_app.texts) marks the messages services raise; it is one of Babel's default keywords too.
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "_p": ((1, "c"), 2), "lazy_gettext": None, "N_": None}
METHODS = [
    ("**/static/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),  # mail texts
]


def catalogues() -> list[Path]:
    return sorted((ROOT / "quota_app").glob("**/translations/en/LC_MESSAGES/*.po"))


def extracted_messages() -> list[tuple[str, int, str | tuple, str | None]]:
    """Every translatable text in the app's Python and templates: (file, line, msgid, context)."""
    found = []
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for filename, line, message, _comments, context in extract_from_dir(
            str(folder), METHODS, keywords=KEYWORDS, strip_comment_tags=True
        ):
            found.append((f"{package}/{filename}", line, message, context))
    return found


def english() -> dict:
    """(context, msgid) -> English msgstr, merged over every feature's catalogue (non-empty, non-fuzzy)."""
    merged: dict = {}
    for path in catalogues():
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or message.fuzzy:
                    continue
                strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
                if all(strings):
                    merged[(message.context, message.id)] = message.string
    return merged


def test_there_is_something_to_translate():
    messages = extracted_messages()
    assert len(messages) > 50
    assert any(message == "Log ind" for _, _, message, _ in messages)
    assert any(path.endswith("base.html") for path, _, _, _ in messages)
    assert any(context == "menu" for _, _, _, context in messages)


def test_messages_services_raise_are_extracted():
    found = {(path, message) for path, _, message, _ in extracted_messages()}
    for path, message in (
        ("quota_app/places/status_events.py", "Pladsen findes ikke."),
        ("quota_app/places/rules.py", "%(first)s eller %(last)s"),
        ("quota_app/imports/place_plan.py", "Pladsen %(reference)s: %(problem)s"),
        ("quota_app/targets/services.py", "Der er ingen måltal for %(year)d at kopiere."),
        ("quota_app/api/inputs.py", "Feltet '%(name)s' mangler."),
        ("quota_app/periods.py", "Ugyldig periode '%(text)s': brug fx 2025, 2025-H1 eller 2025-H2."),
        ("reports/gather.py", "Ukendt forvaltning '%(code)s'."),
    ):
        assert (path, message) in found, (path, message)
    config = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    assert re.search(r"^keywords = .*\bN_\b", config, re.MULTILINE), "babel.cfg must list N_ for pybabel"


# Where people's messages are made without Flask, and the calls whose message argument must be marked.
MESSAGE_SOURCES = (
    "quota_app/*/services.py",
    "quota_app/targets/checks.py",
    "quota_app/targets/counting_rules.py",
    "quota_app/targets/municipal_targets.py",
    "quota_app/targets/target_import.py",
    "quota_app/places/*.py",
    "quota_app/dispatch/*.py",
    "quota_app/imports/*.py",
    "quota_app/periods.py",
    "quota_app/api/*.py",
    "reports/**/*.py",
)
MESSAGE_ARGUMENT = {"DomainError": 0, "NotFound": 0, "Conflict": 0, "RowError": 1, "fail": 1}


def test_messages_services_raise_are_marked_for_translation():
    """A plain or f-string message could never be shown in English: services must use N_."""
    unmarked = []
    for pattern in MESSAGE_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                position = MESSAGE_ARGUMENT.get(name)
                if position is None or len(node.args) <= position:
                    continue
                argument = node.args[position]
                if isinstance(argument, ast.JoinedStr | ast.BinOp) or (
                    isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                ):
                    unmarked.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(argument)[:80]}")
    assert not unmarked, "Mark these messages with quota_app.texts.N_:\n" + "\n".join(unmarked)


def test_a_text_has_the_same_english_in_every_catalogue():
    """Flask-Babel merges the catalogues and the last one wins: a text in several of them must agree.
    Where a text needs other English in other places, it has a context (_p, pgettext)."""
    seen: dict = {}
    for path in catalogues():
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string and not message.fuzzy:
                    key = (message.context, message.id)
                    seen.setdefault(key, {}).setdefault(str(message.string), []).append(
                        str(path.relative_to(ROOT))
                    )
    assert len(seen) > 300
    differing = {key: strings for key, strings in seen.items() if len(strings) > 1}
    assert not differing, differing


def test_every_marked_text_has_an_english_translation():
    translated = english()
    missing = sorted(
        {
            f"{path}:{line}: {message!r}" + (f" (context {context!r})" if context else "")
            for path, line, message, context in extracted_messages()
            if (context, message) not in translated
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


def test_a_word_gets_the_english_of_where_it_stands(client, login, make_user):
    """'Måltal' is Targets in the menu and Target above a column; 'Årsværk' is spelt out on a form."""
    login(make_user("bif"))
    choose_english(client, "/")
    start = client.get("/").get_data(as_text=True)
    assert ">Targets</a>" in start and ">API tokens</a>" in start
    department = client.get("/monitor/department/SOF?date=2025-06-30").get_data(as_text=True)
    assert '<th scope="col" class="mon-num">Target</th>' in department
    client.post("/logout", data={"csrf_token": csrf_from(start)})
    login(make_user("hr"))
    choose_english(client, "/places/new")
    form = client.get("/places/new").get_data(as_text=True)
    assert "Full-time equivalent (FTE)" in form and "Årsværk" not in form
