"""The import workflow inside the web app: its upload store, this process's job runner, the browser's uploads.

Made on first use from the app (create_app stays free of side effects). The pages themselves are the places
feature's (`places.views`: upload and preview; `places.import_jobs`: confirm and the job pages).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app
from flask import session as flask_session

from ..web import clock, database
from . import jobs
from .background import BackgroundRunner
from .limits import ImportLimits
from .uploads import UploadStore

REMEMBERED = 5  # uploads a browser session can preview and confirm at once


def folder() -> Path:
    """Where uploads, job leases and progress files live: <instance>/imports, shared by all web workers."""
    return Path(current_app.instance_path) / "imports"


def upload_store() -> UploadStore:
    return UploadStore(folder())


def runner() -> BackgroundRunner:
    """This process's runner, made on first use."""
    background = current_app.extensions.get("quota_import_runner")
    if background is None:
        background = current_app.extensions["quota_import_runner"] = BackgroundRunner(
            jobs.runner_for(
                database(),
                clock(),
                Path(current_app.instance_path),
                worker=f"web-{os.getpid()}",
                limits=ImportLimits.from_settings(current_app.config["QUOTA_SETTINGS"]),
            )
        )
    return background


def remember_upload(token: str) -> None:
    """Bind an upload to this browser session: only the token goes in the cookie, never the file."""
    tokens = [t for t in flask_session.get("import_tokens", []) if t != token][-(REMEMBERED - 1) :]
    flask_session["import_tokens"] = [*tokens, token]


def remembered_uploads() -> list[str]:
    """The tokens of the uploads this browser session made."""
    return list(flask_session.get("import_tokens", []))
