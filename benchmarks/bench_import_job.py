"""A large browser import end to end through gunicorn: upload, preview job, confirm, save job.

    python -m benchmarks.bench_import_job [--rows 450000] [--engines sqlite,postgresql] [--seed 2015]

For each engine: a fresh database with reference data and one HR user (SOF), `gunicorn -w 2 --timeout 30`
(the default worker timeout), then over loopback as a browser would: sign in, upload a CSV of N event rows
for SOF, poll the preview job's JSON until it is done, open the preview, confirm, poll the save job until it
is done. Prints the time of each job, the slowest HTTP request (none may come near the 30 s timeout) and
the peak resident memory of the gunicorn workers (their VmHWM; the jobs run in a worker's thread).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlmodel import SQLModel

from .bench_import import generate_csv
from .bench_overview import free_port, start_gunicorn
from .databases import fresh_database

ROOT = Path(__file__).resolve().parents[1]
EMAIL, PASSWORD = "hr-bench@kk.dk", "bench-password-123456"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
POLL_SECONDS = 0.5


def prepare(url: str) -> None:
    import quota_app.models  # noqa: F401  (registers every table)
    from quota_app.auth import services as auth
    from quota_app.clock import Clock
    from quota_app.db import QuotaSession, make_engine
    from quota_app.reference import ensure_default_rules, ensure_departments, ensure_placement_types

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with QuotaSession(engine) as session:
        ensure_departments(session)
        ensure_placement_types(session)
        for year in range(2013, 2027):
            ensure_default_rules(session, year)
        auth.create_user(
            session, email=EMAIL, role="hr", password=PASSWORD, department_code="SOF", actor="bench",
            now=Clock().now(),
        )  # fmt: skip
        session.commit()
    engine.dispose()


def worker_peak_rss_mb(master: int) -> float:
    """The largest VmHWM among gunicorn's worker processes, in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def csrf_token(page: str) -> str:
    """The CSRF token of a page's form."""
    match = CSRF.search(page)
    if match is None:
        raise RuntimeError("the page has no CSRF token")
    return match.group(1)


class Browser:
    def __init__(self, base: str) -> None:
        self.base, self.http = base, requests.Session()
        self.timings: list[tuple[float, str]] = []

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        began = time.perf_counter()
        response = self.http.request(method, self.base + path, allow_redirects=False, timeout=60, **kwargs)
        self.timings.append(
            (time.perf_counter() - began, f"{method} {re.sub(r'/[A-Za-z0-9_-]{20,}', '/<token>', path)}")
        )
        if response.status_code >= 500:
            raise RuntimeError(f"{method} {path}: {response.status_code}")
        return response

    def csrf(self, path: str) -> str:
        return csrf_token(self.request("GET", path).text)

    def wait_for_job(self, location: str) -> tuple[float, dict]:
        began = time.perf_counter()
        while True:
            status = self.request("GET", location + ".json").json()
            if status["finished"]:
                return time.perf_counter() - began, status
            time.sleep(POLL_SECONDS)


def run(engine_name: str, csv_path: Path, rows: int) -> dict:
    with fresh_database(engine_name) as url, tempfile.TemporaryDirectory(prefix="bench-job-") as folder:
        prepare(url)
        port = free_port()
        gunicorn = start_gunicorn(url, port, Path(folder) / "instance", timeout=30)  # gunicorn's default
        try:
            browser = Browser(f"http://127.0.0.1:{port}")
            browser.request(
                "POST",
                "/login",
                data={"email": EMAIL, "password": PASSWORD, "csrf_token": browser.csrf("/login")},
            )
            rss_before = worker_peak_rss_mb(gunicorn.pid)
            data = csv_path.read_bytes()
            token = browser.csrf("/places/import")
            began = time.perf_counter()
            response = browser.request(
                "POST",
                "/places/import",
                data={"csrf_token": token},
                files={"file": ("stor.csv", data, "text/csv")},
            )
            upload_seconds = time.perf_counter() - began
            preview_seconds, preview = browser.wait_for_job(response.headers["Location"])
            preview_path = browser.request("GET", response.headers["Location"]).headers["Location"]
            page = browser.request("GET", preview_path).text
            confirm = browser.request(
                "POST",
                f"{preview_path}/confirm",
                data={"csrf_token": csrf_token(page)},
            )
            save_seconds, saved = browser.wait_for_job(confirm.headers["Location"])
            rss_after = worker_peak_rss_mb(gunicorn.pid)
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=60)
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            events = connection.execute(sa.text("SELECT count(*) FROM place_event")).scalar_one()
        engine.dispose()
    if saved["state"] != "done" or events != rows:
        raise SystemExit(f"{engine_name}: the import did not save the file: {saved} ({events} events)")
    slowest = sorted(browser.timings, reverse=True)[:3]
    return {
        "upload request (s)": round(upload_seconds, 2),
        "preview job (s)": round(preview_seconds, 1),
        "preview rows read": preview["result"]["rows_read"],
        "save job (s)": round(save_seconds, 1),
        "events saved": events,
        "HTTP requests": len(browser.timings),
        "slowest request (s)": round(slowest[0][0], 2),
        "slowest is": slowest[0][1],
        "worker peak RSS before (MB)": round(rss_before, 1),
        "worker peak RSS after (MB)": round(rss_after, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=450_000)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--engines", default="sqlite")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-job-csv-") as tmp:
        csv_path = Path(tmp) / "stor.csv"
        rows, places = generate_csv(csv_path, rows=args.rows, seed=args.seed, departments=("SOF",))
        print(
            f"{rows:,} event rows for {places:,} SOF places ({csv_path.stat().st_size / 2**20:.1f} MB)",
            flush=True,
        )
        figures = {name: run(name, csv_path, rows) for name in args.engines.split(",")}
    names = list(figures)
    print(f"\n{'':32}" + "".join(f"{name:>16}" for name in names))
    for label in figures[names[0]]:
        print(f"{label:32}" + "".join(f"{figures[name][label]!s:>16}" for name in names))
    print("\nNo request may come near gunicorn's 30 s worker timeout; the jobs run in a worker's thread.")


if __name__ == "__main__":
    main()
