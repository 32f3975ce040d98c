"""Translatable text. Source strings are Danish (the product's language); English is the translation."""

from flask_babel import lazy_gettext


def _(message: str, **params: object):  # type: ignore[no-untyped-def]
    """Mark a message for translation; it is rendered in the reader's language when shown."""
    return lazy_gettext(message, **params)
