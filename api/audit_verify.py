"""The regulator's verifier (contract §8): `ipledge audit verify`.

Trusts nothing the service computes except what its signing key vouches for. It downloads the
whole log, recomputes every leaf hash from its envelope and compares it with the leaf hash the
service recorded when the event was first hashed, recomputes the Merkle root from those leaves,
and checks the signed checkpoint against it; with a checkpoint saved earlier it also checks that
the log it signed is a prefix of today's (the recomputed root and an RFC 6962 consistency proof).

Verification findings exit 1, naming the first bad position when there is one; being unable to
verify at all (bad arguments, no connection, a refused key, a service error) exits 2.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.audit import merkle

PAGE = 1000
HEX_HASH = re.compile(r"^[0-9a-f]{64}$")
CHECKPOINT_FIELDS = ("tree_size", "root_hash", "timestamp", "key_id", "signature")


class CannotVerify(Exception):
    """Verification could not be carried out (usage, connection or service errors): exit 2."""


def checkpoint_message(checkpoint: dict[str, Any]) -> bytes:
    """What the service signs (contract §8), written out here rather than imported from it."""
    c = checkpoint
    return f"ipledge-checkpoint/v1\n{c['tree_size']}\n{c['root_hash']}\n{c['timestamp']}\n".encode()


@dataclass
class Problem:
    message: str
    position: int | None = None
    within: int | None = None  # not localised, but somewhere in positions 1..within

    @property
    def order(self) -> int | None:
        return self.position if self.position is not None else self.within


@dataclass
class Report:
    url: str
    log_size: int = 0
    checkpoint: dict[str, Any] | None = None
    saved: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def first(self) -> Problem | None:
        """The problem to lead with: the lowest bad position (a root mismatch nothing explains
        counts as its tree size), else the first finding."""
        placed = [p for p in self.problems if p.order is not None]
        if placed:
            return min(placed, key=lambda p: p.order or 0)
        return self.problems[0] if self.problems else None

    def add(self, message: str, position: int | None = None, within: int | None = None) -> None:
        self.problems.append(Problem(message, position, within))

    def positions_bad_up_to(self, size: int) -> Problem | None:
        bad = [p for p in self.problems if p.position is not None and p.position <= size]
        return min(bad, key=lambda p: p.position or 0) if bad else None

    def text(self) -> str:
        lead = self.first()
        lines = (
            [f"audit log at {self.url}: FAILED: {lead.message}"]
            if lead is not None
            else [f"audit log at {self.url}: verified"]
        )
        lines += [f"  also: {p.message}" for p in self.problems if p is not lead]
        lines += [f"  ok: {note}" for note in self.notes]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        lead = self.first()
        return {
            "ok": self.ok,
            "url": self.url,
            "log_size": self.log_size,
            "checkpoint": self.checkpoint,
            "saved_checkpoint": self.saved,
            "first_bad_position": lead.position if lead is not None else None,
            "problems": [{"position": p.position, "message": p.message} for p in self.problems],
            "checked": self.notes,
        }


def load_checkpoint(path: Path) -> dict[str, Any]:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CannotVerify(f"cannot read the saved checkpoint {path}: {e}") from None
    if not isinstance(saved, dict):
        raise CannotVerify(f"{path} is not a checkpoint as GET /v1/audit/checkpoint returns it")
    if shape := _checkpoint_shape(saved):
        raise CannotVerify(
            f"{path} is not a checkpoint as GET /v1/audit/checkpoint returns it: {shape}"
        )
    return saved


# Called after each page of the log: (events checked so far, events in the served checkpoint).
OnProgress = Callable[[int, int], None]


def run(
    url: str,
    key: str,
    saved_path: Path | None = None,
    *,
    timeout: float = 120,
    on_progress: OnProgress | None = None,
) -> Report:
    saved = load_checkpoint(saved_path) if saved_path is not None else None
    if not key:
        raise CannotVerify("no API key: pass --key or set IPLEDGE_API_KEY")
    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise CannotVerify(f"--url must be an http(s) base URL like http://host:8000, not {url!r}")
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
        return verify(client, saved, on_progress)


def verify(
    client: httpx.Client,
    saved: dict[str, Any] | None = None,
    on_progress: OnProgress | None = None,
) -> Report:
    report = Report(url=str(client.base_url).rstrip("/"), saved=saved)
    # The checkpoint first: the log read afterwards is at least as long.
    public_key = _get(client, "/v1/audit/public-key")
    served = _get(client, "/v1/audit/checkpoint")
    report.checkpoint = served
    checkpoint = served if not (shape := _checkpoint_shape(served)) else None
    if shape:
        report.add(f"the service's checkpoint is malformed: {shape}")
    wanted = {c["tree_size"] for c in (checkpoint, saved) if c is not None}
    size = served.get("tree_size")
    total = size if isinstance(size, int) else 0
    roots = _stream_log(client, report, wanted, lambda done: (on_progress or _quiet)(done, total))

    key = _public_key(public_key, report)
    if checkpoint is not None:
        _check_checkpoint("checkpoint", checkpoint, key, public_key, roots, report)
    if saved is not None:
        _check_checkpoint("saved checkpoint", saved, key, public_key, roots, report)
        if checkpoint is not None:
            _check_consistency(client, saved, checkpoint, report)
    return report


# ---- the log -------------------------------------------------------------------------


def _quiet(_done: int, _total: int) -> None:
    pass


def _stream_log(
    client: httpx.Client, report: Report, wanted: set[int], checked: Callable[[int], None]
) -> dict[int, bytes]:
    """Checks positions 1..N and every leaf; returns the recomputed roots of the ``wanted``
    prefixes (those reached before the log broke off)."""
    tree = merkle.StreamingRoot()
    roots = {0: merkle.EMPTY_ROOT} if 0 in wanted else {}
    expected, after, broken = 1, 0, False
    while True:
        page = _get(client, "/v1/audit/log", params={"after": after, "limit": PAGE})
        items, next_after = page.get("items"), page.get("next_after")
        if not isinstance(items, list):
            report.add(f"GET /v1/audit/log?after={after} answered no items list")
            break
        for item in items:
            position = item.get("position") if isinstance(item, dict) else None
            if not isinstance(position, int) or isinstance(position, bool):
                report.add(f"position {expected}: the envelope has no integer position", expected)
            elif position > expected:
                more = f" (through {position - 1})" if position - 1 > expected else ""
                report.add(f"position {expected} missing{more}", expected)
            elif position < expected:
                report.add(f"position {position} duplicated or out of order", position)
            else:
                tree.append(_leaf(item, report))
                if tree.size in wanted:
                    roots[tree.size] = tree.root()
                expected += 1
                continue
            broken = True  # positions no longer line up with leaves: stop here
            break
        checked(expected - 1)
        if broken or next_after is None:
            break
        if not isinstance(next_after, int) or next_after <= after or not items:
            report.add(f"GET /v1/audit/log?after={after} answered next_after={next_after!r}")
            break
        after = next_after
    report.log_size = expected - 1
    if not broken:
        for size in sorted(s for s in wanted if s > report.log_size):
            report.add(
                f"position {report.log_size + 1} missing: a checkpoint covers {size} events, "
                f"the log served {report.log_size}",
                report.log_size + 1,
            )
            break
    if not any(p.position is not None for p in report.problems):
        report.notes.append(
            f"log: {report.log_size} events at positions 1..{report.log_size}, "
            "every leaf hash recomputed from its envelope and matching"
        )
    return roots


def _leaf(item: dict[str, Any], report: Report) -> bytes:
    """The leaf recomputed from the envelope (what the roots are built from)."""
    position = item["position"]
    body = {k: v for k, v in item.items() if k != "leaf_hash"}
    try:
        recomputed = merkle.leaf_hash(body)
    except Exception as e:  # e.g. an integer JCS cannot represent
        report.add(f"position {position}: envelope cannot be canonicalised ({e})", position)
        return merkle.hash_leaf(json.dumps(body, sort_keys=True).encode())
    if item.get("leaf_hash") != recomputed:
        why = "envelope changed after it was logged"
        data = item.get("data")
        if item.get("type") is None and isinstance(data, dict) and "undecodable" in data:
            why = "the stored event no longer decodes: it changed after it was logged"
        elif "leaf_hash" not in item:
            why = "the service gave no leaf hash"
        report.add(f"position {position}: leaf hash mismatch ({why})", position)
    return bytes.fromhex(recomputed)


# ---- checkpoints ---------------------------------------------------------------------


def _checkpoint_shape(c: dict[str, Any]) -> str | None:
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


def _public_key(body: dict[str, Any], report: Report) -> Ed25519PublicKey | None:
    try:
        raw = base64.b64decode(body["public_key"], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (KeyError, TypeError, ValueError, binascii.Error):
        report.add("GET /v1/audit/public-key answered no Ed25519 public key")
        return None


def _check_checkpoint(
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


def _check_consistency(
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
    proof = _get(client, "/v1/audit/proofs/consistency", params={"first": first, "second": second})
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


# ---- HTTP ----------------------------------------------------------------------------


def _get(client: httpx.Client, path: str, params: dict[str, int] | None = None) -> dict[str, Any]:
    where = f"GET {path}" + (f"?{httpx.QueryParams(params)}" if params else "")
    try:
        response = client.get(path, params=params)
    except httpx.HTTPError as e:
        raise CannotVerify(f"{where}: cannot reach {client.base_url} ({e})") from None
    if response.status_code in (401, 403):
        raise CannotVerify(
            f"{where} answered {response.status_code}: the audit log needs a regulator's API key"
        )
    if response.status_code != 200:
        raise CannotVerify(f"{where} answered {response.status_code}: {response.text[:300]}")
    try:
        body = response.json()
    except ValueError:
        raise CannotVerify(f"{where} did not answer JSON") from None
    if not isinstance(body, dict):
        raise CannotVerify(f"{where} did not answer a JSON object")
    return body
