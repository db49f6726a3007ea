"""RFC 6962 (and RFC 9162 §2.1) Merkle tree hashing, proofs and their verification.

The tree is stored as its complete ("perfect") subtrees: node (level, idx) is the hash of
leaves [idx * 2^level, (idx + 1) * 2^level). Every subtree the RFC algorithms ask for splits
into O(log n) such nodes, so a root or a proof costs O(log n) node reads however big the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from events.audit.canonical import canonical_json

Key = tuple[int, int]  # (level, idx)
Lookup = Callable[[set[Key]], dict[Key, bytes]]


def hash_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf_hash(envelope: dict[str, Any]) -> str:
    """SHA-256(0x00 || JCS(envelope)) in lowercase hex; ``envelope`` without ``leaf_hash``."""
    return hash_leaf(canonical_json(envelope)).hex()


def largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def appended_nodes(
    index: int, leaf: bytes, node: Callable[[Key], bytes]
) -> list[tuple[Key, bytes]]:
    """The nodes completed by appending ``leaf`` at ``index``: the leaf itself and each
    subtree it closes (one per trailing 1-bit of index)."""
    added = [((0, index), leaf)]
    level, idx, current = 0, index, leaf
    while idx % 2 == 1:
        current = hash_children(node((level, idx - 1)), current)
        level, idx = level + 1, idx // 2
        added.append(((level, idx), current))
    return added


def _perfect(start: int, end: int) -> Key | None:
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        return (size.bit_length() - 1, start // size)
    return None


def _mth_keys(start: int, end: int, keys: set[Key]) -> None:
    if (key := _perfect(start, end)) is not None:
        keys.add(key)
        return
    k = largest_power_of_two_below(end - start)
    _mth_keys(start, start + k, keys)
    _mth_keys(start + k, end, keys)


def _mth(start: int, end: int, nodes: dict[Key, bytes]) -> bytes:
    if (key := _perfect(start, end)) is not None:
        return nodes[key]
    k = largest_power_of_two_below(end - start)
    return hash_children(_mth(start, start + k, nodes), _mth(start + k, end, nodes))


def _inclusion_ranges(m: int, start: int, end: int) -> list[tuple[int, int]]:
    """RFC 6962 PATH(m, D[start:end]) as the ranges whose MTH make up the path."""
    n = end - start
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return [*_inclusion_ranges(m, start, start + k), (start + k, end)]
    return [*_inclusion_ranges(m - k, start + k, end), (start, start + k)]


def _consistency_ranges(m: int, start: int, end: int, whole: bool) -> list[tuple[int, int]]:
    """RFC 6962 SUBPROOF(m, D[start:end], b) as ranges."""
    n = end - start
    if m == n:
        return [] if whole else [(start, end)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*_consistency_ranges(m, start, start + k, whole), (start + k, end)]
    return [*_consistency_ranges(m - k, start + k, end, False), (start, start + k)]


def _hashes(ranges: Iterable[tuple[int, int]], lookup: Lookup) -> list[bytes]:
    ranges = list(ranges)
    keys: set[Key] = set()
    for start, end in ranges:
        _mth_keys(start, end, keys)
    nodes = lookup(keys)  # one batched read
    return [_mth(start, end, nodes) for start, end in ranges]


EMPTY_ROOT = hashlib.sha256(b"").digest()


def root(size: int, lookup: Lookup) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return _hashes([(0, size)], lookup)[0]


def inclusion_path(index: int, size: int, lookup: Lookup) -> list[bytes]:
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    return _hashes(_inclusion_ranges(index, 0, size), lookup)


def consistency_path(first: int, second: int, lookup: Lookup) -> list[bytes]:
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    return _hashes(_consistency_ranges(first, 0, second, True), lookup)


# ---- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -------------------------------------


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: list[bytes], root_hash: bytes
) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = hash_children(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = hash_children(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: list[bytes]
) -> bool:
    if first == second:
        return not path and first_root == second_root
    if not 0 < first < second or not path:
        return False
    if first & (first - 1) == 0:  # a power of two: the first root is itself on the path
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = hash_children(c, fr), hash_children(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = hash_children(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


class StreamingRoot:
    """Root of a growing list of leaves in O(log n) memory (the verifier's full recompute)."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (size, hash) of perfect subtrees
        self.size = 0

    def append(self, leaf: bytes) -> None:
        size, node = 1, leaf
        while self._stack and self._stack[-1][0] == size:
            left_size, left = self._stack.pop()
            node, size = hash_children(left, node), size + left_size
        self._stack.append((size, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = hash_children(left, node)
        return node
