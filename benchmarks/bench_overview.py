"""BIF's dashboard pages at national scale, served by gunicorn with two workers (docs/quality.md: p95 < 200 ms).

For each engine (SQLite file, fresh PostgreSQL database) this loads N synthetic places (default 100,000,
about a million events) with benchmarks/synthetic.py, creates a BIF user, starts
`gunicorn -w 2 -b 127.0.0.1:<port> wsgi:app` against that database, signs in through the real form
(CSRF included), and sends a bounded load from this machine over loopback: R requests with C at a time.

Scenarios (each a GET of the overview as a signed-in BIF user):
- live: a date, as known now (current data: cached per worker only while a fingerprint of places,
  events, targets and rules is unchanged; "cold" is the first request, which reconciles);
- live what-if: the same with "count open work placements too" (two reconciliations per request);
- half-year average, live;
- pinned: a date as known at a past moment (a result that cannot change, cached per worker);
- the drill-down: a department's page, a department's trend for one type, the places behind a figure.

    python -m benchmarks.bench_overview [--places 100000] [--requests 200] [--concurrency 4]
                                        [--engines sqlite,postgresql] [--seed 1] [--sqlite-file F]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from quota_app.auth import services as auth
from quota_app.db import QuotaSession, make_engine

from .databases import fresh_postgresql
from .synthetic import NOW, load

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "bench-bif@kk.dk"
PASSWORD = "benchmark-password-not-secret"  # noqa: S105
BUDGET_P95_MS = 200.0
# label -> (path, text the page must contain)
SCENARIOS = {
    "live (date, known now)": ("/monitor/?date=2025-09-30", b"mon-matrix"),
    "live what-if (open work placements count)": (
        "/monitor/?date=2025-09-30&whatif=internship",
        b"mon-matrix",
    ),
    "live half-year average (2025-H1)": ("/monitor/?period=2025-H1&method=average", b"mon-matrix"),
    "pinned known-at (cached)": ("/monitor/?date=2025-06-30&known_at=2025-08-01T12:00", b"mon-matrix"),
    # A moment of its own for every request: nothing is reused, every request counts afresh.
    "uncached (a new known-at each request)": ("/monitor/?date=2025-06-30&known_at={moment}", b"mon-matrix"),
    "department page (SOF)": ("/monitor/department/SOF?date=2025-09-30", b"mon-breadcrumb"),
    "trend (SOF, utility jobs)": (
        "/monitor/department/SOF/type/utility_job?date=2025-09-30",
        b"mon-figure-chart",
    ),
    "places behind a figure (SOF)": (
        "/monitor/places?date=2025-09-30&department=SOF&type=internship",
        b"mon-facts",
    ),
}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_user(url: str) -> None:
    engine = make_engine(url)
    with QuotaSession(engine) as session:
        auth.create_user(session, email=EMAIL, role="bif", password=PASSWORD, actor="benchmark", now=NOW)
        session.commit()
    engine.dispose()


def start_gunicorn(url: str, port: int, instance: Path, *, timeout: int = 120) -> subprocess.Popen:
    """gunicorn -w 2 serving the app on 127.0.0.1:port, returned once /healthz answers."""
    env = {
        **os.environ,
        "QUOTA_DATABASE_URL": url,
        "QUOTA_SECRET_KEY": uuid.uuid4().hex,
        "QUOTA_ENV": "production",
        "QUOTA_SESSION_COOKIE_SECURE": "false",
        "QUOTA_INSTANCE_PATH": str(instance),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # The log goes to a file: a pipe nobody reads fills up with the request log and stalls the workers.
    instance.mkdir(parents=True, exist_ok=True)
    log = instance / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", str(timeout), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


def sign_in(base: str) -> str:
    """Sign in through the form; return the Cookie header of the signed-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = CSRF.search(page)
    if token is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    body = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)})
    response = opener.open(f"{base}/login", data=body.encode(), timeout=30)
    if "/login" in response.geturl():
        raise RuntimeError("sign-in failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


MOMENTS = itertools.count()


def fetch(url: str, cookie: str, marker: bytes) -> float:
    if "{moment}" in url:  # a new minute of August 2025 each time (local time, as the form takes it)
        moment = datetime(2025, 8, 1) + timedelta(minutes=next(MOMENTS))
        url = url.replace("{moment}", moment.strftime("%Y-%m-%dT%H:%M"))
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        body = response.read()
        if response.status != 200 or marker not in body:
            raise RuntimeError(f"unexpected answer from {url}: {response.status}")
    return time.perf_counter() - began


def run_load(url: str, marker: bytes, cookie: str, *, requests: int, concurrency: int) -> dict[str, float]:
    cold = fetch(url, cookie, marker)  # the first request computes the figures; later ones may reuse them
    with ThreadPoolExecutor(max_workers=concurrency) as pool:  # concurrent, so both workers warm up
        list(pool.map(lambda _: fetch(url, cookie, marker), range(4 * concurrency)))
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(lambda _: fetch(url, cookie, marker), range(requests)))
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "cold ms": cold * 1000,
        "p50 ms": statistics.median(ordered) * 1000,
        "p95 ms": ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000,  # nearest rank
        "max ms": ordered[-1] * 1000,
        "req/s": requests / elapsed,
    }


