"""Two `ipledge serve` (IPLEDGE_RUN_WORKER=0) and two `ipledge worker`s on one PostgreSQL
database, the production layout (README): filings sent round-robin to both servers, several
racing for the same patent; annual-fee timers that both workers' schedulers find due; webhooks
to a slow and to a flaky receiver from both workers' dispatchers.

Timers run on the system clock here: a separate worker fires timers only under the system
clock (bootstrap leaves the scheduler out of the worker loop for a manual clock, which fires
only in the process whose `POST /v1/_clock` moved it). Under the system clock a listing's
deadline cannot already have passed (it is listed today at the earliest), so the due timers
are `annuity.due_soon` notices of pledged patents whose next fee falls due within 30 days.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx
import pytest

from events.clock import business_date
from registry import annuities
from tests.builders import filing, party, patent_number
from tests.e2e.receiver import Receiver
from tests.e2e.server import Server, Worker
from tests.e2e.support import (
    Headers,
    Launcher,
    assert_gap_free,
    audit_log,
    bearer_key,
    import_patents,
    launcher,
    patent,
    principal,
    verify_audit,
    wait_for,
)
from tests.stores import PostgresStore

__all__ = ["launcher"]  # the fixture
pytestmark = pytest.mark.e2e
HOLDER = 6
WATCHED = list(range(500, 524))  # one filing each; next fee due in 10 days: due_soon is due
CONTESTED = list(range(600, 606))  # four filings each, at once, from two banks via both servers
SUBSCRIBED = ["pledge.registered", "annuity.due_soon"]
FLAKY_EVERY = 20  # the flaky receiver answers 500 to the first arrival of every 20th event
ENV = {"IPLEDGE_CLOCK": "system", "IPLEDGE_WEBHOOK_ALLOW_PRIVATE": "1", "IPLEDGE_RUN_WORKER": "0"}


@dataclass
class Fleet:
    servers: list[Server]
    office: Headers
    banks: list[Headers]
    regulator: Headers


@pytest.fixture
def fleet(postgres_store: PostgresStore, tmp_path: Path, launcher: Launcher) -> Fleet:
    url = postgres_store.fresh_url(tmp_path)
    first = launcher.server(url, **ENV)  # migrates and registers the admin key
    second, *_ = launcher.start_together(
        Server(url, tmp_path, **ENV), *(Worker(url, tmp_path, n, **ENV) for n in ("w1", "w2"))
    )
    servers = [first, second]
    with httpx.Client(base_url=servers[0].url, timeout=30) as http:
        return Fleet(
            servers,
            principal(http, "ip_office", "CNIPA"),
            [principal(http, "bank", "BANK-A"), principal(http, "bank", "BANK-B")],
            principal(http, "regulator", "HB-FSB"),
        )


@pytest.fixture
def slow() -> Iterator[Receiver]:
    receiver = Receiver(delay=0.1).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def flaky() -> Iterator[Receiver]:
    receiver = Receiver(fail_every=FLAKY_EVERY).start()
    yield receiver
    receiver.stop()


def fee_fields(today: date, due_in_days: int) -> dict[str, Any]:
    """Register fields of a patent whose fees are paid for the running year and whose next fee
    falls due ``due_in_days`` from today."""
    filed = annuities.add_years(today + timedelta(days=due_in_days), -10)
    paid = annuities.current_fee_year(filed, today)
    due = annuities.due_date(filed, paid + 1)
    assert 0 < (due - today).days <= due_in_days + 1
    return {
        "filing_date": filed.isoformat(),
        "grant_date": annuities.add_years(filed, 2).isoformat(),
        "annuity_paid_through_year": paid,
    }


def register_patents(fleet: Fleet) -> None:
    today = business_date(datetime.now(UTC))  # the servers run on the system clock
    with httpx.Client(base_url=fleet.servers[0].url, timeout=30) as http:
        import_patents(http, fleet.office, WATCHED, HOLDER, **fee_fields(today, 10))
        import_patents(http, fleet.office, CONTESTED, HOLDER, **fee_fields(today, 200))


def subscribe(fleet: Fleet, server: Server, receiver: Receiver) -> tuple[str, int]:
    """A regulator's endpoint (it sees every event); its id and the log position it starts at."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        created = http.post(
            "/v1/webhook-endpoints",
            headers=fleet.regulator,
            json={"url": receiver.url, "event_types": SUBSCRIBED},
        )
    assert created.status_code == 201, created.text
    receiver.expect(receiver.url, created.json()["secret"])
    return created.json()["id"], int(created.headers["X-Log-Position"])


