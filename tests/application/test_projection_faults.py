"""A read model that cannot apply an event (the second line of defence, issue 8): it stops just
before that event, never skips it, holds nobody else back, is retried with backoff and
resumes by itself once the fault is gone. Retries are driven by a hand-moved monotonic clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.bootstrap import Container
from events.envelope import event_type
from events.projections.pledges import PledgesProjection
from events.projections.runner import ProjectionRunner, ProjectionStalled
from events.tables import pledges_view
from tests.application.timer_support import DEADLINE, EXPIRY, end_of, listing_without_taker
from tests.application.workload import file, put
from tests.builders import party
from tests.factories import BANK_A, patent_fields, patent_item
from tests.faults import Faulty, Ticks, break_projection

HOLDER = party(1)


@dataclass
class Fault:
    projection: Faulty
    ticks: Ticks
    position: int  # the event the pledges read model cannot apply


def nth_position(container: Container, kind: str, nth: int) -> int:
    notifications = container.store.read_log(after=0, limit=10_000)
    found = [n.id for n in notifications if event_type(container.store.decode(n)) == kind]
    return found[nth - 1]


def pledge_ids(container: Container) -> list[str]:
    with container.db.read() as conn:
        query = select(pledges_view.c.id).order_by(pledges_view.c.created_position)
        return list(conn.execute(query).scalars())


@pytest.fixture
def fault(container: Container) -> Fault:
    """Three pledges on the log; the pledges read model cannot apply the second one's
    registration. Nothing has been projected yet."""
    for serial in (1, 2, 3):
        put(container, patent_item(serial), patent_fields([HOLDER]))
        file(container, BANK_A, HOLDER, [patent_item(serial)])
    bad = nth_position(container, "pledge.registered", 2)
    projection, ticks = break_projection(container, "pledges", bad)
    return Fault(projection, ticks, bad)


def test_a_projection_that_cannot_apply_an_event_stops_just_before_it(container, fault):
    container.worker.run_until_idle()

    pledges = container.projections.progress()["pledges"]
    assert pledges.position == fault.position - 1
    assert (pledges.failed_position, pledges.failed_event_type) == (
        fault.position,
        "pledge.registered",
    )
    assert pledges.error == f"RuntimeError: injected fault at position {fault.position}"
    assert len(pledge_ids(container)) == 1  # the first pledge, applied before the fault


def test_the_other_projections_reach_the_end_of_the_log_page_after_page(
    container, fault, monkeypatch
):
    monkeypatch.setattr("events.projections.runner.PAGE", 2)

    container.worker.run_until_idle()

    head = container.store.max_position()
    others = {n: p.position for n, p in container.projections.progress().items() if n != "pledges"}
    assert others == dict.fromkeys(others, head)
    assert fault.position < head


def test_a_stopped_projection_is_retried_with_backoff_and_logged_once(container, fault, caplog):
    caplog.set_level(logging.WARNING, logger="ipledge.projections")
    container.worker.run_until_idle()
    tries = [fault.projection.tries]
    for wait in (0.5, 0.5, 1.0, 1.0, 1.0):  # retried 1 s, then 2 s, after a failure
        fault.ticks.advance(wait)
        container.worker.run_until_idle()
        tries.append(fault.projection.tries)

    assert tries == [1, 1, 2, 2, 3, 3]
    assert container.projections.progress()["pledges"].failures == 3
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    fields = [(vars(r)["projection"], vars(r)["position"], vars(r)["event_type"]) for r in errors]
    assert fields == [("pledges", fault.position, "pledge.registered")]


def test_a_stopped_projection_resumes_by_itself_once_the_fault_is_gone(container, fault):
    container.worker.run_until_idle()
    fault.projection.broken = False
    fault.ticks.advance(1)

    container.worker.run_until_idle()

    pledges = container.projections.progress()["pledges"]
    assert (pledges.position, pledges.failing) == (container.store.max_position(), False)
    resumed = pledge_ids(container)
    assert len(resumed) == 3
    container.projections.rebuild()
    assert pledge_ids(container) == resumed  # nothing skipped, nothing applied twice


def test_a_restarted_runner_with_the_fix_resumes_at_once(container, fault):
    container.worker.run_until_idle()
    restarted = ProjectionRunner(container.store, container.db, [PledgesProjection()])

    restarted.run_once()

    pledges = restarted.progress()["pledges"]
    assert (pledges.position, pledges.failing) == (container.store.max_position(), False)
    assert container.projections.progress()["pledges"].failing is False


def test_catch_up_waits_only_for_the_projections_it_is_asked_for(container, fault):
    container.worker.run_until_idle()
    head = container.store.max_position()

    assert container.projections.catch_up(names=("disposals", "audit"), timeout=3600) == head
    assert container.projections.catch_up(until=fault.position - 1, names=("pledges",)) == (
        fault.position - 1
    )
    with pytest.raises(ProjectionStalled, match="pledges read model is stopped"):
        container.projections.catch_up(names=("pledges",), timeout=3600)  # at once, not 1 h


def test_catch_up_tries_a_stopped_projection_whose_retry_is_due_before_giving_up(container, fault):
    container.worker.run_until_idle()
    fault.projection.broken = False
    fault.ticks.advance(1)

    reached = container.projections.catch_up(names=("pledges",))

    assert reached == container.store.max_position()


def test_timers_webhooks_and_the_audit_go_on_while_a_read_model_is_stopped(container, fault):
    listing = listing_without_taker(container, serial=4)
    container.worker.run_until_idle()
    assert container.projections.progress()["pledges"].failing

    fired = container.advance_clock(end_of(DEADLINE + timedelta(days=1)))

    assert fired == EXPIRY
    assert container.disposals.listing(listing.id).status == "buyback_pending"
    assert container.audit.checkpoint()["tree_size"] == container.store.max_position()
    assert container.dispatcher.run_once() == 0  # fills outboxes from the audience model


def test_an_event_that_no_longer_decodes_stops_every_projection_at_it(
    container, fault, monkeypatch
):
    fault.projection.broken = False
    decode = container.store.decode

    def corrupt(notification):
        if notification.id == fault.position:
            raise ValueError("cannot decode")
        return decode(notification)

    monkeypatch.setattr(container.store, "decode", corrupt)
    container.worker.run_until_idle()

    stopped = container.projections.progress().values()
    assert {(p.position, p.failed_position) for p in stopped} == {
        (fault.position - 1, fault.position)
    }
    monkeypatch.setattr(container.store, "decode", decode)
    fault.ticks.advance(1)
    container.worker.run_until_idle()
    assert container.projections.position() == container.store.max_position()


def test_a_nul_that_postgresql_refuses_stops_only_the_read_models_that_store_it(
    container, database_url
):
    holder = party(2, "Wuhan Optics\x00 Co., Ltd.")
    put(container, patent_item(1), patent_fields([holder]))
    file(container, BANK_A, holder, [patent_item(1)])
    bad = nth_position(container, "pledge.registered", 1)

    container.worker.run_until_idle()

    # SQLite stores a NUL in text; PostgreSQL refuses it (as it would refuse any bad value).
    refused = {"pledges"} if database_url.startswith("postgresql") else set()
    progress = container.projections.progress()
    assert {n for n, p in progress.items() if p.failing} == refused
    for name, p in progress.items():
        expected = bad - 1 if name in refused else container.store.max_position()
        assert p.position == expected, name
