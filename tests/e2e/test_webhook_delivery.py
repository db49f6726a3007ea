"""Webhooks from a real `ipledge serve` to a real receiver on 127.0.0.1, across a crash.

The receiver holds one request unanswered in the middle of a burst; the server is killed
(SIGKILL) while that send is in flight, then restarted. Every event must still arrive, verified
by the ``standardwebhooks`` package; a duplicate (the held event is sent again: the dead process
never saw the answer) carries the same webhook-id and the same body; first receipts come in log
order. The restarted dispatcher can only resend the held event once the dead one's lease on it
has lapsed: the lease is a setting (60 s by default), shortened here so as not to wait it out.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.builders import filing, party, patent_entry, patent_number
from tests.e2e.receiver import Receipt, Receiver
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e
ADMIN = {"Authorization": "Bearer ipk_e2e_admin_key_0123456789"}
PLEDGES = 25  # 50 writes: a register entry and a pledge each -> 75 events for the bank
HOLD_AT = 20
LEASE_SECONDS = 5


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(
        database_url,
        tmp_path,
        IPLEDGE_CLOCK="system",
        IPLEDGE_WEBHOOK_ALLOW_PRIVATE="1",
        IPLEDGE_WEBHOOK_LEASE_SECONDS=str(LEASE_SECONDS),
    ).start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(hold_at=HOLD_AT).start()
    yield receiver
    receiver.stop()


def principal(http: httpx.Client, role: str, institution: str) -> dict[str, str]:
    response = http.post(
        "/v1/admin/principals",
        headers=ADMIN,
        json={"name": f"{role} e2e", "role": role, "institution_id": institution},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['api_key']}"}


def burst(http: httpx.Client, office: dict[str, str], bank: dict[str, str]) -> None:
    holder = party(3)
    for serial in range(1, PLEDGES + 1):
        number = patent_number(serial)
        put = http.put(
            f"/v1/ip-rights/invention_patent/{number}",
            headers=office,
            json=patent_entry([holder]),
        )
        assert put.status_code == 201, put.text
        filed = http.post(
            "/v1/pledges",
            headers=bank,
            json=filing(holder, [{"kind": "invention_patent", "number": number}]),
        )
        assert filed.status_code == 201 and filed.json()["status"] == "registered", filed.text


def kill(server: Server) -> None:
    assert server.process is not None
    server.process.kill()
    server.process.wait()
    server.process = None


def first_receipts(receipts: list[Receipt]) -> list[Receipt]:
    seen: set[str] = set()
    firsts = []
    for receipt in receipts:
        if receipt.id not in seen:
            seen.add(receipt.id)
            firsts.append(receipt)
    return firsts


def test_every_event_arrives_across_a_crash_mid_burst(server: Server, receiver: Receiver):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        office, bank = principal(http, "ip_office", "CNIPA"), principal(http, "bank", "BANK-A")
        created = http.post(
            "/v1/webhook-endpoints",
            headers=bank,
            json={"url": receiver.url, "event_types": ["*"]},
        )
        assert created.status_code == 201, created.text
        receiver.expect(receiver.url, created.json()["secret"])
        start = int(created.headers["X-Log-Position"])
        burst(http, office, bank)
        assert receiver.holding.wait(30), "the dispatcher never reached the held request"

    kill(server)  # while the held send is in flight
    receiver.release()
    before_restart = len(receiver.snapshot())
    server.start()

    with httpx.Client(base_url=server.url, timeout=30) as http:
        feed = http.get("/v1/feed", headers=bank, params={"after": start, "limit": 500}).json()
        expected = {item["id"]: item["position"] for item in feed["items"]}
        assert len(expected) == 3 * PLEDGES
        deadline = time.monotonic() + LEASE_SECONDS + 30
        while not expected.keys() <= receiver.ids() and time.monotonic() < deadline:
            time.sleep(0.2)

    receipts = receiver.snapshot()
    assert before_restart < len(expected), "the crash came after the last delivery"
    assert expected.keys() <= receiver.ids()
    assert all(r.verified for r in receipts)
    by_id: dict[str, set[bytes]] = defaultdict(set)
    ids_by_position: dict[int, set[str]] = defaultdict(set)
    for r in receipts:
        by_id[r.id].add(r.body)
        ids_by_position[r.position].add(r.id)
    assert all(len(bodies) == 1 for bodies in by_id.values())  # a duplicate is byte-identical
    assert all(len(ids) == 1 for ids in ids_by_position.values())  # an event has one webhook-id
    assert {r.position for r in receipts} == set(expected.values())
    assert len(receipts) > len(expected)  # the held event was sent again after the restart
    positions = [r.position for r in first_receipts(receipts)]
    assert positions == sorted(positions)
