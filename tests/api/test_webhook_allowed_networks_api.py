"""An operator opens private networks to webhooks (IPLEDGE_WEBHOOK_ALLOWED_NETWORKS): a bank's
receiver inside one may be registered, anything else private stays refused, and loopback or
link-local stay refused even when listed. Both stores."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.bootstrap import bootstrap
from api.main import create_app
from api.settings import Settings
from tests.api.support import assert_problem
from tests.conftest import auth

ALLOWED = "10.20.0.0/16,fd00:1::/64,127.0.0.0/8,169.254.0.0/16"


@pytest.fixture
async def bank_client(database_url: str, clock) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database_url,
        clock="manual",
        run_worker=False,
        webhook_allowed_networks=ALLOWED,
    )
    container = bootstrap(settings, clock=clock)
    _, key = container.principals.create("bank", "bank", "BANK-A", clock.now())
    transport = httpx.ASGITransport(app=create_app(container, run_worker=False))
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ipledge.test", headers=auth(key)
        ) as client:
            yield client
    finally:
        container.close()


async def register(client: httpx.AsyncClient, url: str) -> httpx.Response:
    return await client.post("/v1/webhook-endpoints", json={"url": url, "event_types": ["*"]})


@pytest.mark.parametrize(
    "url", ["http://10.20.3.4:8443/hooks", "https://[fd00:1::7]/hooks", "https://93.184.216.34/"]
)
async def test_a_receiver_inside_an_allowed_network_is_accepted(bank_client, url):
    response = await register(bank_client, url)

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "url",
    [
        "http://10.21.0.1/hooks",
        "http://192.168.1.10/hooks",
        "https://[fd00:2::7]/hooks",
        "http://127.0.0.1:8080/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/hooks",
    ],
)
async def test_anything_else_private_stays_refused(bank_client, url):
    assert_problem(await register(bank_client, url), 422, "unsafe_webhook_url")
