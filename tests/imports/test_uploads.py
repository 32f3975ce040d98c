"""The temp-file store between preview and confirm, and the progress board a page polls."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quota_app.imports.uploads import UploadStore

NOW = datetime(2025, 9, 30, 10, tzinfo=UTC)


def test_store_keeps_the_file_with_its_hash_and_deletes_it(tmp_path: Path) -> None:
    store = UploadStore(tmp_path)
    upload = store.save(b"a;b\r\n", filename="../../etc/x.csv", user_id=1, department_id=2, now=NOW)
    assert upload.filename == "x.csv"  # no path from the client is kept
    assert upload.sha256 == hashlib.sha256(b"a;b\r\n").hexdigest()
    loaded, data = store.load(upload.token)
    assert (loaded.user_id, loaded.department_id, data) == (1, 2, b"a;b\r\n")
    store.delete(upload.token)
    with pytest.raises(KeyError):
        store.load(upload.token)


def test_a_changed_file_or_a_strange_token_is_not_loaded(tmp_path: Path) -> None:
    store = UploadStore(tmp_path)
    upload = store.save(b"data", filename="a.csv", user_id=1, department_id=2, now=NOW)
    (tmp_path / f"{upload.token}.upload").write_bytes(b"other")
    with pytest.raises(KeyError):
        store.load(upload.token)
    for token in ("../secret", "", "a" * 200, "x/y"):
        with pytest.raises(KeyError):
            store.load(token)


def test_old_uploads_are_purged(tmp_path: Path) -> None:
    store = UploadStore(tmp_path)
    old = store.save(b"old", filename="a.csv", user_id=1, department_id=2, now=NOW - timedelta(days=2))
    new = store.save(b"new", filename="b.csv", user_id=1, department_id=2, now=NOW)
    with pytest.raises(KeyError):
        store.load(old.token)
    assert store.load(new.token)[1] == b"new"
