"""A dispatch process for the concurrency test: python -m tests.dispatch.worker URL PORT NOW NAME BARRIER."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from quota_app.clock import FrozenClock
from quota_app.db import Database
from quota_app.dispatch import run
from quota_app.mail.services import SmtpTransport
from quota_app.periods import Period, parse_known_at
from tests.dispatch.support import TEST_SOURCE, smtp_settings


def main(url: str, port: str, now: str, name: str, barrier: str) -> None:
    settings = smtp_settings(int(port))
    db = Database(url)
    clock = FrozenClock(parse_known_at(now))
    # start together: announce, then wait (bounded) until the other process has announced too
    Path(barrier, name).touch()
    deadline = time.monotonic() + 30
    while len(list(Path(barrier).iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    plan, delivered = run.run_dispatch(
        db,
        settings=settings,
        period=Period(2025, 1),
        transport=SmtpTransport(settings),
        clock=clock,
        worker=f"{name}@test",
        actor=name,
        source=TEST_SOURCE,
    )
    db.dispose()
    print(
        json.dumps({"planned": len(plan.new), "sent": len(delivered.sent), "skipped": len(delivered.skipped)})
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
