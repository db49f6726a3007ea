"""The pull feed (contract §10): GET /v1/feed?after=&limit=&wait= — the §8 envelopes the caller may
see (§2), in log order, resumable from ``next_after``, long-polled up to 30 s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from api.bootstrap import Container
from api.routers.feed import POLL_SECONDS
from tests.api.support import (
    assert_problem,
    patent_filing,
    register_patent,
    registered_pledge,
)
from tests.builders import patent_number
from tests.conftest import auth


class PollTime:
    """The long-poll's time in a test: it passes only while the poll sleeps, by what it sleeps
    for; ``meanwhile`` runs during the first sleep (a write arriving while the poll waits)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.meanwhile: Callable[[], Awaitable[None]] | None = None

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            await meanwhile()


@pytest.fixture
def poll_time(container: Container) -> PollTime:
    container.wait_clock = poll_time = PollTime()
    return poll_time


async def feed(client, key, **params) -> dict:
    response = await client.get("/v1/feed", headers=auth(key), params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_feed_gives_every_event_in_log_order_as_audit_envelopes(client, keys):
    await registered_pledge(client, keys, 1)
    await registered_pledge(client, keys, 2)

    page = await feed(client, keys.regulator)
    log = (await client.get("/v1/audit/log", headers=auth(keys.regulator))).json()

    assert page["items"] == log["items"]
    assert page["next_after"] == page["items"][-1]["position"]


async def test_a_bank_sees_only_its_own_pledges_in_the_feed(client, keys):
    mine = await registered_pledge(client, keys, 1, key=keys.bank_b)
    await registered_pledge(client, keys, 2)  # bank A's

    items = (await feed(client, keys.bank_b))["items"]

    pledge_streams = {i["stream_id"] for i in items if i["stream_type"] != "ip_right"}
    assert pledge_streams == {mine["id"]}


async def test_the_trading_centre_sees_no_pledge_events(client, keys):
    await registered_pledge(client, keys, 1)

    items = (await feed(client, keys.trading_centre))["items"]

    assert {i["stream_type"] for i in items} == {"ip_right"}


async def test_next_after_moves_past_events_the_caller_may_not_see(client, keys):
    pledge = await registered_pledge(client, keys, 1)  # bank A's
    start = (await feed(client, keys.bank_b))["next_after"]
    defaulted = await client.post(
        f"/v1/pledges/{pledge['id']}/default",
        headers=auth(keys.bank_a),
        json={"declared_on": "2026-01-05", "outstanding_amount": "1000000.00"},
    )

    page = await feed(client, keys.bank_b, after=start)

    assert page == {"items": [], "next_after": int(defaulted.headers["X-Log-Position"])}


async def test_a_consumer_resuming_from_next_after_gets_only_newer_events(client, keys):
    await registered_pledge(client, keys, 1)
    first = await feed(client, keys.bank_a)
    second_pledge = await registered_pledge(client, keys, 2)

    resumed = await feed(client, keys.bank_a, after=first["next_after"])

    assert min(i["position"] for i in resumed["items"]) == first["next_after"] + 1
    assert second_pledge["id"] in {i["stream_id"] for i in resumed["items"]}
    assert resumed["next_after"] == resumed["items"][-1]["position"]


async def test_after_the_end_of_the_log_the_feed_is_empty_and_stays_put(client, keys):
    await registered_pledge(client, keys, 1)
    end = (await feed(client, keys.regulator))["next_after"]

    page = await feed(client, keys.regulator, after=end)

    assert page == {"items": [], "next_after": end}


async def test_limit_bounds_a_page_and_next_after_is_its_last_position(client, keys):
    await registered_pledge(client, keys, 1)
    await registered_pledge(client, keys, 2)

    page = await feed(client, keys.regulator, limit=2)
    rest = await feed(client, keys.regulator, after=page["next_after"], limit=500)

    assert [i["position"] for i in page["items"]] == [1, 2]
    assert page["next_after"] == 2
    assert [i["position"] for i in rest["items"]][0] == 3


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"after": -1}, {"wait": 31}])
async def test_out_of_range_parameters_are_validation_errors(client, keys, params):
    response = await client.get("/v1/feed", headers=auth(keys.regulator), params=params)

    assert_problem(response, 422, "validation_error")


async def test_the_feed_needs_an_api_key(client):
    assert_problem(await client.get("/v1/feed"), 401, "unauthenticated")


async def test_a_long_poll_returns_as_soon_as_a_visible_event_arrives(client, keys, poll_time):
    number = await register_patent(client, keys, 1)
    end = (await feed(client, keys.bank_a))["next_after"]
    written: list[dict] = []

    async def bank_a_files() -> None:
        response = await client.post(
            "/v1/pledges", headers=auth(keys.bank_a), json=patent_filing(patent_number(1))
        )
        assert response.status_code == 201, (number, response.text)
        written.append(response.json())

    poll_time.meanwhile = bank_a_files
    page = await feed(client, keys.bank_a, after=end, wait=10)

    assert written[0]["id"] in {i["stream_id"] for i in page["items"]}
    assert poll_time.now == POLL_SECONDS  # the next poll found it: the 10 s were not waited out


async def test_a_long_poll_with_nothing_new_returns_empty_after_the_wait(client, keys, poll_time):
    await registered_pledge(client, keys, 1)
    end = (await feed(client, keys.regulator))["next_after"]

    page = await feed(client, keys.regulator, after=end, wait=0.5)

    assert page == {"items": [], "next_after": end}
    assert 0.5 <= poll_time.now < 0.5 + POLL_SECONDS


async def test_a_long_poll_is_not_answered_by_events_the_caller_may_not_see(
    client, keys, poll_time
):
    pledge = await registered_pledge(client, keys, 1)  # bank A's
    end = (await feed(client, keys.bank_b))["next_after"]
    written: list[int] = []

    async def bank_a_declares_default() -> None:
        response = await client.post(
            f"/v1/pledges/{pledge['id']}/default",
            headers=auth(keys.bank_a),
            json={"declared_on": "2026-01-05", "outstanding_amount": "1000000.00"},
        )
        assert response.status_code == 200, response.text
        written.append(int(response.headers["X-Log-Position"]))

    poll_time.meanwhile = bank_a_declares_default
    page = await feed(client, keys.bank_b, after=end, wait=0.8)

    assert poll_time.now >= 0.8
    assert page == {"items": [], "next_after": written[0]}
