"""Single GETs are served from the last presented state (api/current.py), checked current by one
select: never stale for a write acknowledged by another process, the ETag is the version, the
caller's visibility is checked on every request, and a state is remembered per resource type."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from uuid import UUID

import httpx
import pytest

from api.bootstrap import Container
from api.main import create_app
from registry.actors import acting_as
from registry.values import LoanAmendment
from tests.api.support import assert_problem, registered_pledge
from tests.application.workload import put
from tests.builders import party
from tests.conftest import auth
from tests.factories import BANK_A, patent_fields, patent_item


@pytest.fixture
async def other_client(other: Container) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(other, run_worker=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://other.test") as c:
        yield c


async def test_a_get_sees_a_write_another_process_acknowledged(client, keys, other):
    pledge = await registered_pledge(client, keys, 1)
    path = f"/v1/pledges/{pledge['id']}"
    first = await client.get(path, headers=auth(keys.bank_a))
    assert first.headers["etag"] == '"1"'

    with acting_as(BANK_A):
        changes = LoanAmendment(secured_amount=Decimal("4000000.00"))
        other.registry.amend_pledge(UUID(pledge["id"]), changes, "repaid in part")

    seen = await client.get(path, headers=auth(keys.bank_a))
    assert seen.headers["etag"] == '"2"'
    assert (seen.json()["version"], seen.json()["secured_amount"]) == (2, "4000000.00")


async def test_a_remembered_state_is_the_same_response_as_a_fresh_one(client, other_client, keys):
    pledge = await registered_pledge(client, keys, 1)
    path = f"/v1/pledges/{pledge['id']}"
    remembered = [await client.get(path, headers=auth(keys.bank_a)) for _ in range(2)][-1]
    fresh = await other_client.get(path, headers=auth(keys.bank_a))

    assert remembered.content == fresh.content
    assert remembered.headers["etag"] == fresh.headers["etag"] == '"1"'
    assert remembered.headers["content-type"] == fresh.headers["content-type"]


async def test_visibility_is_checked_on_every_request(client, keys):
    pledge = await registered_pledge(client, keys, 1)
    path = f"/v1/pledges/{pledge['id']}"
    assert (await client.get(path, headers=auth(keys.bank_a))).status_code == 200

    assert_problem(await client.get(path, headers=auth(keys.bank_b)), 404, "not_found")


async def test_a_state_is_remembered_per_resource_type(client, keys):
    pledge = await registered_pledge(client, keys, 1)
    assert (await client.get(f"/v1/pledges/{pledge['id']}", headers=auth(keys.bank_a))).is_success

    for collection in ("listings", "disposals"):
        response = await client.get(
            f"/v1/{collection}/{pledge['id']}", headers=auth(keys.regulator)
        )
        assert_problem(response, 404, "not_found")


async def test_an_unknown_pledge_is_not_found_and_not_remembered(client, keys, container):
    path = "/v1/pledges/00000000-0000-4000-8000-000000000000"
    assert_problem(await client.get(path, headers=auth(keys.bank_a)), 404, "not_found")
    assert container.current.remembered() == 0


async def test_an_ip_right_get_sees_another_process_update_it(client, keys, container, other):
    item = patent_item(1)
    put(container, item, patent_fields([party(1)]))
    path = f"/v1/ip-rights/{item.kind}/{item.number}"
    assert (await client.get(path, headers=auth(keys.bank_a))).headers["etag"] == '"1"'

    put(other, item, patent_fields([party(2)]))

    seen = await client.get(path, headers=auth(keys.bank_a))
    assert seen.headers["etag"] == '"2"'
    assert seen.json()["version"] == 2
