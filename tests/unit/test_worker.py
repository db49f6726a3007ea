"""The worker loop: its steps are independent, so one that fails stops none of the others,
and a step that fails on every poll is logged once, not once per poll."""

from __future__ import annotations

import logging

from events.worker import Worker


class Queue:
    """A step with ``items`` of work, one per call."""

    def __init__(self, items: int) -> None:
        self.items = items

    def __call__(self) -> int:
        if self.items == 0:
            return 0
        self.items -= 1
        return 1


class Broken:
    def __init__(self) -> None:
        self.broken = True
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        if self.broken:
            raise RuntimeError("database is locked")
        return 0


def test_a_failing_step_does_not_stop_the_steps_after_it():
    broken, queue = Broken(), Queue(3)
    worker = Worker([broken, queue])

    done = worker.run_until_idle()

    assert (done, queue.items) == (3, 0)
    assert broken.calls == 4  # tried again every round, not given up on


def test_a_step_failing_on_every_poll_is_logged_once_and_its_recovery_too(caplog):
    broken = Broken()
    worker = Worker([broken])
    caplog.set_level(logging.INFO, logger="ipledge.worker")

    for _ in range(3):
        worker.run_until_idle()
    failing = worker.failing()
    broken.broken = False
    worker.run_until_idle()

    assert [r.levelname for r in caplog.records] == ["ERROR", "INFO"]
    assert "database is locked" in caplog.records[0].getMessage()
    assert list(failing.values()) == [True]
    assert list(worker.failing().values()) == [False]


def test_a_wake_during_a_round_runs_the_first_step_before_the_next_one():
    calls: list[str] = []
    worker = Worker([])

    def projections() -> int:
        calls.append("projections")
        return 0

    def timers() -> int:
        calls.append("timers")
        if calls.count("timers") == 1:
            worker.wake()  # a write arrives while the timers run
        return 0

    def purge() -> int:
        calls.append("purge")
        return 0

    worker.steps = [projections, timers, purge]
    worker.run_until_idle()

    assert calls == ["projections", "timers", "projections", "purge"]


def test_only_the_loop_itself_sees_a_wake_as_waiting():
    worker = Worker([])
    seen: list[bool] = []

    def step() -> int:
        worker.wake()
        seen.append(worker.woken())
        worker.stop()
        return 0

    worker.steps = [step]
    worker.wake()
    by_hand = worker.woken()
    worker.run_forever()  # in this thread: the step ends the loop

    assert (by_hand, seen) == (False, [True])