def bench_engine(
    name: str, url: str, args: argparse.Namespace, workdir: Path, *, reuse: bool = False
) -> dict[str, dict]:
    engine = make_engine(url)
    if not reuse:
        loaded = load(engine, seed=args.seed, places=args.places)
        print(f"[{name}] loaded in {loaded.seconds:.0f} s", flush=True)
    with engine.connect() as conn:
        places = conn.execute(sa.text("SELECT count(*) FROM place")).scalar_one()
        events = conn.execute(sa.text("SELECT count(*) FROM place_event")).scalar_one()
        has_user = conn.execute(
            sa.text('SELECT count(*) FROM "user" WHERE email = :e'), {"e": EMAIL}
        ).scalar_one()
    engine.dispose()
    print(f"[{name}] {places} places, {events} events", flush=True)
    if not has_user:
        create_user(url)
    port = free_port()
    process = start_gunicorn(url, port, workdir / f"instance-{name}")
    results = {}
    try:
        base = f"http://127.0.0.1:{port}"
        cookie = sign_in(base)
        for label, (path, marker) in SCENARIOS.items():
            figures = run_load(
                base + path, marker, cookie, requests=args.requests, concurrency=args.concurrency
            )
            results[label] = figures
            print(f"[{name}] {label}: " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()), flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--sqlite-file", type=Path, help="keep the SQLite database here and reuse it when it exists"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-overview-"))
    all_results: dict[str, dict[str, dict]] = {}
    try:
        for name in args.engines.split(","):
            if name == "sqlite":
                path = args.sqlite_file or workdir / "overview.db"
                reuse = path.exists()
                all_results[name] = bench_engine(name, f"sqlite:///{path}", args, workdir, reuse=reuse)
            elif name == "postgresql":
                with fresh_postgresql() as url:
                    all_results[name] = bench_engine(name, url, args, workdir)
            else:
                parser.error(f"unknown engine {name}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\nDashboard pages, {args.places} places, gunicorn -w 2, {args.requests} requests, "
        f"concurrency {args.concurrency} (budget p95 < {BUDGET_P95_MS:.0f} ms)"
    )
    print(
        f"{'engine':<11} {'scenario':<44} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'req/s':>7}  budget"
    )
    for name, scenarios in all_results.items():
        for label, f in scenarios.items():
            verdict = "ok" if f["p95 ms"] < BUDGET_P95_MS else "OVER"
            print(
                f"{name:<11} {label:<44} {f['cold ms']:>8.1f} {f['p50 ms']:>8.1f} {f['p95 ms']:>8.1f} {f['max ms']:>8.1f} "
                f"{f['req/s']:>7.1f}  {verdict}"
            )


if __name__ == "__main__":
    main()
