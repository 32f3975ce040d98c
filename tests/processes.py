"""Waiting on other processes by what they say, never by sleeping.

A test that starts real processes (gunicorn workers, the scheduler, a second dispatcher) waits for a line
they write, for a socket that is already listening, or for a lock they release: each wait ends the
moment the condition holds, and fails with the process's own words when it does not within the timeout.
"""

from __future__ import annotations

import queue
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import IO


class LineReader:
    """Read a process's output line by line in the background, so the test can wait for a line."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._stream = stream
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)  # the stream ended: the process closed it (or ended)

    def wait_for(self, matches: Callable[[str], bool] | str, *, timeout: float = 60, what: str = "") -> str:
        """Return the first line not yet waited for that matches (a predicate, or a regular expression);
        fail with everything read so far when the stream ends or `timeout` seconds pass first."""
        test = (lambda line: re.search(matches, line) is not None) if isinstance(matches, str) else matches
        deadline = (
            time.monotonic() + timeout
        )  # for the whole wait: a process that keeps logging cannot stall it
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"timed out waiting for {what or matches}:\n{self.text()}") from None
            if line is None:
                self._queue.put(None)
                raise AssertionError(f"the output ended before {what or matches}:\n{self.text()}")
            self.lines.append(line)
            if test(line):
                return line

    def close(self) -> None:
        """After the process ended: let the reader finish, then close the stream."""
        self._thread.join(timeout=30)
        self._stream.close()
        while not self._queue.empty():
            line = self._queue.get()
            if line is not None:
                self.lines.append(line)

    def text(self) -> str:
        """The lines read so far (all of them once closed)."""
        return "\n".join(self.lines)


def listening_socket() -> socket.socket:
    """A socket on a free loopback port, already listening: a server started on it (gunicorn's
    --bind fd://N) answers the first request as soon as it can, and the request waits until then."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock
