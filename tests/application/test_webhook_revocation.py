"""Revoking a principal stops its webhooks (contract §10): its endpoints are disabled in the same
transaction as the revocation, the dispatcher never sends for a revoked principal even if an
endpoint were left enabled, and nobody can re-enable such an endpoint. Both stores."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from api.bootstrap import Container
from events.tables import principals, webhook_deliveries
from events.webhooks import admin
from events.webhooks.transport import Reply
from registry.actors import Actor
from registry.errors import InvalidState
from tests.factories import BANK_A
from tests.webhook_support import FakeTransport, add_endpoint, fake_transport, pledge

URL = "https://a.example.com/hooks"
REGISTERED = ["pledge.registered"]


@pytest.fixture
def fake(container: Container) -> FakeTransport:
    return fake_transport(container)


def bank(container: Container) -> Actor:
    principal, _ = container.principals.create("bank", "bank", "BANK-A", container.clock.now())
    return principal.actor


def revoked_behind_the_dispatchers_back(container: Container, actor: Actor) -> None:
    """A revocation recorded without disabling anything (as before this fix, or by hand)."""
    with container.db.write() as conn:
        conn.execute(
            update(principals)
            .where(principals.c.id == actor.principal_id)
            .values(revoked_at=container.clock.now())
        )


def test_a_revoked_principals_endpoints_stop_receiving(container, fake):
    owner = bank(container)
    endpoint, _ = add_endpoint(container, owner, URL, REGISTERED)
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()

    container.principals.revoke(owner.principal_id, container.clock.now())
    pledge(container, BANK_A, 2)
    container.dispatcher.drain()

    assert len(fake.to(URL)) == 1
    got = container.webhook_admin.get(endpoint)
    assert (got["status"], got["disabled_reason"]) == ("disabled", "its principal was revoked")


def test_revoking_disables_every_endpoint_of_the_principal_and_no_other(container, fake):
    owner, other = bank(container), bank(container)
    mine = [add_endpoint(container, owner, f"{URL}/{n}")[0] for n in (1, 2)]
    theirs, _ = add_endpoint(container, other, URL)

    container.principals.revoke(owner.principal_id, container.clock.now())

    assert [container.webhook_admin.get(e)["status"] for e in mine] == ["disabled"] * 2
    assert container.webhook_admin.get(theirs)["status"] == "enabled"


def test_revocation_and_disabling_happen_in_one_transaction(container, fake, monkeypatch):
    owner = bank(container)
    endpoint, _ = add_endpoint(container, owner, URL)

    def broken(*_args: object) -> int:
        raise RuntimeError("store failed mid-revocation")

    monkeypatch.setattr("api.principals.disable_for_revoked", broken)
    with pytest.raises(RuntimeError):
        container.principals.revoke(owner.principal_id, container.clock.now())

    assert not any(p.revoked_at for p in container.principals.list())
    assert container.webhook_admin.get(endpoint)["status"] == "enabled"


def test_the_dispatcher_never_sends_for_an_endpoint_whose_principal_is_revoked(container, fake):
    owner = bank(container)
    endpoint, _ = add_endpoint(container, owner, URL, REGISTERED)
    fake.answer(URL, Reply(500))
    pledge(container, BANK_A, 1)
    container.dispatcher.drain()  # one failed attempt: a retry is queued

    revoked_behind_the_dispatchers_back(container, owner)
    pledge(container, BANK_A, 2)
    container.projections.catch_up()

    assert container.dispatcher.due_heads() == []
    assert container.dispatcher.fill() == 0  # no outbox filling either
    assert container.webhook_admin.get(endpoint)["status"] == "enabled"
    with container.db.read() as conn:
        queued = conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar()
    assert queued == 1


def test_an_endpoint_of_a_revoked_principal_cannot_be_re_enabled(container, fake):
    owner = bank(container)
    endpoint, _ = add_endpoint(container, owner, URL)
    container.principals.revoke(owner.principal_id, container.clock.now())

    with pytest.raises(InvalidState, match="revoked"):
        container.webhooks.enable(owner, endpoint)

    assert container.webhook_admin.get(endpoint)["status"] == "disabled"


def test_a_410_after_revocation_keeps_the_revocation_as_the_reason(container, fake):
    owner = bank(container)
    endpoint, _ = add_endpoint(container, owner, URL, REGISTERED)
    fake.answer(URL, Reply(410))
    pledge(container, BANK_A, 1)
    container.projections.catch_up()
    container.dispatcher.fill()
    [(head, token)] = container.dispatcher.claimed_heads()

    container.principals.revoke(owner.principal_id, container.clock.now())
    container.dispatcher.attempt(head, token)  # the answer to a send already under way

    assert container.webhook_admin.get(endpoint)["disabled_reason"] == admin.REVOKED


def test_a_410_after_the_endpoint_was_deleted_leaves_it_deleted(container, fake):
    endpoint, _ = add_endpoint(container, BANK_A, URL, REGISTERED)
    fake.answer(URL, Reply(410))
    pledge(container, BANK_A, 1)
    container.projections.catch_up()
    container.dispatcher.fill()
    [(head, token)] = container.dispatcher.claimed_heads()

    container.webhooks.delete(BANK_A, endpoint)
    container.dispatcher.attempt(head, token)

    assert container.webhook_admin.get(endpoint)["status"] == "deleted"


def test_a_revoked_principal_cannot_register_an_endpoint(container, fake):
    owner = bank(container)
    container.principals.revoke(owner.principal_id, container.clock.now())

    with pytest.raises(InvalidState, match="revoked"):
        container.webhooks.create(owner, URL, ["*"], None, container.store.max_position())

    assert container.webhook_admin.list(50, None).items == []
