"""A deliberately naive RFC 6962 Merkle tree, for testing ``events.audit.merkle`` against.

Everything here is written straight from the RFC's recursive definitions and recomputes whole
subtrees from the leaf data every time: slow, but short enough to check by eye. It must not
import the production module.

- ``mth``, ``path`` and ``proof`` are RFC 6962 §2.1, §2.1.1 and §2.1.2 (= RFC 9162 §2.1.1,
  §2.1.3.1, §2.1.4.1) over a list of leaf *data*.
- The verifiers rebuild the roots from a proof by walking the same recursion the proof was
  built with, consuming proof hashes from the end (the RFC appends the sibling *after* the
  recursive part, so the last hash belongs to the top split). A proof verifies iff it has
  exactly the shape the recursion expects and the rebuilt roots match.
"""

from __future__ import annotations

import hashlib


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n])."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaf_hash(leaves[0])
    k = split(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path for leaf m."""
    n = len(leaves)
    if n == 1:
        return []
    k = split(n)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def proof(m: int, leaves: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], b), mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), mth(leaves[:k])]


# ---- verification by rebuilding the roots -------------------------------------------------


class _Bad(Exception):
    """The proof does not have the shape the recursion needs."""


def _pop(hashes: list[bytes]) -> bytes:
    if not hashes:
        raise _Bad
    return hashes.pop()


def _root_from_path(m: int, n: int, leaf: bytes, hashes: list[bytes]) -> bytes:
    """Inverse of ``path``: the root of D[n] given leaf m's hash and its path."""
    if n == 1:
        return leaf
    k = split(n)
    sibling = _pop(hashes)
    if m < k:
        return node_hash(_root_from_path(m, k, leaf, hashes), sibling)
    return node_hash(sibling, _root_from_path(m - k, n - k, leaf, hashes))


def verify_inclusion(leaf: bytes, m: int, n: int, audit_path: list[bytes], root: bytes) -> bool:
    if not 0 <= m < n:
        return False
    hashes = list(audit_path)
    try:
        rebuilt = _root_from_path(m, n, leaf, hashes)
    except _Bad:
        return False
    return not hashes and rebuilt == root


def _roots_from_subproof(
    m: int, n: int, b: bool, old_root: bytes, hashes: list[bytes]
) -> tuple[bytes, bytes]:
    """Inverse of ``_subproof``: (MTH(D[0:m]), MTH(D[0:n])) of the current subtree."""
    if m == n:
        if b:  # the RFC leaves this node out: the verifier already holds it
            return old_root, old_root
        h = _pop(hashes)
        return h, h
    k = split(n)
    sibling = _pop(hashes)
    if m <= k:
        old, new = _roots_from_subproof(m, k, b, old_root, hashes)
        return old, node_hash(new, sibling)
    old, new = _roots_from_subproof(m - k, n - k, False, old_root, hashes)
    return node_hash(sibling, old), node_hash(sibling, new)


def verify_consistency(
    m: int, n: int, old_root: bytes, new_root: bytes, consistency: list[bytes]
) -> bool:
    if not 0 < m <= n:
        return False
    if m == n:
        return not consistency and old_root == new_root
    hashes = list(consistency)
    try:
        old, new = _roots_from_subproof(m, n, True, old_root, hashes)
    except _Bad:
        return False
    return not hashes and old == old_root and new == new_root
