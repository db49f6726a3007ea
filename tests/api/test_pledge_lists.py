"""GET /v1/pledges (contract §1, §4): keyset pages, filters, and min_position read-your-writes.

The test app runs no background worker, so the read model only catches up when a request
asks for it with ?min_position.
"""

from __future__ import annotations

from tests.api.support import assert_problem, file_pledge, register_patent
from tests.builders import credit_code, filing, party, trademark_entry
from tests.conftest import auth


async def file_patents(client, keys, count: int, key: str | None = None) -> tuple[list[str], str]:
    """Files ``count`` registered pledges; returns their ids and the last X-Log-Position."""
    ids, position = [], "0"
    for serial in range(1, count + 1):
        response = await file_pledge(
            client, key or keys.bank_a, await register_patent(client, keys, serial)
        )
        ids.append(response.json()["id"])
        position = response.headers["X-Log-Position"]
    return ids, position


async def list_pledges(client, key: str, **params) -> dict:
    response = await client.get("/v1/pledges", params=params, headers=auth(key))
    assert response.status_code == 200, response.text
    return response.json()


async def test_new_pledge_is_listed_once_read_model_reaches_its_position(client, keys):
    number = await register_patent(client, keys, 1)
    filed = await file_pledge(client, keys.bank_a, number)

    body = await list_pledges(client, keys.bank_a, min_position=filed.headers["X-Log-Position"])

    assert [p["id"] for p in body["items"]] == [filed.json()["id"]]
    assert body["items"][0]["status"] == "registered"
    assert body["next_cursor"] is None


async def test_pages_follow_the_cursor_to_the_last_page(client, keys):
    ids, position = await file_patents(client, keys, 5)

    first = await list_pledges(client, keys.bank_a, limit=2, min_position=position)
    second = await list_pledges(client, keys.bank_a, limit=2, cursor=first["next_cursor"])
    third = await list_pledges(client, keys.bank_a, limit=2, cursor=second["next_cursor"])

    pages = [first, second, third]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert [p["id"] for page in pages for p in page["items"]] == ids
    assert first["next_cursor"] and second["next_cursor"]
    assert third["next_cursor"] is None


async def test_exactly_full_last_page_has_no_next_cursor(client, keys):
    ids, position = await file_patents(client, keys, 2)

    body = await list_pledges(client, keys.bank_a, limit=2, min_position=position)

    assert [p["id"] for p in body["items"]] == ids
    assert body["next_cursor"] is None


async def test_default_limit_is_fifty(client, keys):
    _, position = await file_patents(client, keys, 51)

    body = await list_pledges(client, keys.bank_a, min_position=position)

    assert len(body["items"]) == 50
    assert body["next_cursor"] is not None


async def test_garbage_cursor_is_a_validation_error(client, keys):
    response = await client.get(
        "/v1/pledges", params={"cursor": "not-a-cursor!"}, headers=auth(keys.bank_a)
    )

    body = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["cursor"]


async def test_limit_above_500_is_a_validation_error(client, keys):
    response = await client.get("/v1/pledges", params={"limit": 501}, headers=auth(keys.bank_a))

    body = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["limit"]


async def test_status_filter(client, keys):
    (kept, released), _ = await file_patents(client, keys, 2)
    response = await client.post(
        f"/v1/pledges/{released}/release",
        json={"released_on": "2026-01-05", "reason": "repaid"},
        headers=auth(keys.bank_a),
    )
    assert response.status_code == 200, response.text
    position = response.headers["X-Log-Position"]

    listed = await list_pledges(client, keys.bank_a, status="released", min_position=position)

    assert [p["id"] for p in listed["items"]] == [released]
    assert listed["items"][0]["status"] == "released"


async def test_unknown_status_filter_is_a_validation_error(client, keys):
    response = await client.get("/v1/pledges", params={"status": "lost"}, headers=auth(keys.bank_a))

    assert_problem(response, 422, "validation_error")


async def test_pledgor_filter(client, keys):
    await file_patents(client, keys, 1)
    other = party(2)
    number = await register_patent(client, keys, 2, holder=other)
    filed = await file_pledge(client, keys.bank_a, number, holder=other)

    listed = await list_pledges(
        client,
        keys.bank_a,
        pledgor=credit_code(2),
        min_position=filed.headers["X-Log-Position"],
    )

    assert [p["id"] for p in listed["items"]] == [filed.json()["id"]]
    assert listed["items"][0]["pledgor"]["credit_code"] == credit_code(2)


async def test_kind_filter(client, keys):
    holder = party(1)
    await file_patents(client, keys, 1)
    put = await client.put(
        "/v1/ip-rights/trademark/12345678",
        json=trademark_entry([holder]),
        headers=auth(keys.ip_office),
    )
    assert put.status_code == 201, put.text
    filed = await client.post(
        "/v1/pledges",
        json=filing(holder, [{"kind": "trademark", "number": "12345678"}]),
        headers=auth(keys.bank_a),
    )
    assert filed.status_code == 201, filed.text

    listed = await list_pledges(
        client, keys.bank_a, kind="trademark", min_position=filed.headers["X-Log-Position"]
    )

    assert [p["id"] for p in listed["items"]] == [filed.json()["id"]]


async def test_number_filter_accepts_any_spelling_of_the_number(client, keys):
    ids, position = await file_patents(client, keys, 3)
    number = (await client.get(f"/v1/pledges/{ids[1]}", headers=auth(keys.bank_a))).json()["items"][
        0
    ]["number"]

    listed = await list_pledges(
        client,
        keys.bank_a,
        kind="invention_patent",
        number="ZL" + number.replace(".", ""),
        min_position=position,
    )

    assert [p["id"] for p in listed["items"]] == [ids[1]]


async def test_list_shows_only_the_callers_pledges(client, keys):
    mine, _ = await file_patents(client, keys, 1, key=keys.bank_a)
    theirs = await file_pledge(client, keys.bank_b, await register_patent(client, keys, 2))

    listed = await list_pledges(client, keys.bank_a, min_position=theirs.headers["X-Log-Position"])

    assert [p["id"] for p in listed["items"]] == mine


async def test_min_position_beyond_the_log_is_projection_lagging(client, keys, container):
    far = container.store.max_position() + 1_000

    response = await client.get(
        "/v1/pledges", params={"min_position": far}, headers=auth(keys.bank_a)
    )

    assert_problem(response, 503, "projection_lagging")
    assert response.headers["Retry-After"]


async def test_number_filter_without_kind_accepts_any_spelling(client, keys):
    number = await register_patent(client, keys, 1)
    filed = await file_pledge(client, keys.bank_a, number)
    spelled = "ZL" + number.replace(".", "")

    body = await list_pledges(
        client, keys.bank_a, number=spelled, min_position=filed.headers["X-Log-Position"]
    )

    assert [p["id"] for p in body["items"]] == [filed.json()["id"]]


async def test_compensation_fund_lists_only_pledges_enrolled_with_it(client, keys):
    enrolled_number = await register_patent(client, keys, 1)
    other_number = await register_patent(client, keys, 2)
    enrolled = await file_pledge(
        client,
        keys.bank_a,
        enrolled_number,
        risk_compensation={"fund_id": "HB-RCF", "share": "0.40"},
    )
    other = await file_pledge(
        client,
        keys.bank_a,
        other_number,
        risk_compensation={"fund_id": "OTHER-FUND", "share": "0.40"},
    )

    body = await list_pledges(client, keys.fund, min_position=other.headers["X-Log-Position"])

    assert [p["id"] for p in body["items"]] == [enrolled.json()["id"]]
