"""Messages for people that run without Flask: a Danish msgid with named parameters, translated when shown.

Services, imports and reports say what went wrong with `N_("Ukendt ordning '%(code)s'.", code=code)`.
The result is a `Text`: a `str` whose value is the Danish message (so the CLI, logs, stored errors and
code that compares with Danish strings see exactly what they saw before), and which keeps its msgid and
parameters so the web layer can render it in the reader's language (`quota_app.web.localized`).

`N_` is a no-op marker for pybabel (one of its default keywords, like `_`): the msgid must be a string
literal, extracted into the feature's catalogue; parameters may themselves be texts (status words) and
dates stay dates (dd.mm.yyyy in every language).

Each feature keeps its catalogue in `quota_app/<feature>/translations`; Flask-Babel merges them for the web
app, and `translations()` merges them the same way where there is no Flask (mail from the scheduler).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import Translations

Translate = Callable[[str], str]
DANISH = "da"
PACKAGE_DIR = Path(__file__).resolve().parent


def translation_directories() -> list[Path]:
    """Every feature's catalogue folder, in a fixed order (a later catalogue wins, as in Flask-Babel)."""
    return sorted(PACKAGE_DIR.glob("**/translations"))


@cache
def translations(language: str) -> Translations:
    """The app's catalogues for a language merged into one (Danish, the source language, has none)."""
    merged = Translations()
    for folder in translation_directories():
        catalogue = Translations.load(str(folder), [language])
        if isinstance(catalogue, Translations):  # not the NullTranslations of a missing catalogue
            merged.merge(catalogue)
    return merged


def danish_date(day: date) -> str:
    """Return a date as people here write it, 30.06.2025 (also in English texts)."""
    return day.strftime("%d.%m.%Y")


def title_and_name(title: str, name: str) -> str:
    """A person addressed by title and name, the title said once: ("Borgmester", "Borgmester Jensen") ->
    "Borgmester Jensen"; either may be empty."""
    title, name = " ".join(title.split()), " ".join(name.split())
    if title and (name.casefold() + " ").startswith(title.casefold() + " "):
        return name
    return f"{title} {name}".strip()


class Text(str):
    """A message: its str value is the Danish text; render() gives it in another language."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Text:
        params = dict(params or {})
        self = super().__new__(cls, _fill(msgid, params, None, DANISH))
        self.msgid, self.params = msgid, params
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.msgid, self.params)

    def render(self, translate: Translate | None = None, *, language: str = DANISH) -> str:
        """Return the text with translate (a gettext) applied to it and its parameters; Danish without."""
        if translate is None and language == DANISH:
            return str.__str__(self)
        template = translate(self.msgid) if translate is not None and self.msgid else self.msgid
        return _fill(template, self.params, translate, language)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.msgid!r}, {self.params!r})"


def N_(msgid: str, /, **params: Any) -> Text:
    """Mark a Danish message for translation; it is translated when shown, never here."""
    return Text(msgid, params)


class Joined(Text):
    """Several texts shown as one (e.g. every problem of an import row), each translated on its own."""

    parts: tuple[str, ...]
    separator: str

    def __new__(cls, parts: Iterable[str], separator: str = " ") -> Joined:
        parts = tuple(parts)
        self = str.__new__(cls, separator.join(parts))
        self.msgid, self.params, self.parts, self.separator = "", {}, parts, separator
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.parts, self.separator)

    def render(self, translate: Translate | None = None, *, language: str = DANISH) -> str:
        return self.separator.join(render(part, translate, language=language) for part in self.parts)

    def __repr__(self) -> str:
        return f"Joined({self.parts!r}, {self.separator!r})"


class ByLanguage(Text):
    """A name stored in the data in each language (e.g. a placement type's name_da and name_en)."""

    names: dict[str, str]

    def __new__(cls, **names: str) -> ByLanguage:
        self = str.__new__(cls, names[DANISH])
        self.msgid, self.params, self.names = "", {}, dict(names)
        return self

    def __getnewargs_ex__(self) -> tuple[Any, ...]:
        return ((), self.names)

    def render(self, translate: Translate | None = None, *, language: str = DANISH) -> str:
        return self.names.get(language) or self.names[DANISH]

    def __repr__(self) -> str:
        return f"ByLanguage(**{self.names!r})"


def render(value: Any, translate: Translate | None = None, *, language: str = DANISH) -> str:
    """Return a message (a Text, or plain text shown as it is) in the language of translate."""
    if isinstance(value, Text):
        return value.render(translate, language=language)
    if value is None:
        return ""
    return str(value)


def _param(value: Any, translate: Translate | None, language: str) -> Any:
    if isinstance(value, Text):
        return value.render(translate, language=language)
    if isinstance(value, date):
        return danish_date(value)
    return value


def _fill(template: str, params: Mapping[str, Any], translate: Translate | None, language: str) -> str:
    if not params:
        return template
    return template % {name: _param(value, translate, language) for name, value in params.items()}


# --- keeping a message for later (e.g. an import preview written to disk and shown on the next page) ---


def to_data(value: Any) -> Any:
    """Return a message as JSON-able data that from_data turns back into the same message."""
    if isinstance(value, Joined):
        return {"join": [to_data(p) for p in value.parts], "separator": value.separator}
    if isinstance(value, ByLanguage):
        return {"names": dict(value.names)}
    if isinstance(value, Text):
        return {"msgid": value.msgid, "params": {k: to_data(v) for k, v in value.params.items()}}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, str):
        return str(value)
    return value


def from_data(data: Any) -> Any:
    """Return the message that to_data made data of (plain values come back as they are)."""
    if not isinstance(data, dict):
        return data
    if "join" in data:
        return Joined([from_data(p) for p in data["join"]], data.get("separator", " "))
    if "names" in data:
        return ByLanguage(**data["names"])
    if "date" in data:
        return date.fromisoformat(data["date"])
    return Text(data["msgid"], {k: from_data(v) for k, v in data.get("params", {}).items()})
