"""The manual clock's saved time (contract §7), written by every process that moves its clock."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta

from api.bootstrap import Container, load_manual_clock, save_manual_clock
from tests.conftest import START

SAVERS = 8


def test_processes_saving_the_clock_for_the_first_time_at_once_all_succeed(
    container: Container,
):
    ready = threading.Barrier(SAVERS)
    failures: list[Exception] = []
    instants = [(START + timedelta(days=n)).astimezone(UTC) for n in range(SAVERS)]

    def save(instant):
        ready.wait(10)
        try:
            save_manual_clock(container.db, instant)
        except Exception as error:  # the test reports whatever it was
            failures.append(error)

    savers = [threading.Thread(target=save, args=(i,)) for i in instants]
    for saver in savers:
        saver.start()
    for saver in savers:
        saver.join(30)

    assert failures == []
    assert load_manual_clock(container.db) in instants
