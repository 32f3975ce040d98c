"""Messages from services: Danish as plain text, English through the catalogues when the reader asks."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from quota_app import create_app
from quota_app.clock import FrozenClock
from quota_app.errors import DomainError, NotFound
from quota_app.imports.files import RowError
from quota_app.places.rules import _words, history_problem, transition_problem
from quota_app.texts import N_, ByLanguage, Joined, Text, from_data, render, to_data
from quota_app.web import localized
from tests.factories import bare_settings

ENGLISH = {
    "besat": "filled",
    "i bero": "paused",
    "Pladsen %(reference)s: %(problem)s": "Place %(reference)s: %(problem)s",
    "En plads kan ikke gå fra %(previous)s til %(status)s (%(date)s).": (
        "A place cannot go from %(previous)s to %(status)s (%(date)s)."
    ),
    "Der er %(count)d pladser.": "There are %(count)d places.",
    "Ordningen %(name)s er ikke længere i brug.": "The placement type %(name)s is no longer in use.",
}


def english(msgid: str) -> str:
    return ENGLISH.get(msgid, msgid)


REFUSED = N_(
    "En plads kan ikke gå fra %(previous)s til %(status)s (%(date)s).",
    previous=N_("besat"),
    status=N_("i bero"),
    date=date(2025, 2, 1),
)


def test_a_text_is_the_danish_string():
    assert REFUSED == "En plads kan ikke gå fra besat til i bero (01.02.2025)."
    assert isinstance(REFUSED, str) and str(REFUSED) == REFUSED and render(REFUSED) == REFUSED
    assert f"{REFUSED}" == REFUSED
    assert REFUSED.msgid == "En plads kan ikke gå fra %(previous)s til %(status)s (%(date)s)."


def test_rendered_with_a_translator_the_text_and_its_parameters_are_translated():
    assert REFUSED.render(english, language="en") == "A place cannot go from filled to paused (01.02.2025)."
    assert N_("Der er %(count)d pladser.", count=3).render(english, language="en") == "There are 3 places."


def test_without_a_translation_the_danish_text_is_shown():
    assert N_("Ukendt ting '%(x)s'.", x="y").render(english, language="en") == "Ukendt ting 'y'."
    assert N_("Uden parametre.").render(english, language="en") == "Uden parametre."


def test_joined_texts_are_translated_part_by_part():
    both = Joined([REFUSED, N_("Pladsen %(reference)s: %(problem)s", reference="P-1", problem=REFUSED)])
    assert both == f"{REFUSED} Pladsen P-1: {REFUSED}"
    assert both.render(english, language="en") == (
        "A place cannot go from filled to paused (01.02.2025). "
        "Place P-1: A place cannot go from filled to paused (01.02.2025)."
    )


def test_names_stored_in_each_language_follow_the_reader():
    retired = N_("Ordningen %(name)s er ikke længere i brug.", name=ByLanguage(da="Fleksjob", en="Flex job"))
    assert retired == "Ordningen Fleksjob er ikke længere i brug."
    assert retired.render(english, language="en") == "The placement type Flex job is no longer in use."


def test_plain_text_is_shown_as_it_is():
    assert render("Bare tekst", english, language="en") == "Bare tekst"
    assert render(None) == ""


@pytest.mark.parametrize(
    "text",
    [
        REFUSED,
        Joined([REFUSED, N_("besat")], " / "),
        N_("Ordningen %(name)s er ikke længere i brug.", name=ByLanguage(da="Fleksjob", en="Flex job")),
    ],
    ids=["text", "joined", "by-language"],
)
def test_a_text_survives_json_pickle_and_copy(text):
    for kept in (
        from_data(json.loads(json.dumps(to_data(text)))),
        pickle.loads(pickle.dumps(text)),  # noqa: S301 - our own bytes
        copy.deepcopy(text),
    ):
        assert type(kept) is type(text) and kept == text
        assert kept.render(english, language="en") == text.render(english, language="en")
    assert from_data("plain") == "plain"


def test_domain_errors_and_row_errors_keep_their_danish_message():
    error = NotFound(N_("Pladsen %(reference)s: %(problem)s", reference="P-1", problem=REFUSED), field="id")
    assert (
        error.message == str(error) == "Pladsen P-1: En plads kan ikke gå fra besat til i bero (01.02.2025)."
    )
    assert error.message.render(english, language="en") == (
        "Place P-1: A place cannot go from filled to paused (01.02.2025)."
    )
    assert DomainError("Bare tekst").message == "Bare tekst"
    assert RowError(3, REFUSED).message == "En plads kan ikke gå fra besat til i bero (01.02.2025)."


@pytest.fixture
def bare_app(tmp_path: Path) -> Flask:
    """An app with the real catalogues that never touches a database."""
    settings = bare_settings(tmp_path)
    return create_app(settings, clock=FrozenClock(datetime(2025, 12, 31, 12, 0, tzinfo=UTC)))


def test_the_web_layer_renders_a_refused_transition_in_the_readers_language(bare_app):
    problem = transition_problem("filled", "paused", date(2025, 2, 1))
    danish = "En plads kan ikke gå fra besat til i bero (01.02.2025). En besat plads kan kun blive åben eller nedlagt."
    assert problem == danish  # the CLI and the logs see exactly this
    with bare_app.test_request_context("/"):
        assert localized(problem) == danish  # Danish is the default
        assert localized(DomainError(problem, field="status")) == danish
        with force_locale("en"):
            assert localized(problem) == (
                "A place cannot go from filled to paused (01.02.2025). "
                "A place that is filled can only become open or closed."
            )
            later = history_problem(
                [(date(2025, 1, 1), "open"), (date(2025, 3, 1), "filled"), (date(2025, 4, 1), "filled")],
                changed=date(2025, 3, 1),
            )
            assert localized(later) == (
                "It does not fit the later entry on 01.04.2025: "
                "The place is already filled (01.04.2025): that is not a change."
            )
            assert localized(to_data(problem)).startswith("A place cannot go from filled")
            assert localized("Bare tekst") == "Bare tekst"


def test_every_status_word_and_list_is_translated(bare_app):
    with bare_app.test_request_context("/"), force_locale("en"):
        assert localized(transition_problem("open", "open", date(2025, 2, 1))) == (
            "The place is already open (01.02.2025): that is not a change."
        )
        assert localized(transition_problem(None, "closed", date(2025, 2, 1))) == (
            "A place must start as open or filled, not as closed (01.02.2025)."
        )
        assert localized(transition_problem("closed", "open", date(2025, 2, 1))) == (
            "A closed place cannot become open (01.02.2025): closed is final. "
            "A place closed by mistake is put right with a correction."
        )
        assert localized(transition_problem("paused", "filled", date(2025, 2, 1))) == (
            "A place cannot go from paused to filled (01.02.2025). "
            "A place that is paused can only become open or closed."
        )
        # Lists of statuses get their commas and "or" in the reader's language.
        assert _words(("filled", "paused", "closed")) == "besat, i bero eller nedlagt"
        assert localized(_words(("filled", "paused", "closed"))) == "filled, paused or closed"


def test_text_is_a_str_subclass_without_surprises():
    assert Text("Hej %(navn)s", {"navn": "Ida"}) == "Hej Ida"
    assert repr(N_("besat")) == "Text('besat', {})"
