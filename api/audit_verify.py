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

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from api.audit_checkpoint_checks import (
    check_checkpoint,
    check_consistency,
    checkpoint_shape,
    public_key_of,
)
from api.audit_report import CannotVerify, Problem, Report, get_json
from events.audit import merkle

__all__ = ["CannotVerify", "Problem", "Report", "load_checkpoint", "run", "verify"]

PAGE = 1000


def load_checkpoint(path: Path) -> dict[str, Any]:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CannotVerify(f"cannot read the saved checkpoint {path}: {e}") from None
    if not isinstance(saved, dict):
        raise CannotVerify(f"{path} is not a checkpoint as GET /v1/audit/checkpoint returns it")
    if shape := checkpoint_shape(saved):
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
    public_key = get_json(client, "/v1/audit/public-key")
    served = get_json(client, "/v1/audit/checkpoint")
    report.checkpoint = served
    checkpoint = served if not (shape := checkpoint_shape(served)) else None
    if shape:
        report.add(f"the service's checkpoint is malformed: {shape}")
    wanted = {c["tree_size"] for c in (checkpoint, saved) if c is not None}
    size = served.get("tree_size")
    total = size if isinstance(size, int) else 0
    roots = _stream_log(client, report, wanted, lambda done: (on_progress or _quiet)(done, total))

    key = public_key_of(public_key, report)
    if checkpoint is not None:
        check_checkpoint("checkpoint", checkpoint, key, public_key, roots, report)
    if saved is not None:
        check_checkpoint("saved checkpoint", saved, key, public_key, roots, report)
        if checkpoint is not None:
            check_consistency(client, saved, checkpoint, report)
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
        page = get_json(client, "/v1/audit/log", params={"after": after, "limit": PAGE})
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
