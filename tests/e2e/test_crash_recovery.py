"""Crashes of a real `ipledge serve` (SIGKILL) on both stores: nothing acknowledged is lost,
the log stays gap-free and verifiable, and a manual clock killed mid-move does not run back.

The kill comes at a moment the test observes (a number of acknowledged filings; timers the
server logged as fired), never after a sleep. Timers and webhooks across a crash:
test_crash_timers_webhooks.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.builders import filing, party
from tests.e2e.clock_scenario import (
    HOLDER,
    Roles,
    file_pledge,
    kill_while_timers_fire,
    pledge_watched_patents,
)
from tests.e2e.server import Server
from tests.e2e.support import (
    Launcher,
    assert_gap_free,
    audit_log,
    bearer_key,
    import_patents,
    launcher,
    ok,
    patent,
    principal,
    verify_audit,
    wait_for,
)

__all__ = ["launcher"]  # the fixture
pytestmark = pytest.mark.e2e
FILERS = 4
PER_FILER = 25
KILL_AFTER_ACKS = 30


@dataclass
class Burst:
    """Filings sent by several client threads; what the server acknowledged with a 201."""

    server: Server
    bank: dict[str, str]
    acknowledged: list[dict[str, Any]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def file(self, serials: list[int]) -> None:
        with httpx.Client(base_url=self.server.url, timeout=30) as http:
            for serial in serials:
                try:
                    response = http.post(
                        "/v1/pledges",
                        headers=self.bank,
                        json=filing(party(HOLDER), [patent(serial)]),
                    )
                except httpx.TransportError:
                    return  # the server is gone: this filing was never acknowledged
                with self.lock:
                    if response.status_code == 201 and response.json()["status"] == "registered":
                        self.acknowledged.append(response.json())
                    else:
                        self.unexpected.append(f"{response.status_code} {response.text}")

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def test_every_acknowledged_filing_survives_a_kill_mid_burst(database_url: str, launcher: Launcher):
    server = launcher.server(database_url)
    serials = list(range(100, 100 + FILERS * PER_FILER))
    with httpx.Client(base_url=server.url, timeout=30) as http:
        office = principal(http, "ip_office", "CNIPA")
        bank, regulator = principal(http, "bank", "BANK-A"), principal(http, "regulator", "FSB")
        import_patents(http, office, serials, HOLDER)
    burst = Burst(server, bank)
    filers = [
        threading.Thread(target=burst.file, args=(serials[i::FILERS],)) for i in range(FILERS)
    ]
    for filer in filers:
        filer.start()
    try:
        wait_for(lambda: burst.count() >= KILL_AFTER_ACKS, 60, "acknowledged filings")
    finally:
        server.kill()
        for filer in filers:
            filer.join(60)

    assert burst.unexpected == []
    assert KILL_AFTER_ACKS <= len(burst.acknowledged) < len(serials), "not killed mid-burst"
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for filed in burst.acknowledged:
            got = http.get(f"/v1/pledges/{filed['id']}", headers=bank)
            assert got.status_code == 200, got.text
            assert got.json()["status"] == "registered"
            assert got.json()["registration_number"] == filed["registration_number"]
        log = audit_log(http, regulator, page=97)
        listed = http.get(
            "/v1/pledges",
            headers=bank,
            params={"limit": 500, "min_position": len(log), "status": "registered"},
        )
    assert_gap_free(log)
    assert listed.status_code == 200, listed.text  # the read models caught up after the crash
    assert {p["id"] for p in burst.acknowledged} <= {p["id"] for p in listed.json()["items"]}
    registered = {e["stream_id"] for e in log if e["type"] == "pledge.registered"}
    assert {filed["id"] for filed in burst.acknowledged} <= registered
    verify_audit(server, bearer_key(regulator))


def test_a_manual_clock_killed_mid_move_never_runs_back_behind_the_log(
    database_url: str, launcher: Launcher
):
    server = launcher.server(database_url)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        roles = Roles.create(http)
        start = datetime.fromisoformat(ok(http.get("/v1/_clock", headers=roles.regulator))["now"])
        pledge_watched_patents(http, roles, list(range(700, 720)))  # 40 fee notices to fire
        import_patents(http, roles.office, [799], HOLDER)
    target = (start + timedelta(days=181)).isoformat()

    kill_while_timers_fire(server, target, server.kill, after_timers=3)
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        resumed = datetime.fromisoformat(ok(http.get("/v1/_clock", headers=roles.regulator))["now"])
        file_pledge(http, roles, 799)
        log = audit_log(http, roles.regulator)

    occurred = [datetime.fromisoformat(e["occurred_at"]) for e in log]
    assert any(e["type"] == "annuity.due_soon" for e in log)  # the move got under way
    assert resumed >= max(occurred[:-2])  # the filing wrote the last two events
    assert occurred == sorted(occurred), "an event is dated before one recorded earlier"
