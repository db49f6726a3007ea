"""The background loop: projections now, timers and webhooks as they arrive.

No sleeps per item and no thread per item: one loop drains whatever is due, then waits for a
nudge (a write in this process) or the poll interval (writes from other processes). A nudge
that comes while the loop is busy runs the first step (the projections) next, not after the
rest of the round, so a write's read models are not held up by timers or purges. The steps
are independent: one that fails (the timers' read model is stopped, the database hiccups) is
logged once and tried again next round while the others go on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from events.retry import describe

log = logging.getLogger("ipledge.worker")

Step = Callable[[], int]  # does some work, returns how much it did (0: idle)


class Worker:
    def __init__(self, steps: Sequence[Step], poll_seconds: float = 0.5) -> None:
        self.steps = list(steps)
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._looping: threading.Thread | None = None  # the thread running _loop
        self._failing: dict[str, str] = {}  # step -> its last error, while it fails

    def run_until_idle(self) -> int:
        """Runs every step until none has anything left to do; a step that raises counts
        as idle for this round, so it stops nobody else (it is tried again next round)."""
        total = 0
        while True:
            done = self._round()
            total += done
            if done == 0:
                return total

    def _round(self) -> int:
        """Every step once; a wake meanwhile (a write in this process) runs the first step
        (the projections) before the next one, so a write never waits for a whole round."""
        done = 0
        for index, step in enumerate(self.steps):
            while index and self._wake.is_set():
                self._wake.clear()
                done += self._run(self.steps[0])
            done += self._run(step)
        return done

    def failing(self) -> dict[str, bool]:
        """Each step by name: whether its last run in this process failed."""
        return {step_name(step): step_name(step) in self._failing for step in self.steps}

    def _run(self, step: Step) -> int:
        name = step_name(step)
        try:
            done = step()
        except Exception as error:  # the boundary that keeps one step's fault its own
            text = describe(error)
            if self._failing.get(name) != text:  # logged once, not once per poll
                log.error("worker step %s failed: %s", name, text, exc_info=error)
            else:
                log.debug("worker step %s still failing: %s", name, text)
            self._failing[name] = text
            return 0
        if self._failing.pop(name, None) is not None:
            log.info("worker step %s recovered", name)
        return done

    def wake(self) -> None:
        self._wake.set()

    def woken(self) -> bool:
        """Whether a nudge waits for the loop that asks (only the loop's own thread: a step
        run by hand, as tests do, never sees one)."""
        return self._wake.is_set() and threading.current_thread() is self._looping

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
        self._looping = threading.current_thread()
        log.info("worker started")
        while not self._stop.is_set():
            try:
                self.run_until_idle()
            except Exception:  # keep the loop alive; the error is logged and retried
                log.exception("worker step failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
        log.info("worker stopped")


def step_name(step: Step) -> str:
    return getattr(step, "__qualname__", repr(step))
