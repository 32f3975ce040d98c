"""The layout's building blocks: role menus built from existing endpoints, and the Jinja macros."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Blueprint, Flask
from flask_babel import refresh
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired

from quota_app import create_app
from quota_app.clock import FrozenClock
from quota_app.core.navigation import menu_for, resolve_endpoint, tasks_for
from tests.factories import bare_settings


@pytest.fixture
def bare_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """An app that never touches a database (menus and macros only), with the foundation's pages only."""
    monkeypatch.setattr("quota_app.BLUEPRINTS", ("quota_app.core.views", "quota_app.auth.views"))
    settings = bare_settings(tmp_path)
    application = create_app(settings, clock=FrozenClock(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)))
    application.config["WTF_CSRF_ENABLED"] = False
    return application


def add_places_blueprint(app: Flask) -> None:
    places = Blueprint("places", __name__)
    places.add_url_rule("/places/", "list", lambda: "list")
    places.add_url_rule("/places/<int:place_id>", "detail", lambda place_id: "detail")
    places.add_url_rule("/places/import", "import_upload", lambda: "import")
    app.register_blueprint(places)


def render(app: Flask, source: str, path: str = "/", **context: object) -> str:
    with app.test_request_context(path):
        refresh()
        return app.jinja_env.from_string(source).render(**context)


def test_menus_show_only_features_that_exist(bare_app):
    with bare_app.test_request_context("/"):
        assert [str(link.label) for link in menu_for(bare_app, "hr")] == ["Forside"]
        assert [str(link.label) for link in menu_for(bare_app, "bif")] == ["Overblik"]  # falls back to start
        assert menu_for(bare_app, None) == []
        assert tasks_for(bare_app, "hr") == []


def test_a_registered_feature_appears_in_the_right_role_menu(bare_app):
    add_places_blueprint(bare_app)
    assert resolve_endpoint(bare_app, ("places.list",)) == "places.list"
    assert resolve_endpoint(bare_app, ("places.detail",)) is None  # needs an argument: not a menu page
    assert resolve_endpoint(bare_app, ("nothing.here", "places.*")) == "places.list"
    with bare_app.test_request_context("/places/"):
        hr_menu = menu_for(bare_app, "hr")
        assert [(str(link.label), link.href, link.current) for link in hr_menu] == [
            ("Forside", "/", False),
            ("Pladser", "/places/", True),
            ("Import", "/places/import", False),
        ]
        assert "Pladser" not in [str(link.label) for link in menu_for(bare_app, "bif")]
        assert [str(task.label) for task in tasks_for(bare_app, "hr")] == ["Pladser", "Importér pladser"]
    with bare_app.test_request_context("/places/7"):
        places_link = menu_for(bare_app, "hr")[1]
        assert places_link.active and not places_link.current
    with bare_app.test_request_context("/places/import"):
        states = [(str(link.label), link.current, link.active) for link in menu_for(bare_app, "hr")]
        assert states == [("Forside", False, False), ("Pladser", False, False), ("Import", True, True)]


def test_a_page_that_needs_the_year_is_linked_for_this_year_in_copenhagen(bare_app):
    targets = Blueprint("targets", __name__, url_prefix="/targets")
    targets.add_url_rule("/", "index", lambda: "index")
    targets.add_url_rule("/<int:year>/rules", "rules", lambda year: "rules")
    bare_app.register_blueprint(targets)
    with bare_app.test_request_context("/"):
        links = {str(link.label): link.href for link in menu_for(bare_app, "bif")}
    # 23:30 UTC on 31 December 2025 is already 2026 in Copenhagen.
    assert links["Måltal"] == "/targets/"
    assert links["Regler"] == "/targets/2026/rules"


@pytest.mark.parametrize(
    ("status", "danish", "english"),
    [
        ("open", "Åben", "Open"),
        ("filled", "Besat", "Filled"),
        ("paused", "I bero", "Paused"),
        ("closed", "Nedlagt", "Closed"),
    ],
)
def test_status_tag_says_the_status_in_words_with_an_icon(bare_app, status, danish, english):
    source = '{% from "macros/ui.html" import status_tag %}{{ status_tag(s) }}'
    html = render(bare_app, source, s=status)
    assert danish in html
    assert "<svg" in html and 'aria-hidden="true"' in html
    assert f"kk-status-{status}" in html
    with bare_app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        refresh()
        assert english in bare_app.jinja_env.from_string(source).render(s=status)


