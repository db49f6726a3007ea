"""Two concurrent filings for the same IP right never both register (contract §4), and the
global log stays gap-free (contract §8) while they race."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from api.bootstrap import Container
from registry.actors import acting_as
from registry.pledges import Pledge
from registry.values import Encumbrance
from tests.application.workload import put
from tests.builders import party
from tests.factories import IP_OFFICE, bank, make_filing, patent_fields, patent_item

T = TypeVar("T")
RACERS = 24
HOLDER = party(1)
PATENT = patent_item(1)


def all_at_once(tasks: list[Callable[[], T]]) -> list[T]:
    """Runs every task on its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(tasks))

    def run(task: Callable[[], T]) -> T:
        barrier.wait(timeout=10)
        return task()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(run, task) for task in tasks]
        return [f.result(timeout=60) for f in futures]


def race_for_one_patent(container: Container) -> list[Pledge]:
    put(container, PATENT, patent_fields([HOLDER]))
    filing = make_filing(HOLDER, [PATENT])

    def filer(n: int) -> Callable[[], Pledge]:
        def file() -> Pledge:
            with acting_as(bank(n)):  # a thread of its own: its own context
                return container.registry.file_pledge(filing).value

        return file

    return all_at_once([filer(n) for n in range(RACERS)])


def assert_log_is_gap_free(container: Container) -> int:
    notifications = container.store.read_log(after=0, limit=10_000)
    ids = [n.id for n in notifications]
    assert ids == list(range(1, len(ids) + 1))
    streams = [(n.originator_id, n.originator_version) for n in notifications]
    assert len(set(streams)) == len(streams)
    assert container.store.max_position() == len(ids)
    return len(ids)


def test_two_filings_for_one_patent_never_both_register(container):
    pledges = race_for_one_patent(container)

    statuses = sorted(p.status for p in pledges)
    assert statuses == ["refused"] * (RACERS - 1) + ["registered"]


def test_every_losing_filing_is_refused_as_already_pledged(container):
    pledges = race_for_one_patent(container)

    losers = [p for p in pledges if p.status == "refused"]
    assert len(losers) == RACERS - 1
    for loser in losers:
        assert [(r.code, r.item) for r in loser.refusal_reasons] == [("ip_already_pledged", PATENT)]


def test_the_patents_encumbrance_names_the_winning_filing(container):
    pledges = race_for_one_patent(container)

    [winner] = [p for p in pledges if p.status == "registered"]
    encumbrance = container.registry.ip_right(PATENT.kind, PATENT.number).encumbrance
    assert encumbrance == Encumbrance(
        pledge_id=str(winner.id),
        registration_number=winner.registration_number,
        pledgee=winner.pledgee,
    )


def test_the_log_has_no_gaps_or_duplicates_after_the_race(container):
    race_for_one_patent(container)

    # The right, the winner's registration and encumbrance, and every refusal.
    assert assert_log_is_gap_free(container) == 1 + 2 + (RACERS - 1)


def test_concurrent_writes_to_different_rights_never_conflict(container, caplog):
    caplog.set_level(logging.INFO, logger="ipledge.commands")

    def registrar(n: int) -> Callable[[], bool]:
        item = patent_item(n)
        fields = patent_fields([party(n)])

        def register() -> bool:
            with acting_as(IP_OFFICE):
                result = container.registry.put_ip_right(item.kind, item.number, fields)
            return result.value[1]

        return register

    created = all_at_once([registrar(n) for n in range(1, RACERS + 1)])

    assert created == [True] * RACERS
    assert [r.message for r in caplog.records if "conflict" in r.message] == []
    assert assert_log_is_gap_free(container) == RACERS
