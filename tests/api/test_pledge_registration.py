"""Filing a pledge through HTTP: registered or refused, examined against the register."""

from __future__ import annotations

import httpx

from tests.builders import filing, party, patent_entry, patent_number, trademark_entry
from tests.conftest import Keys, auth


async def register(
    client: httpx.AsyncClient, keys: Keys, kind: str, number: str, entry: dict
) -> httpx.Response:
    response = await client.put(
        f"/v1/ip-rights/{kind}/{number}", json=entry, headers=auth(keys.ip_office)
    )
    assert response.status_code in (200, 201), response.text
    return response


async def test_filing_against_a_clean_register_is_registered(client, keys):
    holder = party(1)
    number = patent_number(1)
    await register(client, keys, "invention_patent", number, patent_entry([holder]))
    await register(client, keys, "trademark", "12345678", trademark_entry([holder]))

    response = await client.post(
        "/v1/pledges",
        headers=auth(keys.bank_a),
        json=filing(
            holder,
            [
                {"kind": "invention_patent", "number": "ZL" + number},
                {"kind": "trademark", "number": "12345678"},
            ],
        ),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "registered"
    assert (
        body["registration_number"].startswith("Y2026") and len(body["registration_number"]) == 15
    )
    assert body["pledgee"] == "BANK-A"
    assert body["secured_amount"] == "5000000.00"
    assert int(response.headers["X-Log-Position"]) > 0


async def test_pledge_of_already_pledged_patent_is_refused(client, keys):
    holder = party(1)
    number = patent_number(2)
    await register(client, keys, "invention_patent", number, patent_entry([holder]))
    items = [{"kind": "invention_patent", "number": number}]
    first = await client.post("/v1/pledges", headers=auth(keys.bank_a), json=filing(holder, items))
    assert first.json()["status"] == "registered"

    second = await client.post("/v1/pledges", headers=auth(keys.bank_b), json=filing(holder, items))

    assert second.status_code == 201
    assert second.json()["status"] == "refused"
    assert [r["code"] for r in second.json()["refusal_reasons"]] == ["ip_already_pledged"]