def test_alert_kinds(bare_app):
    html = render(
        bare_app, '{% from "macros/ui.html" import alert %}{{ alert("error", "Noget <gik> galt") }}'
    )
    assert 'class="alert alert-error"' in html and 'role="alert"' in html
    assert "Noget &lt;gik&gt; galt" in html  # escaped
    html = render(bare_app, '{% from "macros/ui.html" import alert %}{{ alert("bogus", "x") }}')
    assert "alert-info" in html and 'role="status"' in html


def pages_shown(html: str) -> list[str]:
    return re.findall(r'class="button (?:current-page|button-secondary)"[^>]*>(\d+)</a>', html)


def test_pagination(bare_app):
    source = '{% from "macros/ui.html" import pagination %}{{ pagination(page, pages, url) }}'
    url = "/places/?page={}".format
    assert render(bare_app, source, page=1, pages=1, url=url).strip() == ""
    html = render(bare_app, source, page=5, pages=10, url=url)
    assert pages_shown(html) == ["1", "3", "4", "5", "6", "7", "10"]
    assert html.count("…") == 2
    assert re.search(r'href="/places/\?page=5" class="button current-page" aria-current="page"', html)
    assert 'href="/places/?page=4" class="button button-arrow button-previous"' in html
    assert 'href="/places/?page=6" class="button button-arrow button-next"' in html
    first = render(bare_app, source, page=1, pages=3, url=url)
    assert pages_shown(first) == ["1", "2", "3"]
    assert "button-previous" not in first and "button-next" in first
    assert "Side 1 af 3" in first


class ExampleForm(FlaskForm):
    reference = StringField("Reference", validators=[DataRequired("Skriv en reference.")])
    title = StringField("Titel")
    status = RadioField(
        "Status",
        choices=[SelectChoice("open", "Åben"), SelectChoice("filled", "Besat")],
        validators=[DataRequired()],
    )
    active = BooleanField("Aktiv")


def test_field_links_hint_and_error_to_the_input(bare_app):
    source = (
        '{% from "macros/forms.html" import field, errors %}'
        '{{ errors(form) }}{{ field(form.reference, hint="Fx K-123", autocomplete="off") }}'
        "{{ field(form.title) }}{{ field(form.status) }}{{ field(form.active) }}"
    )
    with bare_app.test_request_context("/", method="POST", data={"title": "x"}):
        form = ExampleForm()
        assert not form.validate()
        html = bare_app.jinja_env.from_string(source).render(form=form)
    reference_input = re.search(r"<input[^>]*id=\"reference\"[^>]*>", html).group(0)
    assert 'aria-describedby="reference-hint reference-error"' in reference_input
    assert 'aria-invalid="true"' in reference_input and 'aria-required="true"' in reference_input
    assert 'autocomplete="off"' in reference_input and 'class="form-input"' in reference_input
    assert " required" not in reference_input  # the server validates; no browser pop-ups
    assert '<span class="form-hint" id="reference-hint">Fx K-123</span>' in html
    assert re.search(r'id="reference-error">.*Skriv en reference\.', html, re.DOTALL)
    assert 'class="form-group form-error"' in html
    # Optional fields say so; required ones are not cluttered.
    assert re.search(r'for="title">Titel<span class="weight-normal"> \(frivilligt\)</span>', html)
    assert re.search(r'for="reference">Reference</label>', html)
    # Radio buttons are a fieldset with a legend; the error summary links to the first option.
    assert re.search(r"<fieldset[^>]*>\s*<legend class=\"form-label\">Status</legend>", html)
    assert 'class="form-radio"' in html and 'class="form-checkbox"' in html
    assert 'href="#reference"' in html and 'href="#status-0"' in html
    assert 'data-module="error-summary"' in html


def test_no_error_summary_for_a_fresh_form(bare_app):
    with bare_app.test_request_context("/"):
        form = ExampleForm()
        html = bare_app.jinja_env.from_string(
            '{% from "macros/forms.html" import errors %}{{ errors(form) }}'
        ).render(form=form)
    assert html.strip() == ""


def test_data_table_has_a_caption_column_headers_and_right_aligned_numbers(bare_app):
    source = (
        '{% from "macros/ui.html" import data_table %}'
        '{% call data_table("Pladser", [("Reference", False), ("FTE", True)]) %}'
        '<tr><td>K-1</td><td class="kk-num">1,0</td></tr>{% endcall %}'
    )
    html = render(bare_app, source)
    assert "<caption>Pladser</caption>" in html
    assert '<th scope="col">Reference</th>' in html and '<th scope="col" class="kk-num">FTE</th>' in html
    assert "<td>K-1</td>" in html
    # A wide table scrolls inside a named region that keyboard users can reach.
    assert '<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="Pladser">' in html
