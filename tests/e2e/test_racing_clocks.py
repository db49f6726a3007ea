"""Two `ipledge serve` on one PostgreSQL database, each with its own manual clock: both are
moved past the same deadlines at the same moment, so two schedulers race to fire every timer.
Each timer still fires exactly once, and the two answers together name each fired event once.

(Under a manual clock timers fire only in the process whose `POST /v1/_clock` moved it; a
separate `ipledge worker` does not fire them. The system-clock layout with workers is
test_multi_process.py.)
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.clock_scenario import (
    TIMER_EVENTS,
    Roles,
    assert_each_timer_fired_once,
    open_listings,
    pledge_watched_patents,
)
from tests.e2e.server import Server
from tests.e2e.support import (
    ADMIN,
    Launcher,
    assert_gap_free,
    audit_log,
    launcher,
    ok,
)
from tests.stores import PostgresStore

__all__ = ["launcher"]  # the fixture
pytestmark = pytest.mark.e2e
LISTINGS = 5
WATCHED = 15
ENV = {"IPLEDGE_RUN_WORKER": "0"}


def move_together(servers: list[Server], target: str) -> list[httpx.Response]:
    """The same `POST /v1/_clock` to every server at once."""
    ready = threading.Barrier(len(servers))
    answers: dict[int, httpx.Response] = {}

    def move(n: int, server: Server) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            ready.wait(30)
            answers[n] = http.post("/v1/_clock", headers=ADMIN, json={"now": target})

    movers = [threading.Thread(target=move, args=(n, s)) for n, s in enumerate(servers)]
    for mover in movers:
        mover.start()
    for mover in movers:
        mover.join(150)
    return [answers[n] for n in range(len(servers))]


def test_two_servers_moving_their_clocks_at_once_fire_each_timer_once(
    postgres_store: PostgresStore, tmp_path: Path, launcher: Launcher
):
    url = postgres_store.fresh_url(tmp_path)
    first = launcher.server(url, **ENV)  # migrates and registers the admin key
    second = launcher.server(url, **ENV)
    with httpx.Client(base_url=first.url, timeout=60) as http:
        roles = Roles.create(http)
        clock = ok(http.get("/v1/_clock", headers=roles.regulator))
        listings = open_listings(http, roles, list(range(800, 800 + LISTINGS)), clock["today"])
        pledge_watched_patents(http, roles, list(range(900, 900 + WATCHED)))
    target = (datetime.fromisoformat(clock["now"]) + timedelta(days=181)).isoformat()

    answers = move_together([first, second], target)
    with httpx.Client(base_url=second.url, timeout=60) as http:
        log = audit_log(http, roles.regulator)

    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert_gap_free(log)
    assert_each_timer_fired_once(log, listings, WATCHED)
    reported = Counter(t for a in answers for t in a.json()["fired"])
    assert reported == Counter(e["type"] for e in log if e["type"] in TIMER_EVENTS)
