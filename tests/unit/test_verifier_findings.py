"""The verifier's judgement (api.audit_verify) against a fake service built with the reference
RFC 6962 tree (tests.merkle_reference): which findings fail it, and which position it names.

The real service, and tampering with its database: tests/e2e/test_audit_verify.py.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from api.audit_verify import CannotVerify, Report, verify
from tests import merkle_reference as ref

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PAGE = 3  # the fake serves at most three envelopes a page, whatever the limit asked


def envelope(position: int, amount: str = "5000000.00") -> dict[str, Any]:
    return {
        "position": position,
        "id": f"00000000-0000-0000-0000-{position:012d}",
        "stream_id": "11111111-1111-1111-1111-111111111111",
        "stream_type": "pledge",
        "version": position,
        "type": "pledge.amended",
        "occurred_at": "2026-01-05T01:00:00Z",
        "actor": {"principal_id": "p", "role": "bank", "institution_id": "BANK-A"},
        "data": {"secured_amount": amount},
    }


def hashed(envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "leaf_hash": ref.leaf_hash(rfc8785.dumps(e)).hex()} for e in envelopes]


def signed(
    envelopes: list[dict[str, Any]], size: int, key: Ed25519PrivateKey = KEY
) -> dict[str, Any]:
    root = ref.mth([rfc8785.dumps(e) for e in envelopes[:size]]).hex()
    timestamp = "2026-01-05T01:00:00Z"
    message = f"ipledge-checkpoint/v1\n{size}\n{root}\n{timestamp}\n".encode()
    return {
        "tree_size": size,
        "root_hash": root,
        "timestamp": timestamp,
        "key_id": "k1",
        "signature": base64.b64encode(key.sign(message)).decode(),
    }


class FakeService:
    """Serves ``served`` as the log; the checkpoint and proofs come from ``history`` (what was
    really logged), so serving something else is what a tampered service looks like."""

    def __init__(self, history: list[dict[str, Any]], served: list[dict] | None = None) -> None:
        self.history = history
        self.served = hashed(history) if served is None else served
        self.checkpoint = signed(history, len(history))
        self.consistency_path: list[str] | None = None
        self.status = 200

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.status != 200:
            return httpx.Response(self.status, json={"code": "forbidden"})
        params = request.url.params
        if request.url.path == "/v1/audit/public-key":
            raw = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            return httpx.Response(
                200, json={"key_id": "k1", "public_key": base64.b64encode(raw).decode()}
            )
        if request.url.path == "/v1/audit/checkpoint":
            return httpx.Response(200, json=self.checkpoint)
        if request.url.path == "/v1/audit/log":
            after = int(params["after"])
            rest = [e for e in self.served if e["position"] > after]
            page = rest[:PAGE]
            more = len(rest) > PAGE
            return httpx.Response(
                200, json={"items": page, "next_after": page[-1]["position"] if more else None}
            )
        if request.url.path == "/v1/audit/proofs/consistency":
            first, second = int(params["first"]), int(params["second"])
            leaves = [rfc8785.dumps(e) for e in self.history[:second]]
            path = self.consistency_path
            if path is None:
                path = [h.hex() for h in ref.proof(first, leaves)]
            return httpx.Response(200, json={"first": first, "second": second, "path": path})
        return httpx.Response(404)


def run(service: FakeService, saved: dict[str, Any] | None = None) -> Report:
    transport = httpx.MockTransport(service.handle)
    with httpx.Client(transport=transport, base_url="http://ipledge.test") as client:
        return verify(client, saved)


def headline(report: Report) -> str:
    lead = report.first()
    assert lead is not None, report.notes
    return lead.message


HISTORY = [envelope(p) for p in range(1, 11)]


# ---- what holds ------------------------------------------------------------------------


def test_honest_log_over_several_pages_verifies_against_a_saved_checkpoint():
    service = FakeService(HISTORY)

    report = run(service, saved=signed(HISTORY, 4))

    assert report.ok, report.problems
    assert report.log_size == 10
    assert report.first() is None
    assert any("consistency" in n and "size 4" in n for n in report.notes)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 10])
def test_saved_checkpoint_of_any_earlier_size_is_proven_consistent(size):
    report = run(FakeService(HISTORY), saved=signed(HISTORY, size))

    assert report.ok, report.problems


# ---- the log ---------------------------------------------------------------------------


def test_changed_envelope_is_named_by_position():
    served = hashed(HISTORY)
    served[6] = {**served[6], "data": {"secured_amount": "9000000.00"}}

    report = run(FakeService(HISTORY, served))

    assert (
        headline(report) == "position 7: leaf hash mismatch (envelope changed after it was logged)"
    )
    assert report.first().position == 7  # type: ignore[union-attr]


def test_first_of_several_changed_envelopes_is_named():
    served = hashed(HISTORY)
    for i in (8, 2, 5):
        served[i] = {**served[i], "type": "pledge.released"}

    report = run(FakeService(HISTORY, served))

    assert report.first().position == 3  # type: ignore[union-attr]
    assert sorted(p.position for p in report.problems if p.position) == [3, 6, 9]


def test_a_run_of_missing_positions_names_the_first():
    served = [e for e in hashed(HISTORY) if e["position"] not in (4, 5)]

    report = run(FakeService(HISTORY, served))

    assert headline(report) == "position 4 missing (through 5)"


def test_duplicated_position_is_named():
    served = hashed(HISTORY)
    served.insert(2, served[1])  # [1, 2, 2] on the first page

    report = run(FakeService(HISTORY, served))

    assert headline(report) == "position 2 duplicated or out of order"


def test_log_shorter_than_its_checkpoint_names_the_first_missing_position():
    served = hashed(HISTORY)[:8]

    report = run(FakeService(HISTORY, served))

    assert headline(report).startswith("position 9 missing: a checkpoint covers 10 events")


def test_undecodable_event_is_named_with_its_cause():
    served = hashed(HISTORY)
    served[1] = {
        **served[1],
        "id": None,
        "type": None,
        "data": {"undecodable": "eyJicm9rZW4=", "topic": "registry.pledges:Pledge.Amended"},
    }

    report = run(FakeService(HISTORY, served))

    assert headline(report) == (
        "position 2: leaf hash mismatch (the stored event no longer decodes: "
        "it changed after it was logged)"
    )


# ---- checkpoints -----------------------------------------------------------------------


def test_rehashed_change_is_caught_by_the_signed_root_but_cannot_be_localised():
    changed = [*HISTORY[:4], envelope(5, "9000000.00"), *HISTORY[5:]]
    service = FakeService(HISTORY, served=hashed(changed))  # leaf hashes match the change

    report = run(service)

    assert headline(report) == (
        "checkpoint root mismatch at tree size 10: first differing leaf unknown"
    )
    assert report.first().position is None  # type: ignore[union-attr]


def test_unlocalised_root_mismatch_leads_before_a_later_bad_position():
    changed = [*HISTORY[:4], envelope(5, "9000000.00"), *HISTORY[5:]]
    served = hashed(changed)
    served[8] = {**served[8], "version": 99}  # and a plain mismatch after the checkpoint size
    service = FakeService(HISTORY, served)
    service.checkpoint = signed(HISTORY, 6)

    report = run(service)

    assert (
        headline(report) == "checkpoint root mismatch at tree size 6: first differing leaf unknown"
    )


def test_malformed_checkpoint_fails_but_the_log_is_still_checked():
    served = hashed(HISTORY)
    served[3] = {**served[3], "stream_type": "listing"}
    service = FakeService(HISTORY, served)
    service.checkpoint = {k: v for k, v in service.checkpoint.items() if k != "root_hash"}

    report = run(service)

    assert headline(report).startswith("position 4: leaf hash mismatch")
    assert "the service's checkpoint is malformed: missing root_hash" in [
        p.message for p in report.problems
    ]


def test_forged_checkpoint_signature_fails():
    service = FakeService(HISTORY)
    service.checkpoint = {**service.checkpoint, "timestamp": "2026-01-06T01:00:00Z"}

    report = run(service)

    assert headline(report) == "checkpoint (tree size 10): signature does not verify"


def test_checkpoint_signed_by_another_key_fails():
    service = FakeService(HISTORY)
    service.checkpoint = {**signed(HISTORY, 10, OTHER_KEY), "key_id": "k2"}

    report = run(service)

    assert headline(report) == (
        "checkpoint (tree size 10) is signed by key k2, the service's key is k1"
    )


def test_saved_checkpoint_of_a_rewritten_history_fails_root_and_consistency():
    rewritten = [envelope(1), envelope(2, "1.00"), *HISTORY[2:]]
    saved = signed(rewritten, 4)  # a genuine signature over a history that is not today's

    report = run(FakeService(HISTORY), saved)

    messages = [p.message for p in report.problems]
    assert headline(report) == (
        "saved checkpoint root mismatch at tree size 4: first differing leaf unknown"
    )
    assert any("not consistent with the saved one (tree size 4)" in m for m in messages)


def test_bad_consistency_proof_fails():
    service = FakeService(HISTORY)
    service.consistency_path = ["00" * 32, "11" * 32]

    report = run(service, signed(HISTORY, 4))

    assert [p.message for p in report.problems] == [
        "the current checkpoint (tree size 10) is not consistent with the saved one "
        "(tree size 4): the consistency proof does not verify"
    ]


def test_saved_checkpoint_larger_than_the_current_one_means_the_log_shrank():
    service = FakeService(HISTORY)
    service.checkpoint = signed(HISTORY, 6)

    report = run(service, signed(HISTORY, 8))

    assert any("the log shrank" in p.message for p in report.problems)


# ---- cannot verify ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403, 500])
def test_refused_or_failing_requests_cannot_verify(status):
    service = FakeService(HISTORY)
    service.status = status

    with pytest.raises(CannotVerify, match=f"answered {status}"):
        run(service)
