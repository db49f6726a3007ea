"""The verifier's checks of signed checkpoints (contract §8): shape, signature, the root
recomputed from the log, and the RFC 6962 consistency of a saved checkpoint with today's."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from api.audit_report import Report, get_json
from events.audit import merkle

HEX_HASH = re.compile(r"^[0-9a-f]{64}$")
CHECKPOINT_FIELDS = ("tree_size", "root_hash", "timestamp", "key_id", "signature")


def checkpoint_message(checkpoint: dict[str, Any]) -> bytes:
    """What the service signs (contract §8), written out here rather than imported from it."""
    c = checkpoint
    return f"ipledge-checkpoint/v1\n{c['tree_size']}\n{c['root_hash']}\n{c['timestamp']}\n".encode()


def checkpoint_shape(c: dict[str, Any]) -> str | None:
    missing = [f for f in CHECKPOINT_FIELDS if f not in c]
    if missing:
        return f"missing {', '.join(missing)}"
    size = c["tree_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"tree_size {size!r} is not a size"
    if not isinstance(c["root_hash"], str) or not HEX_HASH.match(c["root_hash"]):
        return "root_hash is not a lowercase hex SHA-256"
    if not all(isinstance(c[f], str) for f in ("timestamp", "key_id", "signature")):
        return "timestamp, key_id and signature must be strings"
    return None


def public_key_of(body: dict[str, Any], report: Report) -> Ed25519PublicKey | None:
    try:
        raw = base64.b64decode(body["public_key"], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (KeyError, TypeError, ValueError, binascii.Error):
        report.add("GET /v1/audit/public-key answered no Ed25519 public key")
        return None


def check_checkpoint(
    what: str,
    c: dict[str, Any],
    key: Ed25519PublicKey | None,
    public_key: dict[str, Any],
    roots: dict[int, bytes],
    report: Report,
) -> None:
    size, root_hash = c["tree_size"], c["root_hash"]
    held = []
    if c["key_id"] != public_key.get("key_id"):
        report.add(
            f"{what} (tree size {size}) is signed by key {c['key_id']}, "
            f"the service's key is {public_key.get('key_id')}"
        )
    elif key is not None:
        try:
            key.verify(base64.b64decode(c["signature"], validate=True), checkpoint_message(c))
            held.append("signature valid")
        except (InvalidSignature, ValueError, binascii.Error):
            report.add(f"{what} (tree size {size}): signature does not verify")
    if size not in roots:
        pass  # the log broke off (or was short) before this size: already reported
    elif roots[size].hex() == root_hash:
        held.append("root recomputed from the log")
    elif (cause := report.positions_bad_up_to(size)) is not None:
        report.add(
            f"{what} root mismatch at tree size {size} (the log differs at position "
            f"{cause.position})"
        )
    else:
        report.add(
            f"{what} root mismatch at tree size {size}: first differing leaf unknown", within=size
        )
    if held:
        report.notes.append(
            f"{what}: tree size {size}, root {root_hash[:16]}..., {c['timestamp']}, "
            f"key {c['key_id']}: {', '.join(held)}"
        )


def check_consistency(
    client: httpx.Client, saved: dict[str, Any], current: dict[str, Any], report: Report
) -> None:
    first, second = saved["tree_size"], current["tree_size"]
    if first > second:
        report.add(
            f"the saved checkpoint covers {first} events, the current one only {second}: "
            "the log shrank"
        )
        return
    if first == 0:
        return  # the empty tree is a prefix of every tree (its root was checked above)
    proof = get_json(
        client, "/v1/audit/proofs/consistency", params={"first": first, "second": second}
    )
    try:
        path = [bytes.fromhex(h) for h in proof["path"]]
        echoed = proof["first"] == first and proof["second"] == second
    except (KeyError, TypeError, ValueError):
        path, echoed = [], False
    ok = echoed and merkle.verify_consistency(
        first,
        second,
        bytes.fromhex(saved["root_hash"]),
        bytes.fromhex(current["root_hash"]),
        path,
    )
    if ok:
        report.notes.append(
            f"consistency: the saved tree of size {first} is a prefix of the current one "
            f"of size {second} (RFC 6962 proof verified)"
        )
    else:
        report.add(
            f"the current checkpoint (tree size {second}) is not consistent with the saved "
            f"one (tree size {first}): the consistency proof does not verify"
        )
