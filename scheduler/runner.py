"""Build and run the BlockingScheduler (its own process, never inside web workers)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from quota_app import create_app

log = logging.getLogger("quota.scheduler")


def build_scheduler(app) -> BlockingScheduler:  # type: ignore[no-untyped-def]
    """Return a scheduler in the app's time zone with every job registered."""
    settings = app.config["QUOTA_SETTINGS"]
    return BlockingScheduler(timezone=settings.zone)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app()
    scheduler = build_scheduler(app)
    log.info("scheduler starting with %d jobs", len(scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")
