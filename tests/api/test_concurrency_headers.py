"""Optimistic concurrency (contract §1): ETag on single-resource GETs, If-Match on actions."""

from __future__ import annotations

from tests.api.support import assert_problem, registered_pledge
from tests.conftest import auth

AMENDMENT = {"secured_amount": "4000000.00", "reason": "partial repayment"}
RELEASE = {"released_on": "2026-01-05", "reason": "repaid"}


async def test_pledge_get_returns_its_version_as_etag(client, keys):
    pledge = await registered_pledge(client, keys, 1)

    response = await client.get(f"/v1/pledges/{pledge['id']}", headers=auth(keys.bank_a))

    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'


async def test_etag_changes_after_an_action(client, keys):
    pledge = await registered_pledge(client, keys, 1)
    url = f"/v1/pledges/{pledge['id']}"
    before = (await client.get(url, headers=auth(keys.bank_a))).headers["ETag"]
    amended = await client.post(f"{url}/amendments", json=AMENDMENT, headers=auth(keys.bank_a))
    assert amended.status_code == 200, amended.text

    after = (await client.get(url, headers=auth(keys.bank_a))).headers["ETag"]

    assert after != before
    assert amended.headers["ETag"] == after


async def test_ip_right_get_returns_its_version_as_etag(client, keys):
    pledge = await registered_pledge(client, keys, 1)
    item = pledge["items"][0]

    response = await client.get(
        f"/v1/ip-rights/{item['kind']}/{item['number']}", headers=auth(keys.bank_a)
    )

    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'


async def test_stale_if_match_is_a_version_mismatch_and_writes_nothing(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    url = f"/v1/pledges/{pledge['id']}"
    stale = (await client.get(url, headers=auth(keys.bank_a))).headers["ETag"]
    amended = await client.post(f"{url}/amendments", json=AMENDMENT, headers=auth(keys.bank_a))
    assert amended.status_code == 200, amended.text
    before = container.store.max_position()

    response = await client.post(
        f"{url}/release", json=RELEASE, headers={**auth(keys.bank_a), "If-Match": stale}
    )

    assert_problem(response, 412, "version_mismatch")
    assert container.store.max_position() == before
    current = await client.get(url, headers=auth(keys.bank_a))
    assert current.json()["status"] == "registered"


async def test_current_if_match_succeeds(client, keys):
    pledge = await registered_pledge(client, keys, 1)
    url = f"/v1/pledges/{pledge['id']}"
    etag = (await client.get(url, headers=auth(keys.bank_a))).headers["ETag"]

    response = await client.post(
        f"{url}/release", json=RELEASE, headers={**auth(keys.bank_a), "If-Match": etag}
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "released"
    assert response.headers["ETag"] != etag


async def test_weak_if_match_of_the_current_version_succeeds(client, keys):
    pledge = await registered_pledge(client, keys, 1)
    url = f"/v1/pledges/{pledge['id']}"
    etag = (await client.get(url, headers=auth(keys.bank_a))).headers["ETag"]

    response = await client.post(
        f"{url}/amendments", json=AMENDMENT, headers={**auth(keys.bank_a), "If-Match": f"W/{etag}"}
    )

    assert response.status_code == 200, response.text


async def test_if_match_star_matches_any_version(client, keys):
    pledge = await registered_pledge(client, keys, 1)

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/release",
        json=RELEASE,
        headers={**auth(keys.bank_a), "If-Match": "*"},
    )

    assert response.status_code == 200, response.text


async def test_unparseable_if_match_is_a_version_mismatch(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    before = container.store.max_position()

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/release",
        json=RELEASE,
        headers={**auth(keys.bank_a), "If-Match": '"abc"'},
    )

    assert_problem(response, 412, "version_mismatch")
    assert container.store.max_position() == before


async def test_version_mismatch_reports_the_current_version(client, keys):
    pledge = await registered_pledge(client, keys, 1)

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/default",
        json={"declared_on": "2026-01-05", "outstanding_amount": "4000000.00"},
        headers={**auth(keys.bank_a), "If-Match": f'"{pledge["version"] + 5}"'},
    )

    body = assert_problem(response, 412, "version_mismatch")
    assert body["current_version"] == pledge["version"]
