"""Delivery timing is transport time (contract §10): retries, due times, instants of deliveries and
the rotation overlap follow the wall clock in every clock mode; moving the service clock (the
manual one here, ``clock``) changes none of it. The wall is a manual clock too (``wall``), so
the tests stay deterministic."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from api.bootstrap import Container
from events.clock import ManualClock, SystemClock
from events.webhooks.transport import Reply
from tests.factories import BANK_A
from tests.webhook_support import FakeTransport, add_endpoint, fake_transport, manual_wall, pledge

URL = "https://a.example.com/hooks"
REGISTERED = ["pledge.registered"]


@pytest.fixture
def fake(container: Container) -> FakeTransport:
    return fake_transport(container)


@pytest.fixture
def wall(container: Container) -> ManualClock:
    return manual_wall(container)


def only_delivery(container: Container, endpoint: str) -> dict:
    [delivery] = container.webhooks.deliveries(BANK_A, endpoint, 10, None)[0]
    return delivery


def test_a_failed_delivery_is_retried_when_real_time_passes_under_a_manual_clock(
    container, clock, wall, fake
):
    add_endpoint(container, BANK_A, URL, REGISTERED)
    fake.answer(URL, Reply(500))
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()
    service_time = clock.now()

    wall.advance(timedelta(seconds=5))
    retried = container.dispatcher.drain()

    assert retried == 1 and clock.now() == service_time
    assert [s.id for s in fake.to(URL)][0] == [s.id for s in fake.to(URL)][1]


def test_moving_the_service_clock_does_not_make_a_retry_due(container, clock, wall, fake):
    add_endpoint(container, BANK_A, URL, REGISTERED)
    fake.answer(URL, Reply(500))
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()

    clock.advance(timedelta(days=3))

    assert container.dispatcher.drain() == 0


def test_deliveries_are_stamped_and_scheduled_on_the_wall_clock(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL, REGISTERED)
    fake.answer(URL, Reply(429, retry_after="60"))
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()
    scheduled = only_delivery(container, endpoint)["next_attempt_at"]
    wall.advance(timedelta(seconds=60))
    container.dispatcher.drain()

    delivered = only_delivery(container, endpoint)

    assert scheduled.astimezone(UTC) == wall.now()
    assert delivered["delivered_at"].astimezone(UTC) == wall.now()
    assert delivered["attempt_history"][1]["sent_at"].astimezone(UTC) == wall.now()


def test_an_endpoint_is_created_and_rotated_on_the_wall_clock(container, clock, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL, REGISTERED)
    wall.advance(timedelta(hours=1))

    rotated, _ = container.webhooks.rotate(BANK_A, endpoint)

    assert rotated["created_at"].astimezone(UTC) == wall.now() - timedelta(hours=1)
    assert rotated["rotating_until"].astimezone(UTC) == wall.now() + timedelta(hours=24)
    assert wall.now() != clock.now()


def test_replayed_deliveries_are_due_on_the_wall_clock(container, clock, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL, REGISTERED)
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()
    first = fake.to(URL)[0].position
    clock.advance(timedelta(days=400))  # the service clock far ahead of real time

    container.webhooks.replay(BANK_A, endpoint, first)

    assert container.dispatcher.drain() == 1  # due now by the wall, whatever the service clock


def test_the_wall_clock_is_the_system_clock_whatever_the_service_clock(container):
    assert isinstance(container.clock, ManualClock)
    assert isinstance(container.dispatcher.wall, SystemClock)
    assert container.webhooks.wall is container.dispatcher.wall
