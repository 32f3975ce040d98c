"""The app's request class: form data whose every field has a name.

A multipart part whose Content-Disposition cannot be parsed (a name holding a bare CR, say) reaches
Werkzeug's form as a field named None, and Flask-WTF's CSRF check, which reads every field name,
then fails with an AttributeError (a 500). Such parts are dropped here, before anything reads the form.
"""

from __future__ import annotations

from flask import Request
from werkzeug.datastructures import MultiDict


class QuotaRequest(Request):
    def _load_form_data(self) -> None:
        super()._load_form_data()
        for key in ("form", "files"):
            data = self.__dict__.get(key)
            if data is not None and any(not isinstance(name, str) for name in data):
                kept = [(name, value) for name, value in data.items(multi=True) if isinstance(name, str)]
                for name, value in data.items(multi=True):
                    if not isinstance(name, str) and hasattr(value, "close"):
                        value.close()  # a dropped upload's temporary file
                self.__dict__[key] = self.parameter_storage_class(kept) if key == "form" else MultiDict(kept)


def refuse_control_characters() -> None:
    """Answer 400 when a query or form value (or name) holds NUL or another control character.

    Tab and line breaks are allowed (text areas); everything else of Unicode's category Cc never belongs
    in what people type, and PostgreSQL cannot even store NUL. Single-line fields refuse line breaks in
    the services (quota_app.converters.clean_text).
    """
    from flask import abort, current_app, request

    from .converters import control_character
    from .i18n import _

    limit = current_app.config["MAX_CONTENT_LENGTH"]
    # A body over the limit is left unread: the view (or the 413 page) answers it in its own words.
    too_large = limit is not None and (request.content_length or 0) > limit
    for source in (request.args,) if too_large else (request.args, request.form):
        for name, value in source.items(multi=True):
            for text in (name, value):
                bad = control_character(text, multiline=True)
                if bad is not None:
                    abort(
                        400,
                        description=str(
                            _(
                                "Forespørgslen indeholder et ugyldigt tegn (kode %(code)s).",
                                code=f"U+{ord(bad):04X}",
                            )
                        ),
                    )
