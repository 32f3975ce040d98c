"""Translatable text. Source strings are Danish (the product's language); English is the translation."""

from flask_babel import lazy_gettext, lazy_pgettext

LANGUAGES = ("da", "en")  # Danish, the source language, and English


def _(message: str, **params: object):  # type: ignore[no-untyped-def]
    """Mark a message for translation; it is rendered in the reader's language when shown."""
    return lazy_gettext(message, **params)


def _p(context: str, message: str, **params: object):  # type: ignore[no-untyped-def]
    """Mark a message whose English depends on where it stands (context "menu": Måltal -> Targets;
    as a column heading it is Target)."""
    return lazy_pgettext(context, message, **params)
