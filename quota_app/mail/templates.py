"""Mail from Jinja templates, without Flask: the scheduler process, the command line and the web app render a
mail the same way, in a language (Danish by default) with the app's translations (`quota_app.texts`).

A mail is a folder of three templates: `phrases.txt` (what it says: a `subject()` macro and the sentences,
each translatable once), `body.txt` (the plain text) and `body.html` (the HTML alternative), the two bodies
arranging the phrases. The HTML is rendered in an environment that escapes every value, the phrases too;
the plain text and the subject in one that escapes nothing.

Filters besides Jinja's: `dkdate` (a date as 30.06.2025, "–" when unknown), `hhmm` (a time: 08.00 in
Danish, 08:00 in English), `localized` (a service's message, N_ or ByLanguage, in the mail's language), and
the shared formatting's filters as the web pages have them (`num`, `figure`, `pct`, `signed`, `period_name`,
`timestamp`, `status_label`, `status_name`, `type_name`; quota_app.formatting, quota_app.vocabulary).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import formatting, vocabulary
from ..texts import render, translations


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@cache
def environment(folder: Path, language: str, *, html: bool) -> Environment:
    """The templates under folder, rendered in language as HTML (escaped) or plain text (kept per process)."""
    catalogue = translations(language)
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=html,  # noqa: S701 (the plain text is not HTML: &amp; would show as such)
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # added by the i18n extension, so not on Environment's type
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    env.filters["dkdate"] = lambda day: formatting.date_text(day, language)
    env.filters["hhmm"] = lambda moment: formatting.time_text(moment, language)
    env.filters["localized"] = lambda message: render(message, catalogue.gettext, language=language)
    # the shared formatting and vocabulary, as on the web pages (quota_app.web.FILTERS)
    env.filters["num"] = lambda value, digits=1: formatting.number(value, language, digits=digits)
    env.filters["figure"] = lambda value: formatting.count(value, language)
    env.filters["pct"] = lambda value: formatting.percent(value, language)
    env.filters["signed"] = lambda value, digits=1: formatting.change(value, language, digits=digits)
    env.filters["period_name"] = lambda period: formatting.period_name(period, language)
    env.filters["timestamp"] = lambda moment, zone=None: formatting.timestamp(moment, language, zone)
    env.filters["status_label"] = lambda status: render(
        vocabulary.status_label(status), catalogue.gettext, language=language
    )
    env.filters["status_name"] = lambda status: render(
        vocabulary.status_name(status), catalogue.gettext, language=language
    )
    env.filters["measure_name"] = lambda measure: render(
        vocabulary.measure_name(measure), catalogue.gettext, language=language
    )
    env.filters["measure_note"] = lambda measure: render(
        vocabulary.measure_note(measure), catalogue.gettext, language=language
    )
    env.filters["type_name"] = lambda placement_type: render(
        vocabulary.type_name(placement_type), catalogue.gettext, language=language
    )
    env.globals["language"] = language
    return env


def render_mail(folder: Path, name: str, *, language: str, **context: Any) -> RenderedMail:
    """Render the mail `name` (a folder of phrases.txt, body.txt and body.html under folder)."""
    text = environment(folder, language, html=False)
    phrases = text.get_template(f"{name}/phrases.txt").make_module(context)
    return RenderedMail(
        subject=str(phrases.subject()).strip(),  # type: ignore[attr-defined]  # the template's macro
        text=text.get_template(f"{name}/body.txt").render(context),
        html=environment(folder, language, html=True).get_template(f"{name}/body.html").render(context),
    )
