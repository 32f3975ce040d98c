"""The one `compliance` blueprint: views.py and statement_views.py put their routes on it (views.py imports
statement_views, so registering views registers both)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("compliance", __name__, template_folder="templates", url_prefix="/rimelighedskrav")