@dataclass
class Filings:
    """Every answer the servers gave, by patent serial."""

    answers: dict[int, list[httpx.Response]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def file(
        self, server: Server, bank: Headers, serial: int, ready: threading.Barrier | None = None
    ) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            if ready is not None:
                ready.wait(30)
            answer = http.post(
                "/v1/pledges", headers=bank, json=filing(party(HOLDER), [patent(serial)])
            )
        with self.lock:
            self.answers.setdefault(serial, []).append(answer)

    def watched_round_robin(self, fleet: Fleet) -> None:
        for serial, server in zip(WATCHED, cycle(fleet.servers), strict=False):
            self.file(server, fleet.banks[serial % 2], serial)

    def contested_race(self, fleet: Fleet, serial: int) -> None:
        """Four filings at once: each bank through each server."""
        ready = threading.Barrier(4)
        racers = [
            threading.Thread(target=self.file, args=(server, bank, serial, ready))
            for server in fleet.servers
            for bank in fleet.banks
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(60)


def run_load(fleet: Fleet) -> Filings:
    filings = Filings()
    background = threading.Thread(target=filings.watched_round_robin, args=(fleet,))
    background.start()
    for serial in CONTESTED:
        filings.contested_race(fleet, serial)
    background.join(120)
    return filings


def test_two_servers_and_two_workers_register_fire_and_deliver_each_once(
    fleet: Fleet, slow: Receiver, flaky: Receiver
):
    register_patents(fleet)
    endpoints = {
        "slow": subscribe(fleet, fleet.servers[0], slow),
        "flaky": subscribe(fleet, fleet.servers[1], flaky),
    }
    filings = run_load(fleet)

    with httpx.Client(base_url=fleet.servers[1].url, timeout=30) as http:
        log = wait_for(
            lambda: all_timers_fired(http, fleet.regulator),
            60,
            "every due_soon timer to fire",
            every=0.5,
        )
        assert_each_right_registered_once(http, fleet, filings, log)
        for receiver, endpoint in ((slow, endpoints["slow"]), (flaky, endpoints["flaky"])):
            check_deliveries(http, fleet.regulator, endpoint, receiver, log)
        assert all_timers_fired(http, fleet.regulator) == log  # nothing fired twice meanwhile
    assert_gap_free(log)
    assert Counter(e["type"] for e in log)["annuity.due_soon"] == len(WATCHED)
    verify_audit(fleet.servers[0], bearer_key(fleet.regulator))


def all_timers_fired(http: httpx.Client, regulator: Headers) -> list[dict[str, Any]] | None:
    """The log once every watched patent has its due_soon notice, else None."""
    log = audit_log(http, regulator)
    noticed = {e["stream_id"] for e in log if e["type"] == "annuity.due_soon"}
    return log if len(noticed) == len(WATCHED) else None


def assert_each_right_registered_once(
    http: httpx.Client, fleet: Fleet, filings: Filings, log: list[dict[str, Any]]
) -> None:
    """Every filing was answered 201; each patent has exactly one registered pledge, which
    encumbers it; the racers that lost were refused as already pledged."""
    for serial, answers in filings.answers.items():
        assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
        registered = [a.json() for a in answers if a.json()["status"] == "registered"]
        assert len(registered) == 1, (serial, [a.json()["status"] for a in answers])
        for refused in (a.json() for a in answers if a.json()["status"] == "refused"):
            assert [r["code"] for r in refused["refusal_reasons"]] == ["ip_already_pledged"]
        right = http.get(
            f"/v1/ip-rights/invention_patent/{patent_number(serial)}", headers=fleet.office
        )
        assert right.json()["encumbrance"]["pledge_id"] == registered[0]["id"]
    assert filings.answers.keys() == {*WATCHED, *CONTESTED}
    encumbered = Counter(e["stream_id"] for e in log if e["type"] == "ip_right.encumbered")
    assert len(encumbered) == len(WATCHED) + len(CONTESTED)
    assert set(encumbered.values()) == {1}, "a right was encumbered by two pledges"
    registrations = [e for e in log if e["type"] == "pledge.registered"]
    assert len(registrations) == len(WATCHED) + len(CONTESTED)


def check_deliveries(
    http: httpx.Client,
    owner: Headers,
    endpoint: tuple[str, int],
    receiver: Receiver,
    log: list[dict[str, Any]],
) -> None:
    """The endpoint got every subscribed event after it was created, each send as the
    receiver saw it recorded once in the endpoint's delivery history."""
    endpoint_id, after = endpoint
    expected = {
        e["id"]: e["position"] for e in log if e["position"] > after and e["type"] in SUBSCRIBED
    }
    wait_for(lambda: expected.keys() <= receiver.accepted_ids(), 90, "every delivery")
    assert_sent_once_unless_retried(receiver, expected)
    assert_attempts_recorded_once(http, owner, endpoint_id, receiver)


def assert_sent_once_unless_retried(receiver: Receiver, expected: dict[str, int]) -> None:
    """Every event arrived, verified; a webhook-id came again only after its previous send
    was answered with a failure (or not answered at all), and then with the same body."""
    assert receiver.ids() == expected.keys()
    assert all(r.verified for r in receiver.snapshot())
    arrivals = receiver.by_id()
    for webhook_id, copies in arrivals.items():
        assert not any(c.accepted for c in copies[:-1]), f"{webhook_id} was sent again"
        assert copies[-1].accepted
        assert {c.body for c in copies} == {copies[0].body}
        assert {c.position for c in copies} == {expected[webhook_id]}
    positions = [copies[0].position for copies in arrivals.values()]
    assert positions == sorted(positions), "first arrivals out of log order"
    retried = [i for i, copies in arrivals.items() if len(copies) > 1]
    assert len(retried) == (len(expected) // FLAKY_EVERY if receiver.fail_every else 0)


def deliveries(http: httpx.Client, owner: Headers, endpoint_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 500}
    while True:
        page = http.get(
            f"/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=owner, params=params
        )
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if page.json()["next_cursor"] is None:
            return items
        params["cursor"] = page.json()["next_cursor"]


def assert_attempts_recorded_once(
    http: httpx.Client, owner: Headers, endpoint_id: str, receiver: Receiver
) -> None:
    """One delivery per event; its attempts numbered 1..k, one per send the receiver saw,
    each with the status the receiver answered."""
    arrivals = receiver.by_id()

    def all_recorded() -> list[dict[str, Any]] | None:
        found = deliveries(http, owner, endpoint_id)  # a dispatcher records after the answer
        return found if all(d["status"] == "delivered" for d in found) else None

    recorded = wait_for(all_recorded, 30, "the last attempts to be recorded")
    assert sorted(d["event_id"] for d in recorded) == sorted(arrivals)
    for delivery in recorded:
        history = delivery["attempt_history"]
        assert [a["attempt"] for a in history] == list(range(1, delivery["attempts"] + 1))
        sent = [r.answered for r in arrivals[delivery["event_id"]]]
        assert [a["status_code"] for a in history] == sent, delivery
