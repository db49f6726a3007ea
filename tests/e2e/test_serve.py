"""Against a real `ipledge serve` process: the HTTP contract over TCP, restarts keep state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.builders import filing, party, patent_entry, patent_number
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e
ADMIN = {"Authorization": "Bearer ipk_e2e_admin_key_0123456789"}


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(database_url, tmp_path).start()
    yield server
    server.stop()


def principal(http: httpx.Client, role: str, institution: str) -> dict[str, str]:
    response = http.post(
        "/v1/admin/principals",
        headers=ADMIN,
        json={"name": f"{role} e2e", "role": role, "institution_id": institution},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['api_key']}"}


def test_pledge_registered_over_http_survives_a_restart(server: Server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        office, bank = principal(http, "ip_office", "CNIPA"), principal(http, "bank", "BANK-A")
        holder, number = party(7), patent_number(7)
        put = http.put(
            f"/v1/ip-rights/invention_patent/{number}", headers=office, json=patent_entry([holder])
        )
        assert put.status_code == 201, put.text
        filed = http.post(
            "/v1/pledges",
            headers=bank,
            json=filing(holder, [{"kind": "invention_patent", "number": number}]),
        )
        assert filed.json()["status"] == "registered"
        pledge_id = filed.json()["id"]

    server.stop()
    server.start()

    with httpx.Client(base_url=server.url, timeout=10) as http:
        got = http.get(f"/v1/pledges/{pledge_id}", headers=bank)
        assert got.status_code == 200
        assert got.json()["registration_number"] == filed.json()["registration_number"]
        right = http.get(f"/v1/ip-rights/invention_patent/{number}", headers=bank).json()
        assert right["encumbrance"]["pledge_id"] == pledge_id


def test_in_process_worker_brings_the_pledge_list_up_to_date(server: Server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        office, bank = principal(http, "ip_office", "CNIPA"), principal(http, "bank", "BANK-A")
        holder, number = party(8), patent_number(8)
        http.put(
            f"/v1/ip-rights/invention_patent/{number}", headers=office, json=patent_entry([holder])
        )
        filed = http.post(
            "/v1/pledges",
            headers=bank,
            json=filing(holder, [{"kind": "invention_patent", "number": number}]),
        )
        position = int(filed.headers["X-Log-Position"])

        ready = http.get("/readyz")  # waits (up to 5 s) for the worker to catch up
        listed = http.get("/v1/pledges", headers=bank).json()["items"]

    assert ready.status_code == 200 and ready.json()["projections"] >= position
    assert [p["id"] for p in listed] == [filed.json()["id"]]


def test_manual_clock_moves_only_forward_and_only_for_admins(server: Server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        bank = principal(http, "bank", "BANK-A")
        before = http.get("/v1/_clock", headers=bank).json()
        moved = http.post("/v1/_clock", headers=ADMIN, json={"advance_days": 10})
        refused = http.post("/v1/_clock", headers=bank, json={"advance_days": 1})
        backwards = http.post("/v1/_clock", headers=ADMIN, json={"now": before["now"]})

    assert moved.status_code == 200 and moved.json()["fired"] == []
    assert moved.json()["now"] > before["now"]
    assert refused.status_code == 403
    assert backwards.status_code == 409 and backwards.json()["code"] == "clock_backwards"


def test_no_taker_listing_is_bought_back_by_the_platform_over_http(server: Server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        office, bank = principal(http, "ip_office", "CNIPA"), principal(http, "bank", "BANK-A")
        centre = principal(http, "trading_centre", "WHOTC")
        platform = principal(http, "disposal_platform", "HB-IPDP")
        holder, number = party(9), patent_number(9)
        http.put(
            f"/v1/ip-rights/invention_patent/{number}", headers=office, json=patent_entry([holder])
        )
        pledge = http.post(
            "/v1/pledges",
            headers=bank,
            json=filing(holder, [{"kind": "invention_patent", "number": number}]),
        ).json()
        http.post(
            f"/v1/pledges/{pledge['id']}/default",
            headers=bank,
            json={"declared_on": "2026-01-05", "outstanding_amount": "1000000.00"},
        )
        disposal = http.post(
            "/v1/disposals",
            headers=bank,
            json={
                "pledge_id": pledge["id"],
                "route": "exchange_listing",
                "appraised_value": "900000.00",
            },
        ).json()
        listing = http.post(
            "/v1/listings",
            headers=centre,
            json={
                "disposal_id": disposal["id"],
                "asking_price": "850000.00",
                "listed_on": "2026-01-05",
            },
        ).json()

        moved = http.post("/v1/_clock", headers=ADMIN, json={"advance_days": 181}).json()
        bought = http.post(
            f"/v1/listings/{listing['id']}/buyback",
            headers=platform,
            json={"price": "700000.00", "bought_on": "2026-07-05", "buyer": party(99)},
        )
        settled = http.post(
            f"/v1/disposals/{disposal['id']}/settlement",
            headers=centre,
            json={"proceeds": "700000.00", "costs": "0.00", "settled_on": "2026-07-05"},
        )

    assert moved["fired"][:2] == ["listing.expired", "buyback.requested"]
    assert bought.status_code == 200 and bought.json()["status"] == "bought_back"
    assert settled.json()["recovery"] == "700000.00"
