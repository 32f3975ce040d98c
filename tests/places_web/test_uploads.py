"""The temp-file store between preview and confirm, and the progress board a page polls."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from quota_app.places.uploads import ProgressBoard, UploadStore

NOW = datetime(2025, 9, 30, 10, tzinfo=UTC)


def test_store_keeps_the_file_with_its_hash_and_deletes_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = UploadStore(tmp_path)
    upload = store.save(b"a;b\r\n", filename="../../etc/x.csv", user_id=1, department_id=2, now=NOW)
    assert upload.filename == "x.csv"  # no path from the client is kept
    assert upload.sha256 == hashlib.sha256(b"a;b\r\n").hexdigest()
    loaded, data = store.load(upload.token)
    assert (loaded.user_id, loaded.department_id, data) == (1, 2, b"a;b\r\n")
    store.delete(upload.token)
    with pytest.raises(KeyError):
        store.load(upload.token)


def test_a_changed_file_or_a_strange_token_is_not_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = UploadStore(tmp_path)
    upload = store.save(b"data", filename="a.csv", user_id=1, department_id=2, now=NOW)
    (tmp_path / f"{upload.token}.upload").write_bytes(b"other")
    with pytest.raises(KeyError):
        store.load(upload.token)
    for token in ("../secret", "", "a" * 200, "x/y"):
        with pytest.raises(KeyError):
            store.load(token)


def test_old_uploads_are_purged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = UploadStore(tmp_path)
    old = store.save(b"old", filename="a.csv", user_id=1, department_id=2, now=NOW - timedelta(days=2))
    new = store.save(b"new", filename="b.csv", user_id=1, department_id=2, now=NOW)
    with pytest.raises(KeyError):
        store.load(old.token)
    assert store.load(new.token)[1] == b"new"


def test_progress_board(tmp_path) -> None:  # type: ignore[no-untyped-def]
    board = ProgressBoard(tmp_path)
    progress_id = "0123456789abcdef"
    report = board.reporter(7, progress_id, phase="preview", every=100)
    assert board.read(7, progress_id) == {"phase": "preview", "rows": 0, "done": False}
    report(50)  # not yet worth a write
    assert board.read(7, progress_id)["rows"] == 0
    report(1000)
    assert board.read(7, progress_id) == {"phase": "preview", "rows": 1000, "done": False}
    assert board.read(8, progress_id)["done"] is True  # another user sees nothing
    board.finish(7, progress_id)
    assert board.read(7, progress_id)["done"] is True
    assert board.reporter(7, "not hex!", phase="preview") is None


def test_progress_endpoint(client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    login(make_user("hr", "SOF"))
    response = client.get("/places/import/progress/0123456789abcdef")
    assert response.status_code == 200 and response.get_json()["done"] is True
