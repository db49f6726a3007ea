"""SIGKILL while timers fire and a dispatcher is mid-delivery, on both stores, with the worker
in the server process or in a separate `ipledge worker` (the server with IPLEDGE_RUN_WORKER=0):
after a restart every timer has fired exactly once and every event reached the receiver at
least once; a duplicate carries the same webhook-id and the same body.

The receiver holds the endpoint's first delivery unanswered (the dispatcher is mid-send), then
the clock moves 181 days in one `POST /v1/_clock`, and the process(es) are killed once the server
has fired the first few of its timers; after the restart the same move is asked for again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest

from tests.e2e.clock_scenario import (
    TIMER_EVENTS,
    Roles,
    assert_each_timer_fired_once,
    kill_while_timers_fire,
    open_listings,
    pledge_watched_patents,
)
from tests.e2e.receiver import Receiver
from tests.e2e.server import Server, Worker
from tests.e2e.support import (
    ADMIN,
    Launcher,
    assert_gap_free,
    audit_log,
    bearer_key,
    launcher,
    ok,
    verify_audit,
    wait_for,
)

__all__ = ["launcher"]  # the fixture
pytestmark = pytest.mark.e2e
LISTINGS = 5  # each: listing.expired + buyback.requested when the clock passes day 180
WATCHED = 30  # each: annuity.due_soon + annuity.overdue
KILL_AFTER_TIMERS = 5  # of LISTINGS + 2 * WATCHED
SUBSCRIBED = [*TIMER_EVENTS, "pledge.registered"]
LEASE_SECONDS = 3  # a killed dispatcher's lease lapses quickly
ENV = {
    "IPLEDGE_WEBHOOK_ALLOW_PRIVATE": "1",
    "IPLEDGE_WEBHOOK_LEASE_SECONDS": str(LEASE_SECONDS),
}


@dataclass
class Deployment:
    server: Server
    worker: Worker | None  # None: the worker loop and dispatcher run in the server process

    def kill(self) -> None:
        self.server.kill()
        if self.worker is not None:
            self.worker.kill()

    def restart(self) -> None:
        """Both at once, as a supervisor would restart them."""
        if self.worker is None:
            self.server.start()
            return
        offset = self.worker.log_size()
        self.worker.spawn()
        self.server.start()
        self.worker.wait_started(offset)


@pytest.fixture(params=["worker_in_process", "separate_worker"])
def deployment(request: pytest.FixtureRequest, database_url: str, launcher: Launcher) -> Deployment:
    if request.param == "worker_in_process":
        return Deployment(launcher.server(database_url, **ENV), None)
    server = launcher.server(database_url, IPLEDGE_RUN_WORKER="0", **ENV)
    return Deployment(server, launcher.worker(database_url, "worker", **ENV))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(hold_at=1, delay=0.01).start()
    yield receiver
    receiver.stop()


@dataclass
class Scenario:
    roles: Roles
    listings: list[str]
    target: str  # 181 days on: every listing's deadline and both fee notices have passed
    subscribed_after: int  # the log position when the endpoint was created


def set_up(http: httpx.Client, receiver: Receiver) -> Scenario:
    """Listings and watched patents, and a regulator's endpoint whose first delivery (the last
    pledge's registration) the receiver holds unanswered: the dispatcher is mid-delivery."""
    roles = Roles.create(http)
    clock = ok(http.get("/v1/_clock", headers=roles.regulator))
    listings = open_listings(http, roles, list(range(300, 300 + LISTINGS)), clock["today"])
    watched = list(range(400, 400 + WATCHED))
    pledge_watched_patents(http, roles, watched[:-1])
    endpoint = http.post(
        "/v1/webhook-endpoints",
        headers=roles.regulator,
        json={"url": receiver.url, "event_types": SUBSCRIBED},
    )
    receiver.expect(receiver.url, ok(endpoint, 201)["secret"])
    pledge_watched_patents(http, roles, watched[-1:])
    wait_for(receiver.holding.is_set, 30, "the dispatcher to send the held delivery")
    target = datetime.fromisoformat(clock["now"]) + timedelta(days=181)
    after = int(endpoint.headers["X-Log-Position"])
    return Scenario(roles, listings, target.isoformat(), after)


def test_each_timer_fires_once_and_every_webhook_arrives_across_a_kill(
    deployment: Deployment, receiver: Receiver
):
    server = deployment.server
    with httpx.Client(base_url=server.url, timeout=60) as http:
        scenario = set_up(http, receiver)

    def crash() -> None:
        deployment.kill()
        receiver.release()  # the held request's sender is gone: it is never answered

    kill_while_timers_fire(server, scenario.target, crash, KILL_AFTER_TIMERS)
    deployment.restart()
    regulator = scenario.roles.regulator
    with httpx.Client(base_url=server.url, timeout=60) as http:
        before = audit_log(http, regulator)
        ok(http.post("/v1/_clock", headers=ADMIN, json={"now": scenario.target}))
        log = audit_log(http, regulator)
        expected = {
            e["id"]: e["position"]
            for e in log
            if e["position"] > scenario.subscribed_after and e["type"] in SUBSCRIBED
        }
        wait_for(lambda: expected.keys() <= receiver.accepted_ids(), 60, "every event delivered")
        listings = [
            ok(http.get(f"/v1/listings/{i}", headers=scenario.roles.centre))["status"]
            for i in scenario.listings
        ]

    fired_before_kill = sum(e["type"] in TIMER_EVENTS for e in before)
    assert KILL_AFTER_TIMERS <= fired_before_kill < sum(e["type"] in TIMER_EVENTS for e in log)
    assert_gap_free(log)
    assert_each_timer_fired_once(log, scenario.listings, WATCHED)
    assert_delivered_at_least_once(receiver, expected)
    held = receiver.snapshot()[0]  # in flight when the process died: sent again
    assert held.answered is None and len(receiver.by_id()[held.id]) >= 2
    assert set(listings) == {"buyback_pending"}
    verify_audit(server, bearer_key(regulator))


def assert_delivered_at_least_once(receiver: Receiver, expected: dict[str, int]) -> None:
    """Every event arrived, verified; a duplicate is the same webhook-id with the same body;
    first arrivals come in log order."""
    assert receiver.ids() == expected.keys()
    assert all(r.verified for r in receiver.snapshot())
    arrivals = receiver.by_id()
    for webhook_id, copies in arrivals.items():
        assert {c.body for c in copies} == {copies[0].body}, webhook_id
        assert {c.position for c in copies} == {expected[webhook_id]}
    positions = [copies[0].position for copies in arrivals.values()]
    assert positions == sorted(positions)
