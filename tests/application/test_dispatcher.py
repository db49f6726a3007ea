"""The webhook dispatcher (contract §10) over both stores, with fake transports.

Delivery timing (due times, retries, leases, ``webhook-timestamp``, rotation windows) follows
the wall clock, never the service clock; here the wall is a manual clock (``wall``) that starts
at real time, so signatures still verify with the ``standardwebhooks`` package (which compares
the timestamp with real time) and every test stays deterministic.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api.bootstrap import Container
from events.clock import ManualClock, SystemClock
from events.tables import webhook_attempts, webhook_deliveries
from events.webhooks.dispatcher import Dispatcher
from events.webhooks.transport import Reply
from registry.actors import Actor
from tests.factories import BANK_A, BANK_B
from tests.webhook_support import (
    FUND,
    OTHER_FUND,
    PLATFORM,
    REGULATOR,
    TRADING_CENTRE,
    FakeTransport,
    Sent,
    add_endpoint,
    fake_transport,
    manual_wall,
    no_taker_buyback,
    pledge,
)

URL_A = "https://a.example.com/hooks"
URL_B = "https://b.example.com/hooks"
SECOND = timedelta(seconds=1)
# The Standard Webhooks schedule, written out rather than imported.
SCHEDULE = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
]
REGISTERED = ["pledge.registered"]


@pytest.fixture
def fake(container: Container) -> FakeTransport:
    return fake_transport(container)


def deliveries(container: Container, owner: Actor, endpoint_id: str) -> list[dict[str, Any]]:
    """The endpoint's deliveries, oldest first (as GET .../deliveries lists them, reversed)."""
    items, _ = container.webhooks.deliveries(owner, endpoint_id, 500, None)
    return list(reversed(items))


def only_delivery(container: Container, owner: Actor, endpoint_id: str) -> dict[str, Any]:
    [delivery] = deliveries(container, owner, endpoint_id)
    return delivery


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@pytest.fixture
def wall(container: Container) -> ManualClock:
    return manual_wall(container)


def first_id_fails(fake: FakeTransport, url: str) -> None:
    """``url`` answers 500 to every attempt of the first event it is sent, 200 to the rest."""
    first: list[str] = []

    def script(sent: Sent) -> Reply:
        if not first:
            first.append(sent.id)
        return Reply(500) if sent.id == first[0] else Reply(200)

    fake.scripts[url] = script


# ---- order -------------------------------------------------------------------------------


def test_an_endpoint_receives_its_events_in_log_order(container, fake):
    add_endpoint(container, REGULATOR, URL_A)
    for serial in (1, 2, 3):
        pledge(container, BANK_A, serial)

    container.dispatcher.drain()

    positions = [s.position for s in fake.to(URL_A)]
    assert positions == list(range(1, container.store.max_position() + 1))


def test_a_failing_head_holds_back_later_events_of_its_endpoint_only(container, wall, fake):
    add_endpoint(container, REGULATOR, URL_A, REGISTERED)
    add_endpoint(container, REGULATOR, URL_B, REGISTERED)
    fake.always(URL_A, Reply(500))
    for serial in (1, 2, 3):
        pledge(container, BANK_A, serial)

    container.dispatcher.drain()
    wall.advance(timedelta(seconds=5))
    container.dispatcher.drain()

    first = fake.to(URL_B)[0].id
    assert [s.id for s in fake.to(URL_A)] == [first, first]  # only the head, twice
    assert len(fake.to(URL_B)) == 3


def test_events_behind_a_recovered_head_follow_in_order(container, wall, fake):
    add_endpoint(container, REGULATOR, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(500))
    for serial in (1, 2, 3):
        pledge(container, BANK_A, serial)
    container.dispatcher.drain()

    wall.advance(timedelta(seconds=5))
    container.dispatcher.drain()

    failed, *delivered = [s.position for s in fake.to(URL_A)]
    assert delivered[0] == failed
    assert delivered == sorted(set(delivered)) and len(delivered) == 3


