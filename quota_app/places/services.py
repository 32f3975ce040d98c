"""Only for quota_app/api/views.py until its split is merged: the places' writes live in the modules below.

The API should import register_place from registration.py and record_status from status_events.py; then
delete this file. The names are looked up on each import (not bound here), so whatever those modules hold
at the time (a test's monkeypatch too) is what the API calls.
"""

from __future__ import annotations

from typing import Any

from . import registration, status_events

_HOMES = {"register_place": registration, "record_status": status_events}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(_HOMES[name], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
