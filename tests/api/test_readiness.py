"""/readyz, /metrics and the lists while one read model cannot apply an event (issue 8): it is
named with its position and error, lists that read it answer 503 projection_lagging at once,
and everything that does not read it answers as usual."""

from __future__ import annotations

import pytest

from tests.api.support import assert_problem, file_pledge, register_patent, registered_pledge
from tests.builders import patent_number
from tests.conftest import auth
from tests.faults import Faulty, Ticks, break_projection


@pytest.fixture
async def stopped(client, keys, container) -> tuple[Faulty, Ticks]:
    """Two pledges; the pledges read model cannot apply the second one's registration."""
    await registered_pledge(client, keys, 1)
    number = await register_patent(client, keys, 2)
    position = container.store.max_position() + 1
    await file_pledge(client, keys.bank_a, number)
    faulty, ticks = break_projection(container, "pledges", position)
    container.worker.run_until_idle()
    return faulty, ticks


async def test_readyz_is_ready_when_every_read_model_reached_the_log_end(client, keys, container):
    await registered_pledge(client, keys, 1)
    container.worker.run_until_idle()
    head = container.store.max_position()

    response = await client.get("/readyz")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["log_position"], body["projections"]) == ("ready", head, head)
    assert set(body["read_models"].values()) == {head}


async def test_readyz_names_a_stopped_read_model_with_its_position_and_error(
    client, container, stopped
):
    faulty, _ = stopped

    response = await client.get("/readyz")

    body = assert_problem(response, 503, "projection_lagging")
    assert body["log_position"] == container.store.max_position()
    assert body["failing"] == [
        {
            "projection": "pledges",
            "position": faulty.position - 1,
            "failed_position": faulty.position,
            "event_type": "pledge.registered",
            "error": f"RuntimeError: injected fault at position {faulty.position}",
            "consecutive_failures": 1,
        }
    ]
    assert body["lagging"] == []


async def test_metrics_give_each_read_models_position_and_whether_it_is_failing(
    client, container, stopped
):
    faulty, _ = stopped
    head = container.store.max_position()

    text = (await client.get("/metrics")).text

    assert f'ipledge_projection_position{{projection="pledges"}} {faulty.position - 1}.0' in text
    assert 'ipledge_projection_failing{projection="pledges"} 1.0' in text
    assert 'ipledge_projection_consecutive_failures{projection="pledges"} 1.0' in text
    assert f'ipledge_projection_position{{projection="audit"}} {head}.0' in text
    assert 'ipledge_projection_failing{projection="audit"} 0.0' in text
    assert "ipledge_timers_failing 0.0" in text


async def test_what_reads_a_stopped_read_model_answers_503_at_once(
    client, keys, container, stopped
):
    head = container.store.max_position()
    at = {"min_position": head}
    number = patent_number(2)

    pledges = await client.get("/v1/pledges", params=at, headers=auth(keys.bank_a))
    search = await client.get(
        "/v1/search", params={**at, "kind": "invention_patent", "number": number}
    )

    for response in (pledges, search):
        body = assert_problem(response, 503, "projection_lagging")
        assert "pledges read model is stopped" in body["detail"]


async def test_what_does_not_read_it_answers_as_usual(client, keys, container, stopped):
    head = container.store.max_position()
    regulator = auth(keys.regulator)

    listings = await client.get(
        "/v1/listings", params={"min_position": head}, headers=auth(keys.trading_centre)
    )
    checkpoint = await client.get("/v1/audit/checkpoint", headers=regulator)
    feed = await client.get("/v1/feed", headers=regulator)
    log = await client.get("/v1/audit/log", headers=regulator)

    assert [r.status_code for r in (listings, checkpoint, feed, log)] == [200] * 4
    assert checkpoint.json()["tree_size"] == head
    assert len(feed.json()["items"]) == len(log.json()["items"]) == head


async def test_readyz_is_ready_again_once_the_read_model_resumes(client, keys, container, stopped):
    faulty, ticks = stopped
    faulty.broken = False
    ticks.advance(1)

    container.worker.run_until_idle()
    response = await client.get("/readyz")
    listed = await client.get(
        "/v1/pledges",
        params={"min_position": container.store.max_position()},
        headers=auth(keys.bank_a),
    )

    assert response.status_code == 200, response.text
    assert len(listed.json()["items"]) == 2