# ---- retries -----------------------------------------------------------------------------


def test_retries_are_made_exactly_on_the_standard_webhooks_schedule(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.always(URL_A, Reply(500))
    pledge(container, BANK_A, 1)
    attempted_at = wall.now()
    assert container.dispatcher.drain() == 1

    for wait in SCHEDULE:
        assert utc(only_delivery(container, BANK_A, endpoint)["next_attempt_at"]) == (
            attempted_at + wait
        )
        wall.advance(wait - SECOND)
        assert container.dispatcher.drain() == 0
        wall.advance(SECOND)
        assert container.dispatcher.drain() == 1
        attempted_at = wall.now()

    delivery = only_delivery(container, BANK_A, endpoint)
    assert (delivery["status"], delivery["attempts"], delivery["next_attempt_at"]) == (
        "failed",
        10,
        None,
    )


def test_retry_after_seconds_on_429_replaces_the_scheduled_wait(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(429, retry_after="120"))
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    assert utc(only_delivery(container, BANK_A, endpoint)["next_attempt_at"]) == (
        wall.now() + timedelta(seconds=120)
    )


def test_retry_after_http_date_on_503_is_honoured(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    retry_at = format_datetime(wall.now() + timedelta(hours=1), usegmt=True)
    fake.answer(URL_A, Reply(503, retry_after=retry_at))
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    assert utc(only_delivery(container, BANK_A, endpoint)["next_attempt_at"]) == (
        wall.now() + timedelta(hours=1)
    )


def test_retry_after_on_a_500_is_ignored(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(500, retry_after="3600"))
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    assert utc(only_delivery(container, BANK_A, endpoint)["next_attempt_at"]) == (
        wall.now() + timedelta(seconds=5)
    )


def test_the_429_retry_is_sent_once_its_retry_after_has_passed(container, wall, fake):
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(429, retry_after="120"))
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()

    wall.advance(timedelta(seconds=119))
    early = container.dispatcher.drain()
    wall.advance(SECOND)
    on_time = container.dispatcher.drain()

    assert (early, on_time) == (0, 1)


def test_a_retry_after_date_without_a_zone_still_records_the_attempt(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    naive = (wall.now() + timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S")
    fake.answer(URL_A, Reply(429, retry_after=naive))
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    delivery = only_delivery(container, BANK_A, endpoint)
    assert delivery["attempts"] == 1
    assert utc(delivery["next_attempt_at"]) == wall.now() + timedelta(minutes=10)


def test_a_redirect_counts_as_a_failed_attempt(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(302))
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    delivery = only_delivery(container, BANK_A, endpoint)
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    assert delivery["attempt_history"][0]["status_code"] == 302
    assert utc(delivery["next_attempt_at"]) == wall.now() + timedelta(seconds=5)


def test_no_http_answer_counts_as_a_failed_attempt(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(None, error="ReadTimeout: timed out"))
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    [attempt] = only_delivery(container, BANK_A, endpoint)["attempt_history"]
    assert (attempt["status_code"], attempt["error"]) == (None, "ReadTimeout: timed out")


# ---- disabling ---------------------------------------------------------------------------


def test_410_gone_disables_the_endpoint_at_once(container, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(410))
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    got = container.webhooks.get(BANK_A, endpoint)
    assert got["status"] == "disabled" and "410" in got["disabled_reason"]


def test_nothing_is_sent_to_an_endpoint_disabled_by_410(container, wall, fake):
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(410))
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()

    pledge(container, BANK_A, 2)
    wall.advance(timedelta(days=3))
    container.dispatcher.drain()

    assert len(fake.to(URL_A)) == 1


def test_re_enabling_sends_the_queued_events_in_order(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(410))
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()
    pledge(container, BANK_A, 2)
    container.dispatcher.drain()

    container.webhooks.enable(BANK_A, endpoint)
    container.dispatcher.drain()

    gone, resent, queued = fake.to(URL_A)
    assert resent.id == gone.id
    assert resent.position < queued.position
    assert [d["status"] for d in deliveries(container, BANK_A, endpoint)] == ["delivered"] * 2


def test_a_delivery_that_exhausts_ten_attempts_fails_and_the_next_proceeds(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    first_id_fails(fake, URL_A)
    pledge(container, BANK_A, 1)
    pledge(container, BANK_A, 2)

    for _ in range(11):
        container.dispatcher.drain()
        wall.advance(timedelta(hours=24))

    first, second = deliveries(container, BANK_A, endpoint)
    assert (first["status"], first["attempts"], len(first["attempt_history"])) == (
        "failed",
        10,
        10,
    )
    assert (second["status"], second["attempts"]) == ("delivered", 1)


def test_five_consecutive_failed_deliveries_disable_the_endpoint(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.always(URL_A, Reply(500))
    for serial in range(1, 7):
        pledge(container, BANK_A, serial)

    for _ in range(60):
        container.dispatcher.drain()
        if container.webhooks.get(BANK_A, endpoint)["status"] == "disabled":
            break
        wall.advance(timedelta(hours=24))

    got = container.webhooks.get(BANK_A, endpoint)
    assert (got["status"], got["consecutive_failures"]) == ("disabled", 5)
    assert [d["status"] for d in deliveries(container, BANK_A, endpoint)] == ["failed"] * 5 + [
        "pending"
    ]
    assert len(fake.to(URL_A)) == 50


def test_a_delivered_event_resets_the_consecutive_failure_count(container, wall, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    first_id_fails(fake, URL_A)
    pledge(container, BANK_A, 1)
    for _ in range(10):
        container.dispatcher.drain()
        wall.advance(timedelta(hours=24))
    assert container.webhooks.get(BANK_A, endpoint)["consecutive_failures"] == 1

    pledge(container, BANK_A, 2)
    container.dispatcher.drain()

    assert container.webhooks.get(BANK_A, endpoint)["consecutive_failures"] == 0


# ---- signing -----------------------------------------------------------------------------


def test_each_attempt_is_signed_afresh_under_the_same_webhook_id(container, wall, fake):
    _, secret = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    fake.answer(URL_A, Reply(500))
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()

    wall.advance(timedelta(seconds=5))
    container.dispatcher.drain()

    first, retry = fake.to(URL_A)
    assert first.id == retry.id
    assert retry.timestamp == first.timestamp + 5
    assert first.headers["webhook-signature"] != retry.headers["webhook-signature"]
    for sent in (first, retry):
        Webhook(secret).verify(sent.body, sent.headers)


def test_the_body_is_the_type_the_occurrence_time_and_the_audit_envelope(container, fake):
    _, secret = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    [sent] = fake.to(URL_A)
    payload = Webhook(secret).verify(sent.body, sent.headers)
    assert payload == {
        "type": "pledge.registered",
        "timestamp": payload["data"]["occurred_at"],
        "data": container.audit.envelope_at(sent.position),
    }
    assert payload["data"]["id"] == sent.id


def test_within_24_hours_of_a_rotation_both_secrets_verify(container, fake):
    overlap = timedelta(hours=23, minutes=58)
    wall = manual_wall(container, start=datetime.now(UTC) - overlap)
    endpoint, old = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    _, new = container.webhooks.rotate(BANK_A, endpoint)
    wall.advance(overlap)
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    [sent] = fake.to(URL_A)
    assert len(sent.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(sent.body, sent.headers)
    Webhook(new).verify(sent.body, sent.headers)


def test_24_hours_after_a_rotation_only_the_new_secret_verifies(container, fake):
    overlap = timedelta(hours=24, minutes=1)
    wall = manual_wall(container, start=datetime.now(UTC) - overlap)
    endpoint, old = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    _, new = container.webhooks.rotate(BANK_A, endpoint)
    wall.advance(overlap)
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    [sent] = fake.to(URL_A)
    Webhook(new).verify(sent.body, sent.headers)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(old).verify(sent.body, sent.headers)


# ---- scoping (contract §2) -------------------------------------------------------------------


def streams_received(fake: FakeTransport, url: str) -> list[tuple[str, str, str]]:
    """(stream_type, stream_id, type) of every event sent to ``url``."""
    return [
        (s.payload["data"]["stream_type"], s.payload["data"]["stream_id"], s.type)
        for s in fake.to(url)
    ]


def test_bank_b_never_receives_bank_a_pledge_events(container, fake):
    add_endpoint(container, BANK_B, URL_B)
    a_pledge = pledge(container, BANK_A, 1)
    b_pledge = pledge(container, BANK_B, 2)

    container.dispatcher.drain()

    received = streams_received(fake, URL_B)
    assert {sid for kind, sid, _ in received if kind != "ip_right"} == {str(b_pledge)}
    assert str(a_pledge) not in {sid for _, sid, _ in received}


def test_a_bank_receives_the_disposal_listing_and_claim_of_its_own_pledge(container, fake):
    add_endpoint(container, BANK_A, URL_A)
    flow = no_taker_buyback(container, BANK_A, 1)

    container.dispatcher.drain()

    streams = {sid for kind, sid, _ in streams_received(fake, URL_A) if kind != "ip_right"}
    assert streams == {str(flow.pledge), str(flow.claim), str(flow.disposal), str(flow.listing)}


def test_the_trading_centre_receives_disposals_and_listings_but_no_pledges(container, fake):
    add_endpoint(container, TRADING_CENTRE, URL_A)
    no_taker_buyback(container, BANK_A, 1)

    container.dispatcher.drain()

    kinds = {kind for kind, _, _ in streams_received(fake, URL_A)}
    types = {t for _, _, t in streams_received(fake, URL_A)}
    assert kinds == {"ip_right", "disposal", "listing"}
    assert {"disposal.opened", "listing.created", "buyback.completed"} <= types


def test_a_compensation_fund_receives_the_claims_on_its_fund(container, fake):
    add_endpoint(container, FUND, URL_A, ["compensation.claimed", "compensation.advanced"])
    flow = no_taker_buyback(container, BANK_A, 1)

    container.dispatcher.drain()

    assert streams_received(fake, URL_A) == [
        ("compensation_claim", str(flow.claim), "compensation.claimed"),
        ("compensation_claim", str(flow.claim), "compensation.advanced"),
    ]


def test_a_compensation_fund_receives_nothing_of_another_funds_claims(container, fake):
    add_endpoint(container, OTHER_FUND, URL_A)
    no_taker_buyback(container, BANK_A, 1)

    container.dispatcher.drain()

    assert {kind for kind, _, _ in streams_received(fake, URL_A)} == {"ip_right"}


def test_a_compensation_fund_receives_no_disposal_or_listing_events(container, fake):
    add_endpoint(container, FUND, URL_A)
    no_taker_buyback(container, BANK_A, 1)

    container.dispatcher.drain()

    kinds = {kind for kind, _, _ in streams_received(fake, URL_A)}
    assert kinds == {"ip_right", "pledge", "compensation_claim"}


def test_the_disposal_platform_receives_a_listing_only_from_its_expiry_on(container, fake):
    add_endpoint(container, PLATFORM, URL_A)
    flow = no_taker_buyback(container, BANK_A, 1)

    container.dispatcher.drain()

    received = [r for r in streams_received(fake, URL_A) if r[0] != "ip_right"]
    assert received == [
        ("listing", str(flow.listing), "listing.expired"),
        ("listing", str(flow.listing), "buyback.requested"),
        ("listing", str(flow.listing), "buyback.completed"),
    ]


def test_an_endpoint_receives_only_the_event_types_it_subscribed_to(container, fake):
    add_endpoint(container, REGULATOR, URL_A, ["ip_right.encumbered", "pledge.registered"])
    pledge(container, BANK_A, 1)

    container.dispatcher.drain()

    assert [s.type for s in fake.to(URL_A)] == ["pledge.registered", "ip_right.encumbered"]


def test_a_new_endpoint_receives_only_events_recorded_after_it(container, fake):
    pledge(container, BANK_A, 1)
    add_endpoint(container, BANK_A, URL_A, REGISTERED)
    later = pledge(container, BANK_A, 2)

    container.dispatcher.drain()

    assert [s.payload["data"]["stream_id"] for s in fake.to(URL_A)] == [str(later)]


def test_a_deleted_endpoint_receives_nothing_more(container, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()

    container.webhooks.delete(BANK_A, endpoint)
    pledge(container, BANK_A, 2)
    container.dispatcher.drain()

    assert len(fake.to(URL_A)) == 1


# ---- replay ------------------------------------------------------------------------------


def test_replay_resends_from_a_position_with_the_same_webhook_ids_and_bodies(container, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL_A, REGISTERED)
    for serial in (1, 2, 3):
        pledge(container, BANK_A, serial)
    container.dispatcher.drain()
    original = fake.to(URL_A)

    queued = container.webhooks.replay(BANK_A, endpoint, original[1].position)
    container.dispatcher.drain()

    resent = fake.to(URL_A)[3:]
    assert queued == 2
    assert [(s.id, s.body) for s in resent] == [(s.id, s.body) for s in original[1:]]


# ---- concurrency -------------------------------------------------------------------------


def pending(container: Container) -> int:
    with container.db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(webhook_deliveries)
                .where(webhook_deliveries.c.status == "pending")
            ).scalar_one()
        )


def test_two_dispatchers_on_one_database_never_send_the_same_attempt_twice(container, fake):
    urls = [f"https://{n}.example.com/hooks" for n in ("one", "two", "three")]
    for url in urls:
        add_endpoint(container, REGULATOR, url)
    for serial in range(1, 9):
        pledge(container, BANK_A, serial)
    second = Dispatcher(container.db, container.audit, SystemClock(), fake)
    start = threading.Barrier(2)

    def work(dispatcher: Dispatcher) -> None:
        start.wait()
        dispatcher.run_once()  # fills the outboxes (racing the other one's fill)
        for _ in range(500):
            if pending(container) == 0:
                return
            dispatcher.run_once()

    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(work, container.dispatcher), pool.submit(work, second)]:
            done.result(timeout=120)

    sends = Counter((s.url, s.id) for s in fake.sent)
    events = container.store.max_position()
    assert len(sends) == len(urls) * events
    assert set(sends.values()) == {1}
    with container.db.read() as conn:
        attempts = conn.execute(select(func.count()).select_from(webhook_attempts)).scalar()
    assert attempts == len(urls) * events


def test_a_slow_endpoint_does_not_hold_up_another(container, fake):
    slow, quick = URL_A, URL_B
    release = threading.Event()

    def stuck(_: Sent) -> Reply:
        release.wait(5)
        return Reply(200)

    fake.scripts[slow] = stuck
    add_endpoint(container, REGULATOR, slow, REGISTERED)
    add_endpoint(container, REGULATOR, quick, REGISTERED)
    for serial in (1, 2, 3):
        pledge(container, BANK_A, serial)
    container.projections.catch_up()

    container.dispatcher.start()
    try:
        deadline = time.monotonic() + 2.5
        while len(fake.to(quick)) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        quick_received, slow_received = len(fake.to(quick)), len(fake.to(slow))
    finally:
        release.set()
        container.dispatcher.stop()

    assert (quick_received, slow_received) == (3, 1)
