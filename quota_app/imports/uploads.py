"""Uploaded import files kept between preview and confirm: a temp file per random token, never in the cookie."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import DomainError
from ..texts import to_data

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP_FOR = timedelta(hours=12)


def valid_token(token: str) -> bool:
    """Whether a token from a URL can be an upload's (anything else: 404 before touching the database)."""
    return bool(_TOKEN.match(token or ""))


@dataclass
class StoredUpload:
    token: str
    filename: str
    sha256: str
    size: int
    user_id: int
    department_id: int
    created_at: str
    preview: dict[str, Any] = field(default_factory=dict)  # the dry run's result: rows_read, errors, counts


class UploadStore:
    """Files live in <instance>/imports/<token>.upload with a <token>.json beside them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, token: str) -> tuple[Path, Path]:
        if not _TOKEN.match(token or ""):
            raise KeyError(token)
        return self.folder / f"{token}.upload", self.folder / f"{token}.json"

    def save(
        self, data: bytes, *, filename: str, user_id: int, department_id: int, now: datetime
    ) -> StoredUpload:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.purge_older_than(now - KEEP_FOR)
        token = secrets.token_urlsafe(24)
        data_path, _meta_path = self._paths(token)
        data_path.write_bytes(data)
        upload = StoredUpload(
            token=token,
            filename=Path(filename).name[:200],
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            user_id=user_id,
            department_id=department_id,
            created_at=now.isoformat(),
        )
        self.write_meta(upload)
        return upload

    def write_meta(self, upload: StoredUpload) -> None:
        _, meta_path = self._paths(upload.token)
        meta_path.write_text(json.dumps(asdict(upload)), encoding="utf-8")

    def load(self, token: str) -> tuple[StoredUpload, bytes]:
        """Return the upload and its bytes; KeyError when missing or altered since it was stored."""
        data_path, meta_path = self._paths(token)
        if not data_path.exists() or not meta_path.exists():
            raise KeyError(token)
        upload = StoredUpload(**json.loads(meta_path.read_text(encoding="utf-8")))
        data = data_path.read_bytes()
        if hashlib.sha256(data).hexdigest() != upload.sha256:
            raise KeyError(token)
        return upload, data

    def load_meta(self, token: str) -> StoredUpload:
        """Return what is known about an upload (its preview), even when its file is already gone."""
        _data_path, meta_path = self._paths(token)
        if not meta_path.exists():
            raise KeyError(token)
        return StoredUpload(**json.loads(meta_path.read_text(encoding="utf-8")))

    def discard_file(self, token: str) -> None:
        """Delete the uploaded bytes but keep the preview (a file with errors can never be confirmed)."""
        self._paths(token)[0].unlink(missing_ok=True)

    def delete(self, token: str) -> None:
        for path in self._paths(token):
            path.unlink(missing_ok=True)

    def purge_older_than(self, cutoff: datetime) -> None:
        for meta_path in self.folder.glob("*.json"):
            try:
                created = datetime.fromisoformat(
                    json.loads(meta_path.read_text(encoding="utf-8"))["created_at"]
                )
            except (OSError, ValueError, KeyError):
                continue
            if created < cutoff:
                self.delete(meta_path.stem)


def preview_of(outcome: Any) -> dict[str, Any]:
    """The preview kept with an upload: an ImportResult's counts and errors, or a refused file's message.

    Messages as texts.to_data, shown in the reader's language.
    """
    if isinstance(outcome, DomainError):
        return {"rows_read": 0, "errors": [{"row": None, "message": to_data(outcome.message)}]}
    return {
        "rows_read": outcome.rows_read,
        "errors": [{"row": e.row, "message": to_data(e.message)} for e in outcome.errors],
        "places_created": outcome.places_created,
        "events_created": outcome.events_created,
        "corrections": outcome.corrections,
        "places_updated": outcome.places_updated,
        "unchanged": outcome.unchanged,
        "changes": outcome.changes,
    }


def keep_preview(store: UploadStore, token: str, outcome: Any) -> None:
    """Keep a finished dry run with its upload; a file with errors can never be confirmed: drop its bytes."""
    try:
        upload = store.load_meta(token)
    except KeyError:
        return
    upload.preview = preview_of(outcome)
    store.write_meta(upload)
    if upload.preview["errors"]:
        store.discard_file(token)
