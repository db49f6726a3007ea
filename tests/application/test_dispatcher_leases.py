"""Leases and faults in the dispatcher (contract §10): every send is recorded exactly once, even
when a lease lapses mid-send and another dispatcher takes the delivery over; a fault inside one
attempt is that attempt's failure and stops nothing else. Both stores, fake transports, a
manual wall clock shared by the dispatchers."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from api.bootstrap import Container, bootstrap
from api.settings import Settings
from events.clock import ManualClock
from events.tables import webhook_attempts, webhook_deliveries
from events.webhooks.dispatcher import Dispatcher
from events.webhooks.transport import Reply
from tests.factories import BANK_A
from tests.webhook_support import FakeTransport, Sent, add_endpoint, fake_transport, manual_wall
from tests.webhook_support import pledge as register_pledge

URL_A = "https://a.example.com/hooks"
URL_B = "https://b.example.com/hooks"
REGISTERED = ["pledge.registered"]


@pytest.fixture
def fake(container: Container) -> FakeTransport:
    return fake_transport(container)


@pytest.fixture
def wall(container: Container) -> ManualClock:
    return manual_wall(container)


def another_dispatcher(container: Container, fake: FakeTransport) -> Dispatcher:
    """A second dispatcher on the same database, with the same wall clock."""
    return Dispatcher(container.db, container.audit, container.dispatcher.wall, fake)


def head_of(container: Container) -> Any:
    container.projections.catch_up()
    container.dispatcher.fill()
    [head] = container.dispatcher.due_heads()
    return head


def attempts(container: Container) -> list[tuple[int, int | None]]:
    with container.db.read() as conn:
        rows = conn.execute(
            select(webhook_attempts.c.attempt, webhook_attempts.c.status_code).order_by(
                webhook_attempts.c.attempt
            )
        )
        return [(r.attempt, r.status_code) for r in rows]


def delivery(container: Container) -> Any:
    with container.db.read() as conn:
        return conn.execute(select(webhook_deliveries)).one()


# ---- the lease ---------------------------------------------------------------------------


def test_the_lease_is_a_setting_far_beyond_the_attempt_deadline(database_url):
    default = bootstrap(Settings(database_url=database_url, run_worker=False))
    short = bootstrap(
        Settings(database_url=database_url, run_worker=False, webhook_lease_seconds=3)
    )
    try:
        assert default.dispatcher.lease == timedelta(seconds=60)
        assert short.dispatcher.lease == timedelta(seconds=3)
    finally:
        default.close()
        short.close()


def test_a_claim_holds_the_delivery_for_the_lease(container, wall, fake):
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    register_pledge(container, BANK_A, 1)
    container.dispatcher.lease = timedelta(seconds=90)

    assert container.dispatcher.claim(head_of(container)) is not None

    leased_until = delivery(container).leased_until
    assert leased_until.replace(tzinfo=None) == (wall.now() + timedelta(seconds=90)).replace(
        tzinfo=None
    )


def test_an_attempt_whose_lease_lapsed_unclaimed_is_still_recorded(container, wall, fake):
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    register_pledge(container, BANK_A, 1)
    head = head_of(container)
    token = container.dispatcher.claim(head)
    assert token is not None

    wall.advance(container.dispatcher.lease + timedelta(seconds=1))  # a very slow send
    container.dispatcher.attempt(head, token)

    assert attempts(container) == [(1, 200)]
    assert (delivery(container).status, delivery(container).attempts) == ("delivered", 1)


def test_a_send_taken_over_after_its_lease_lapsed_is_recorded_beside_the_new_one(
    container, wall, fake
):
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    register_pledge(container, BANK_A, 1)
    first, second = container.dispatcher, another_dispatcher(container, fake)
    head = head_of(container)
    slow = first.claim(head)
    wall.advance(first.lease + timedelta(seconds=1))
    [(again, fresh)] = second.claimed_heads()

    second.attempt(again, fresh)  # the newer claim answers first...
    first.attempt(head, slow)  # ...then the old one's late result comes in

    assert attempts(container) == [(1, 200), (2, 200)]
    assert (delivery(container).status, delivery(container).attempts) == ("delivered", 2)
    assert [s.id for s in fake.to(URL_A)] == [head.event_id] * 2


def test_a_superseded_attempts_failure_does_not_undo_the_newer_delivery(container, wall, fake):
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    register_pledge(container, BANK_A, 1)
    first, second = container.dispatcher, another_dispatcher(container, fake)
    head = head_of(container)
    slow = first.claim(head)
    wall.advance(first.lease + timedelta(seconds=1))
    [(again, fresh)] = second.claimed_heads()
    second.attempt(again, fresh)

    fake.always(URL_A, Reply(None, error="timeout: no answer within 15 s"))
    first.attempt(head, slow)

    assert attempts(container) == [(1, 200), (2, None)]
    assert delivery(container).status == "delivered"


def test_two_dispatchers_and_a_slow_receiver_send_each_attempt_once_and_record_it(
    container, wall, fake
):
    """The field report: the same webhook-id resent every lease, nothing recorded, every later
    event stuck. Now: one resend after the lapse, both recorded, and the queue moves on."""
    entered, release = threading.Event(), threading.Event()

    def slow_first(sent: Sent) -> Reply:
        if len(fake.to(URL_A)) == 1:
            entered.set()
            release.wait(30)
        return Reply(200)

    fake.scripts[URL_A] = slow_first
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    register_pledge(container, BANK_A, 1)
    register_pledge(container, BANK_A, 2)
    first, second = container.dispatcher, another_dispatcher(container, fake)
    sending = threading.Thread(target=first.run_once)
    sending.start()
    assert entered.wait(30)

    wall.advance(first.lease + timedelta(seconds=1))
    second.drain()
    release.set()
    sending.join(30)
    second.drain()

    ids = [s.id for s in fake.to(URL_A)]
    assert ids[0] == ids[1] and len(ids) == 3 and len(set(ids)) == 2
    assert [a for a, _ in attempts(container)] == [1, 1, 2]  # the resent delivery has two
    with container.db.read() as conn:
        statuses = conn.execute(select(webhook_deliveries.c.status)).scalars().all()
    assert statuses == ["delivered", "delivered"]


# ---- faults inside an attempt ------------------------------------------------------------


def test_an_exception_in_the_transport_is_a_failed_attempt_and_others_proceed(
    container, wall, fake
):
    def broken(_: Sent) -> Reply:
        raise RuntimeError("transport bug")

    fake.scripts[URL_A] = broken
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    add_endpoint(container, BANK_A, URL_B, REGISTERED)
    register_pledge(container, BANK_A, 1)

    assert container.dispatcher.run_once() == 2

    errors = {(row.attempt, row.error) for row in _attempt_rows(container) if row.error}
    assert errors == {(1, "internal error: RuntimeError: transport bug")}
    assert len(fake.to(URL_B)) == 1
    assert sorted(d.status for d in _deliveries(container)) == ["delivered", "pending"]


def test_an_event_that_cannot_be_rendered_is_a_failed_attempt_retried_later(
    container, wall, fake, monkeypatch
):
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    register_pledge(container, BANK_A, 1)
    render = container.audit.envelope_at

    def unreadable(position: int) -> dict[str, Any]:
        raise ValueError(f"cannot render position {position}")

    monkeypatch.setattr(container.audit, "envelope_at", unreadable)
    container.dispatcher.drain()
    monkeypatch.setattr(container.audit, "envelope_at", render)
    wall.advance(timedelta(seconds=5))
    container.dispatcher.drain()

    [failed, ok] = _attempt_rows(container)
    assert failed.status_code is None and failed.error.startswith("internal error: ValueError")
    assert ok.status_code == 200 and len(fake.to(URL_A)) == 1


def test_the_background_loop_keeps_sending_after_a_failing_attempt(container, fake):
    reached = threading.Event()

    def broken(_: Sent) -> Reply:
        raise RuntimeError("transport bug")

    def ok(_: Sent) -> Reply:
        reached.set()
        return Reply(200)

    fake.scripts[URL_A], fake.scripts[URL_B] = broken, ok
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    register_pledge(container, BANK_A, 1)
    container.projections.catch_up()
    container.dispatcher.start()
    try:
        add_endpoint(container, BANK_A, URL_B, REGISTERED)
        register_pledge(container, BANK_A, 2)
        container.projections.catch_up()
        container.dispatcher.wake()
        assert reached.wait(30)
    finally:
        container.dispatcher.stop()

    assert any(row.error for row in _attempt_rows(container))


def _attempt_rows(container: Container) -> list[Any]:
    with container.db.read() as conn:
        return list(conn.execute(select(webhook_attempts).order_by(webhook_attempts.c.id)))


def _deliveries(container: Container) -> list[Any]:
    with container.db.read() as conn:
        return list(conn.execute(select(webhook_deliveries)))
