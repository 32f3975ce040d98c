"""Run import jobs in a thread of the web process that confirmed them: one at a time per process.

The thread is a daemon: when gunicorn stops or restarts the worker, it dies with it, its import transaction is
rolled back by the database, its lease is released, and the next look (a status poll, the scheduler, the
next confirm) queues the job again. A Database bound to one connection (tests, scripts) cannot be shared
with a thread: there the job runs in the calling request instead (same code path, synchronously).
"""

from __future__ import annotations

import logging
import threading

import sqlalchemy as sa

from .jobs import Runner

log = logging.getLogger("quota.imports")


class BackgroundRunner:
    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    @property
    def inline(self) -> bool:
        return isinstance(getattr(self.runner.db, "_bind", None), sa.Connection)

    def kick(self) -> None:
        """Make sure queued jobs get run: start the thread if it is not running, else tell it to look again."""
        if self.inline:
            self.runner.run_all()
            return
        with self._lock:
            self._again = True
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._loop, name="quota-import-jobs", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._again:
                    self._thread = None
                    return
                self._again = False
            try:
                self.runner.run_all()
            except Exception:  # a broken database must not kill the thread silently forever
                log.exception("running import jobs failed")
