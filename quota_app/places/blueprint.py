"""The places pages' blueprint and what its page modules share: the roles and a refusal beside its field.

views.py (the list, the status page, registering), place_views.py (a place and its forms) and
import_views.py (uploading a file) add their routes to `bp`; views.py is the module the app registers.
"""

from __future__ import annotations

from flask import Blueprint
from flask_wtf import FlaskForm

from ..errors import DomainError
from ..web import localized

bp = Blueprint(
    "places", __name__, template_folder="templates", static_folder="static", static_url_path="/places/static"
)

VIEW_ROLES = ("hr", "bif", "admin")
EDIT_ROLES = ("hr",)


def field_error(form: FlaskForm, error: DomainError) -> bool:
    """Put a domain error next to its field; return False when the form has no such field."""
    aliases = {"type": "type_code", "type_code": "type_code", "unit": "unit_id", "date": "effective_date"}
    name = aliases.get(error.field or "", error.field or "")
    if name and name in form and name not in ("csrf_token", "version"):
        form[name].errors = [*form[name].errors, localized(error)]
        return True
    return False
