"""The audit API (contract §8): the regulator's log, signed checkpoints, RFC 6962 proofs, as_of.

Everything a regulator is promised is checked here with code that does not come from the
service: leaf hashes and roots with the naive RFC 6962 tree in ``tests.merkle_reference``,
signatures with ``cryptography`` and the public key alone.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import httpx
import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.audit.keys import SigningKey
from registry.actors import acting_as
from tests import merkle_reference as ref
from tests.api.support import assert_problem, register_patent, registered_pledge
from tests.builders import party, patent_entry
from tests.conftest import Keys, auth

ENVELOPE_FIELDS = {
    "position",
    "id",
    "stream_id",
    "stream_type",
    "version",
    "type",
    "occurred_at",
    "actor",
    "data",
    "leaf_hash",
}


# ---- helpers -------------------------------------------------------------------------


async def some_history(client: httpx.AsyncClient, keys: Keys, first_serial: int = 1) -> None:
    """Two patents, two pledges, one of them released: a few streams interleaved in the log."""
    one = await registered_pledge(client, keys, first_serial)
    await registered_pledge(client, keys, first_serial + 1, key=keys.bank_b)
    released = await client.post(
        f"/v1/pledges/{one['id']}/release",
        json={"released_on": "2026-01-05", "reason": "repaid"},
        headers=auth(keys.bank_a),
    )
    assert released.status_code == 200, released.text


async def whole_log(client: httpx.AsyncClient, key: str, limit: int = 1000) -> list[dict]:
    items: list[dict] = []
    after: int | None = 0
    while after is not None:
        response = await client.get(
            "/v1/audit/log", params={"after": after, "limit": limit}, headers=auth(key)
        )
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        after = response.json()["next_after"]
    return items


def leaf_data(envelope: dict[str, Any]) -> bytes:
    """What the leaf hashes: the RFC 8785 form of the envelope without its leaf hash."""
    return rfc8785.dumps({k: v for k, v in envelope.items() if k != "leaf_hash"})


async def checkpoint(client: httpx.AsyncClient, keys: Keys) -> dict[str, Any]:
    response = await client.get("/v1/audit/checkpoint", headers=auth(keys.regulator))
    assert response.status_code == 200, response.text
    return response.json()


async def public_key(client: httpx.AsyncClient) -> Ed25519PublicKey:
    body = (await client.get("/v1/audit/public-key")).json()
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(body["public_key"]))


def signed_text(c: dict[str, Any]) -> bytes:
    return f"ipledge-checkpoint/v1\n{c['tree_size']}\n{c['root_hash']}\n{c['timestamp']}\n".encode()


def hexes(path: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in path]


# ---- the log -------------------------------------------------------------------------


async def test_the_log_is_for_regulators_only(client, keys):
    await some_history(client, keys)

    bank = await client.get("/v1/audit/log", headers=auth(keys.bank_a))
    anonymous = await client.get("/v1/audit/log")
    regulator = await client.get("/v1/audit/log", headers=auth(keys.regulator))

    assert_problem(bank, 403, "forbidden")
    assert_problem(anonymous, 401, "unauthenticated")
    assert regulator.status_code == 200


async def test_envelopes_have_exactly_the_section_8_fields_at_gapless_positions(
    client, keys, container
):
    await some_history(client, keys)

    log = await whole_log(client, keys.regulator)

    assert [e["position"] for e in log] == list(range(1, container.store.max_position() + 1))
    assert len(log) >= 6
    for e in log:
        assert set(e) == ENVELOPE_FIELDS, e
        assert set(e["actor"]) == {"principal_id", "role", "institution_id"}
        assert e["leaf_hash"] == ref.leaf_hash(leaf_data(e)).hex()
    types = [e["type"] for e in log]
    assert "pledge.registered" in types and "pledge.released" in types
    assert all(t.count(".") == 1 for t in types)


async def test_log_pages_follow_next_after_to_the_end(client, keys):
    await some_history(client, keys)
    everything = await whole_log(client, keys.regulator)

    paged = await whole_log(client, keys.regulator, limit=2)
    last_page = await client.get(
        "/v1/audit/log",
        params={"after": everything[-2]["position"], "limit": 5},
        headers=auth(keys.regulator),
    )

    assert paged == everything
    assert [e["position"] for e in last_page.json()["items"]] == [everything[-1]["position"]]
    assert last_page.json()["next_after"] is None


async def test_pledge_history_carries_the_same_leaf_hashes_as_the_log(client, keys):
    await some_history(client, keys)
    pledge = await registered_pledge(client, keys, 9)
    by_position = {e["position"]: e for e in await whole_log(client, keys.regulator)}

    history = await client.get(f"/v1/pledges/{pledge['id']}/history", headers=auth(keys.bank_a))

    items = history.json()["items"]
    assert items and all(e["stream_id"] == pledge["id"] for e in items)
    for e in items:
        assert e == by_position[e["position"]]


# ---- checkpoints and proofs ----------------------------------------------------------


async def test_checkpoint_signature_verifies_with_the_public_key_alone(client, keys):
    await some_history(client, keys)
    key = await public_key(client)

    c = await checkpoint(client, keys)

    key.verify(base64.b64decode(c["signature"]), signed_text(c))
    assert set(c) == {"tree_size", "root_hash", "timestamp", "key_id", "signature"}
    with pytest.raises(InvalidSignature):
        key.verify(base64.b64decode(c["signature"]), signed_text({**c, "tree_size": 1}))


async def test_checkpoint_root_is_the_rfc_6962_root_of_the_logged_envelopes(client, keys):
    await some_history(client, keys)
    log = await whole_log(client, keys.regulator)

    c = await checkpoint(client, keys)

    assert c["tree_size"] == len(log)
    assert c["root_hash"] == ref.mth([leaf_data(e) for e in log]).hex()
    assert c["key_id"] == (await client.get("/v1/audit/public-key")).json()["key_id"]


async def test_every_position_has_an_inclusion_proof_against_the_checkpoint_root(client, keys):
    await some_history(client, keys)
    c = await checkpoint(client, keys)
    log = await whole_log(client, keys.regulator)
    root = bytes.fromhex(c["root_hash"])

    for e in log:
        response = await client.get(
            "/v1/audit/proofs/inclusion",
            params={"position": e["position"], "tree_size": c["tree_size"]},
            headers=auth(keys.regulator),
        )
        proof = response.json()
        leaf = bytes.fromhex(e["leaf_hash"])
        index, path = proof["leaf_index"], hexes(proof["path"])

        assert (index, proof["tree_size"]) == (e["position"] - 1, c["tree_size"])
        assert ref.verify_inclusion(leaf, index, c["tree_size"], path, root), e["position"]
        assert path == ref.path(index, [leaf_data(x) for x in log])
        if path:  # a proof with one hash changed proves nothing
            forged = [bytes(32), *path[1:]]
            assert not ref.verify_inclusion(leaf, index, c["tree_size"], forged, root)


async def test_inclusion_proof_in_an_earlier_tree_size_verifies_against_that_root(client, keys):
    await some_history(client, keys)
    log = await whole_log(client, keys.regulator)
    size = len(log) - 2
    earlier_root = ref.mth([leaf_data(e) for e in log[:size]])

    response = await client.get(
        "/v1/audit/proofs/inclusion",
        params={"position": 2, "tree_size": size},
        headers=auth(keys.regulator),
    )

    path = hexes(response.json()["path"])
    assert ref.verify_inclusion(bytes.fromhex(log[1]["leaf_hash"]), 1, size, path, earlier_root)


async def test_later_checkpoint_is_proven_consistent_with_an_earlier_one(client, keys):
    await some_history(client, keys)
    first = await checkpoint(client, keys)
    await some_history(client, keys, first_serial=20)
    second = await checkpoint(client, keys)

    response = await client.get(
        "/v1/audit/proofs/consistency",
        params={"first": first["tree_size"], "second": second["tree_size"]},
        headers=auth(keys.regulator),
    )

    body = response.json()
    old, new = bytes.fromhex(first["root_hash"]), bytes.fromhex(second["root_hash"])
    assert (body["first"], body["second"]) == (first["tree_size"], second["tree_size"])
    assert first["tree_size"] < second["tree_size"]
    sizes = (first["tree_size"], second["tree_size"])
    assert ref.verify_consistency(*sizes, old, new, hexes(body["path"]))
    assert not ref.verify_consistency(*sizes, bytes(32), new, hexes(body["path"]))
    key = await public_key(client)
    for c in (first, second):
        key.verify(base64.b64decode(c["signature"]), signed_text(c))


async def test_consistency_proofs_from_every_earlier_size_verify(client, keys):
    await some_history(client, keys)
    log = await whole_log(client, keys.regulator)
    leaves = [leaf_data(e) for e in log]
    n = len(log)

    for m in range(1, n + 1):
        response = await client.get(
            "/v1/audit/proofs/consistency",
            params={"first": m, "second": n},
            headers=auth(keys.regulator),
        )
        path = hexes(response.json()["path"])
        assert path == ref.proof(m, leaves), m
        assert ref.verify_consistency(m, n, ref.mth(leaves[:m]), ref.mth(leaves), path), m


async def test_checkpoint_is_reissued_only_when_the_log_grew(client, keys, clock):
    await some_history(client, keys)
    first = await checkpoint(client, keys)
    clock.advance(timedelta(minutes=5))

    again = await checkpoint(client, keys)

    assert again == first


async def test_checkpoint_is_signed_afresh_after_the_signing_key_changes(client, keys, container):
    await some_history(client, keys)
    before = await checkpoint(client, keys)
    container.audit.key = SigningKey(bytes(range(32)))  # IPLEDGE_SIGNING_KEY set on restart

    after = await checkpoint(client, keys)

    assert after["key_id"] == container.audit.key.key_id != before["key_id"]
    assert (after["tree_size"], after["root_hash"]) == (before["tree_size"], before["root_hash"])
    (await public_key(client)).verify(base64.b64decode(after["signature"]), signed_text(after))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("inclusion", {"position": 0, "tree_size": 3}),
        ("inclusion", {"position": 4, "tree_size": 3}),
        ("inclusion", {"position": 1, "tree_size": 1000}),
        ("inclusion", {"position": 1}),
        ("inclusion", {"position": "one", "tree_size": 3}),
        ("consistency", {"first": 0, "second": 3}),
        ("consistency", {"first": 4, "second": 3}),
        ("consistency", {"first": 1, "second": 1000}),
        ("consistency", {"second": 3}),
    ],
)
async def test_bad_proof_parameters_are_validation_errors(client, keys, path, params):
    await some_history(client, keys)

    response = await client.get(
        f"/v1/audit/proofs/{path}", params=params, headers=auth(keys.regulator)
    )

    assert_problem(response, 422, "validation_error")


# ---- as_of ---------------------------------------------------------------------------


async def test_ip_right_as_of_shows_the_register_entry_before_a_later_update(client, keys, clock):
    number = await register_patent(client, keys, 1)
    entered_at = clock.now()
    clock.advance(timedelta(days=2))
    updated = await client.put(
        f"/v1/ip-rights/invention_patent/{number}",
        json=patent_entry([party(1)], title="Renamed electrolyte method"),
        headers=auth(keys.ip_office),
    )
    assert updated.status_code == 200, updated.text
    url = f"/v1/ip-rights/invention_patent/{number}"

    then = await client.get(
        url,
        params={"as_of": (entered_at + timedelta(days=1)).isoformat()},
        headers=auth(keys.bank_a),
    )
    now = await client.get(url, headers=auth(keys.bank_a))
    before = await client.get(
        url,
        params={"as_of": (entered_at - timedelta(days=1)).isoformat()},
        headers=auth(keys.bank_a),
    )

    assert then.json()["title"] == patent_entry([])["title"]
    assert then.headers["ETag"] == '"1"'
    assert now.json()["title"] == "Renamed electrolyte method"
    assert_problem(before, 404, "not_found")


async def post(client: httpx.AsyncClient, key: str, url: str, body: dict) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=auth(key))
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_listing_as_of_shows_it_listed_before_its_withdrawal(client, keys, clock):
    pledge = await registered_pledge(client, keys, 1)
    default = {"declared_on": "2026-01-05", "outstanding_amount": "4200000.00"}
    await post(client, keys.bank_a, f"/v1/pledges/{pledge['id']}/default", default)
    disposal = await post(
        client,
        keys.bank_a,
        "/v1/disposals",
        {"pledge_id": pledge["id"], "route": "exchange_listing", "appraised_value": "3000000.00"},
    )
    listing = await post(
        client,
        keys.trading_centre,
        "/v1/listings",
        {"disposal_id": disposal["id"], "asking_price": "2800000.00", "listed_on": "2026-01-05"},
    )
    listed_at = clock.now()
    clock.advance(timedelta(days=3))
    url = f"/v1/listings/{listing['id']}"
    await post(client, keys.trading_centre, f"{url}/withdrawal", {"reason": "loan repaid"})

    then = await client.get(
        url,
        params={"as_of": (listed_at + timedelta(days=1)).isoformat()},
        headers=auth(keys.trading_centre),
    )
    now = await client.get(url, headers=auth(keys.trading_centre))

    assert then.status_code == 200, then.text
    assert then.json()["status"] == "listed"
    assert now.json()["status"] == "withdrawn"


async def test_a_full_page_of_the_log_carries_every_leaf_hash(client, keys, container):
    from datetime import date

    from registry.actors import Actor
    from registry.values import RegisterEntry
    from tests.builders import patent_number
    from tests.factories import domain_party

    fields = RegisterEntry(
        title="t",
        holders=(domain_party(1),),
        filing_date=date(2015, 3, 10),
        grant_date=date(2017, 6, 20),
        status="in_force",
        annuity_paid_through_year=12,
        valid_until=None,
        dispute_hold=False,
        invalidation_pending=False,
    )
    with acting_as(Actor("p", "ip_office", "CNIPA")):
        container.registry.import_ip_rights(
            [("invention_patent", patent_number(i), fields) for i in range(1200)],
        )

    page = await client.get(
        "/v1/audit/log", params={"after": 0, "limit": 1000}, headers=auth(keys.regulator)
    )

    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [e["position"] for e in items] == list(range(1, 1001))
    assert all(len(e["leaf_hash"]) == 64 for e in items)
    assert page.json()["next_after"] == 1000
