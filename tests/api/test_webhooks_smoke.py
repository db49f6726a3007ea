"""First smoke test of the webhook pipeline with a fake transport (replaced by the full suite)."""

from __future__ import annotations

from events.webhooks.addresses import AddressPolicy
from events.webhooks.transport import Reply
from events.webhooks.url_guard import TargetGuard
from tests.api.support import registered_pledge
from tests.conftest import auth


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict, bytes]] = []

    def post(self, url: str, headers: dict, body: bytes) -> Reply:
        self.sent.append((url, headers, body))
        return Reply(200)


async def test_a_bank_endpoint_receives_its_pledge_events(client, keys, container):
    fake = Recorder()
    container.dispatcher.transport = fake
    container.webhooks.guard = TargetGuard(AddressPolicy(allow_private=True))
    created = await client.post(
        "/v1/webhook-endpoints",
        headers=auth(keys.bank_a),
        json={"url": "https://bank-a.example.com/hooks", "event_types": ["pledge.registered"]},
    )
    assert created.status_code == 201, created.text
    await registered_pledge(client, keys, 1)

    sent = container.dispatcher.drain()

    assert sent == 1
    assert [h["webhook-id"] for _, h, _ in fake.sent]


async def test_the_delivery_verifies_with_the_standardwebhooks_package(client, keys, container):
    from standardwebhooks.webhooks import Webhook

    fake = Recorder()
    container.dispatcher.transport = fake
    container.webhooks.guard = TargetGuard(AddressPolicy(allow_private=True))
    created = await client.post(
        "/v1/webhook-endpoints",
        headers=auth(keys.bank_a),
        json={"url": "https://bank-a.example.com/hooks", "event_types": ["*"]},
    )
    await registered_pledge(client, keys, 1)
    container.dispatcher.drain()

    _, headers, body = next(s for s in fake.sent if b"pledge.registered" in s[2])
    payload = Webhook(created.json()["secret"]).verify(body, headers)
    assert payload["type"] == "pledge.registered"
    assert payload["data"]["id"] == headers["webhook-id"]
