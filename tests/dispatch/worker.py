"""A dispatch process for the concurrency test: python -m tests.dispatch.worker URL PORT NOW NAME.

It says "ready" on stdout, then waits for a line on stdin, so that two of them start together."""

from __future__ import annotations

import json
import sys

from quota_app.clock import FrozenClock
from quota_app.converters import parse_timestamp
from quota_app.db import Database
from quota_app.dispatch import run
from quota_app.mail.services import SmtpTransport
from quota_app.periods import Period
from tests.dispatch.support import TEST_SOURCE, smtp_settings


def main(url: str, port: str, now: str, name: str) -> None:
    settings = smtp_settings(int(port))
    db = Database(url)
    clock = FrozenClock(parse_timestamp(now))
    print("ready", flush=True)
    sys.stdin.readline()  # the test starts both together
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
