"""The background loop: projections now, timers and webhooks as they arrive.

No sleeps per item and no thread per item: one loop drains whatever is due, then waits for a
nudge (a write in this process) or the poll interval (writes from other processes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

log = logging.getLogger("ipledge.worker")

Step = Callable[[], int]  # does some work, returns how much it did (0: idle)


class Worker:
    def __init__(self, steps: Sequence[Step], poll_seconds: float = 0.5) -> None:
        self.steps = list(steps)
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_until_idle(self) -> int:
        total = 0
        while True:
            done = sum(step() for step in self.steps)
            total += done
            if done == 0:
                return total

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ipledge-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_forever(self) -> None:
        self._loop()

    def _loop(self) -> None:
        log.info("worker started")
        while not self._stop.is_set():
            try:
                self.run_until_idle()
            except Exception:  # keep the loop alive; the error is logged and retried
                log.exception("worker step failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
        log.info("worker stopped")
