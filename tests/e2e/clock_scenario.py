"""A manual-clock scenario for crash tests: listings whose 180 days run out and pledged
patents whose annual fee falls due, then one `POST /v1/_clock` that fires all their timers,
and a kill once the first few have fired (the server logs each timer it fires)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.builders import filing, party
from tests.e2e.server import Server
from tests.e2e.support import ADMIN, Headers, import_patents, ok, patent, principal, wait_for

HOLDER = 7
TIMER_EVENTS = [
    "listing.expired",
    "buyback.requested",
    "annuity.due_soon",
    "annuity.overdue",
    "ip_right.lapsed",
]


@dataclass
class Roles:
    office: Headers
    bank: Headers
    centre: Headers
    regulator: Headers

    @classmethod
    def create(cls, http: httpx.Client) -> Roles:
        return cls(
            principal(http, "ip_office", "CNIPA"),
            principal(http, "bank", "BANK-A"),
            principal(http, "trading_centre", "WHOTC"),
            principal(http, "regulator", "HB-FSB"),
        )


def file_pledge(http: httpx.Client, roles: Roles, serial: int) -> dict[str, Any]:
    filed = http.post(
        "/v1/pledges", headers=roles.bank, json=filing(party(HOLDER), [patent(serial)])
    )
    body = ok(filed, 201)
    assert body["status"] == "registered", filed.text
    return body


def open_listings(http: httpx.Client, roles: Roles, serials: list[int], today: str) -> list[str]:
    """Pledged, defaulted, under disposal and listed today: each listing's 180 days run."""
    import_patents(http, roles.office, serials, HOLDER)
    listings = []
    for serial in serials:
        pledge = file_pledge(http, roles, serial)
        default = {"declared_on": today, "outstanding_amount": "1000000.00"}
        ok(http.post(f"/v1/pledges/{pledge['id']}/default", headers=roles.bank, json=default))
        opened = {
            "pledge_id": pledge["id"],
            "route": "exchange_listing",
            "appraised_value": "900000.00",
        }
        disposal = ok(http.post("/v1/disposals", headers=roles.bank, json=opened), 201)
        listed = {"disposal_id": disposal["id"], "asking_price": "850000.00", "listed_on": today}
        listings.append(ok(http.post("/v1/listings", headers=roles.centre, json=listed), 201)["id"])
    return listings


def pledge_watched_patents(http: httpx.Client, roles: Roles, serials: list[int]) -> None:
    """Filed 2015-03-06, fees paid through year 11: year 12 falls due on 2026-03-06, so a clock
    moved from 2026-01-05 past 2026-03-07 fires a due_soon and an overdue notice for each."""
    fees = {"filing_date": "2015-03-06", "annuity_paid_through_year": 11}
    import_patents(http, roles.office, serials, HOLDER, **fees)
    for serial in serials:
        file_pledge(http, roles, serial)


class ClockMove(threading.Thread):
    """POST /v1/_clock in the background; ``answer`` stays None if the server died first."""

    def __init__(self, server: Server, target: str) -> None:
        super().__init__()
        self.server, self.target = server, target
        self.answer: httpx.Response | None = None

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.server.url, timeout=120) as http:
                self.answer = http.post("/v1/_clock", headers=ADMIN, json={"now": self.target})
        except httpx.TransportError:
            pass


def kill_while_timers_fire(
    server: Server, target: str, kill: Callable[[], None], after_timers: int
) -> None:
    """Moves ``server``'s clock to ``target`` and calls ``kill`` as soon as the server has
    logged ``after_timers`` fired timers; the move must not have answered by then."""
    offset = server.log_size()
    move = ClockMove(server, target)
    move.start()
    try:
        wait_for(
            lambda: server.log_count(b'"timer fired"', offset) >= after_timers,
            60,
            "the first timers to fire",
            every=0.01,
        )
    finally:
        kill()
        move.join(60)
    assert move.answer is None, "the clock move finished before the kill"


def count_by_stream(log: list[dict[str, Any]], event_type: str) -> Counter[str]:
    return Counter(e["stream_id"] for e in log if e["type"] == event_type)


def assert_each_timer_fired_once(
    log: list[dict[str, Any]], listings: list[str], watched: int
) -> None:
    """One expiry and one buyback request per listing, one due_soon and one overdue notice
    per watched patent, and no lapse (the grace period does not end within the move)."""
    for event_type in ("listing.expired", "buyback.requested"):
        assert count_by_stream(log, event_type) == dict.fromkeys(listings, 1), event_type
    for event_type in ("annuity.due_soon", "annuity.overdue"):
        fired = count_by_stream(log, event_type)
        assert len(fired) == watched and set(fired.values()) == {1}, (event_type, fired)
    assert count_by_stream(log, "ip_right.lapsed") == {}
