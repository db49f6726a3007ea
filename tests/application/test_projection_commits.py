"""How a page reaches the read models (issue 12, visible lag): the leads (pledges) commit first,
each alone; every other healthy projection shares one transaction; a write waiting cuts that
transaction short without losing or repeating anything; a projection that fails inside it still
stops at exactly its event, tried once, while the others go on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, select, text

from api.bootstrap import Container
from events.projections.runner import ProjectionRunner
from tests.application.test_projection_faults import HOLDER, nth_position, pledge_ids
from tests.application.workload import file, put
from tests.factories import BANK_A, patent_fields, patent_item
from tests.faults import break_projection


@pytest.fixture
def filed(container: Container) -> Container:
    """Three pledges on the log, nothing projected yet."""
    for serial in (1, 2, 3):
        put(container, patent_item(serial), patent_fields([HOLDER]))
        file(container, BANK_A, HOLDER, [patent_item(serial)])
    return container


def count_writes(container: Container, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per write transaction the runner opens from now on."""
    opened: list[int] = []
    write = container.db.write

    @contextmanager
    def counted() -> Iterator[Connection]:
        opened.append(1)
        with write() as conn:
            yield conn

    monkeypatch.setattr(container.db, "write", counted)
    return opened


def snapshot(container: Container) -> dict[str, list[tuple]]:
    """Every read-model row, in a stable order."""
    tables = [t for p in container.projections.projections for t in p.tables]
    with container.db.read() as conn:
        return {t.name: sorted(map(repr, conn.execute(select(t)))) for t in tables}


def test_a_page_is_one_commit_for_the_lead_and_one_for_all_the_others(filed, monkeypatch):
    opened = count_writes(filed, monkeypatch)

    filed.projections.run_once()

    head = filed.store.max_position()
    assert set(filed.projections.positions().values()) == {head}
    assert len(opened) == 2  # pledges alone, then the seven others together


def test_a_write_waiting_leaves_the_others_for_later_and_loses_nothing(filed):
    runner = filed.projections
    runner.newer_waiting = lambda: True
    head = filed.store.max_position()

    runner.run_once()
    first = runner.positions()
    calls = 1
    while runner.position() < head:
        runner.run_once()
        calls += 1
    projected = snapshot(filed)
    runner.rebuild()

    assert first["pledges"] == head
    assert sorted(first.values()).count(head) == 2  # the lead, and one other
    assert calls == len(runner.projections) - 1  # one of the others per call
    assert snapshot(filed) == projected  # nothing skipped, nothing applied twice


def test_a_projection_failing_in_the_shared_transaction_stops_alone_at_its_event(filed):
    bad = nth_position(filed, "pledge.registered", 2)
    faulty, _ = break_projection(filed, "ip_rights", bad)

    filed.worker.run_until_idle()

    progress = filed.projections.progress()
    head = filed.store.max_position()
    assert (progress["ip_rights"].position, progress["ip_rights"].failed_position) == (bad - 1, bad)
    others = {name: p.position for name, p in progress.items() if name != "ip_rights"}
    assert others == dict.fromkeys(others, head)
    assert faulty.tries == 1  # the shared attempt counts: it is not tried again at once
    assert len(pledge_ids(filed)) == 3


def test_a_stopped_projection_resumes_in_the_shared_transaction_once_fixed(filed):
    bad = nth_position(filed, "pledge.registered", 2)
    faulty, ticks = break_projection(filed, "ip_rights", bad)
    filed.worker.run_until_idle()
    faulty.broken = False
    ticks.advance(1)

    filed.worker.run_until_idle()
    projected = snapshot(filed)
    filed.projections.rebuild()

    assert filed.projections.progress()["ip_rights"].failing is False
    assert filed.projections.position() == filed.store.max_position()
    assert snapshot(filed) == projected


class Probe:
    """Notes, for each event, whether its transaction waits for the disk."""

    tables = ()

    def __init__(self, name: str) -> None:
        self.name = name
        self.settings: set[str] = set()

    def process(self, conn: Any, event: Any, event_type: str, position: int) -> None:
        query = text("SELECT current_setting('synchronous_commit')")
        self.settings.add(conn.execute(query).scalar())


def test_on_postgresql_only_the_leads_commit_without_waiting_for_the_disk(filed):
    if filed.config.is_sqlite:
        pytest.skip("SQLite has no synchronous_commit")
    lead, other, third = Probe("probe_lead"), Probe("probe_other"), Probe("probe_third")
    runner = ProjectionRunner(filed.store, filed.db, [lead, other, third], lead=["probe_lead"])

    runner.run_once()

    assert (lead.settings, other.settings, third.settings) == ({"off"}, {"on"}, {"on"})
