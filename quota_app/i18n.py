"""Translatable text. Source strings are Danish (the product's language); English is the translation."""

from typing import cast

from flask_babel import lazy_gettext, lazy_pgettext

LANGUAGES = ("da", "en")  # Danish, the source language, and English


# Both return Flask-Babel's LazyString, which stands in for the str it renders to (WTForms labels, flash,
# templates take it as text), so the type checker is told it is a str.
def _(message: str, **params: object) -> str:
    """Mark a message for translation; it is rendered in the reader's language when shown."""
    return cast(str, lazy_gettext(message, **params))


def _p(context: str, message: str, **params: object) -> str:
    """Mark a message whose English depends on where it stands (context "menu": Måltal -> Targets;
    as a column heading it is Target)."""
    return cast(str, lazy_pgettext(context, message, **params))
