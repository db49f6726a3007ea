"""RFC 6962 / RFC 9162 Merkle tree (contract §8): production ``events.audit.merkle`` checked against
published test vectors, against the naive reference in ``tests/merkle_reference.py``, and for
its O(log n) node reads."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from events.audit import merkle
from tests import merkle_reference as ref

# ---- published vectors --------------------------------------------------------------------
# Leaves, roots, inclusion and consistency proofs of the 8-leaf reference tree, copied from
#   transparency-dev/merkle  proof/verify_test.go  (inclusionProofs, consistencyProofs, roots,
#                                                   leaves; the 6 -> 7 consistency proof)
#   google/trillian          merkle/log_verifier_test.go  (the same values, older copy)
# Those files number inclusion leaves from 1; below they are 0-based leaf indices.

LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]

ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

INCLUSION = [  # (leaf index, tree size, path)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

CONSISTENCY = [  # (first size, second size, path)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

EMPTY_TREE = bytes.fromhex(ROOTS[0])
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")

PROPERTY = settings(derandomize=True, deadline=None, max_examples=60)
PROOF_PROPERTY = settings(derandomize=True, deadline=None, max_examples=150)


def unhex(hashes: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in hashes]


class Log:
    """The production tree over a dict node store, grown leaf by leaf through
    ``appended_nodes``; ``lookup`` raises KeyError for a node the store does not hold."""

    def __init__(self, data: Iterable[bytes] = ()) -> None:
        self.nodes: dict[merkle.Key, bytes] = {}
        self.size = 0
        for leaf in data:
            self.append(ref.leaf_hash(leaf))

    def append(self, leaf_hash: bytes) -> None:
        self.nodes.update(merkle.appended_nodes(self.size, leaf_hash, self.nodes.__getitem__))
        self.size += 1

    def lookup(self, keys: set[merkle.Key]) -> dict[merkle.Key, bytes]:
        return {key: self.nodes[key] for key in keys}


def flipped(path: list[bytes], i: int, bit: int) -> list[bytes]:
    wrong = list(path)
    wrong[i] = bytes([wrong[i][0] ^ bit]) + wrong[i][1:]
    return wrong


def inclusion_corruptions(
    leaf: bytes, index: int, size: int, path: list[bytes], root: bytes
) -> dict[str, tuple[Any, ...]]:
    """transparency-dev's corruptInclusionProof probes, as verify_inclusion arguments."""
    probes = {
        "index - 1": (leaf, index - 1, size, path, root),
        "index + 1": (leaf, index + 1, size, path, root),
        "index ^ 2": (leaf, index ^ 2, size, path, root),
        "size * 2": (leaf, index, size * 2, path, root),
        "size // 2": (leaf, index, size // 2, path, root),
        "wrong leaf": (b"WrongLeaf", index, size, path, root),
        "empty root": (leaf, index, size, path, EMPTY_TREE),
        "random root": (leaf, index, size, path, SOME_HASH),
        "trailing garbage": (leaf, index, size, [*path, b""], root),
        "trailing root": (leaf, index, size, [*path, root], root),
        "preceding garbage": (leaf, index, size, [b"", *path], root),
        "preceding root": (leaf, index, size, [root, *path], root),
    }
    for i in range(len(path)):
        probes[f"proof[{i}] bit 3 flipped"] = (leaf, index, size, flipped(path, i, 8), root)
    if path:
        probes["removed component"] = (leaf, index, size, path[:-1], root)
    if len(path) > 1:
        probes["inserted component"] = (leaf, index, size, [path[0], SOME_HASH, *path[1:]], root)
    return probes


def consistency_corruptions(
    first: int, second: int, root1: bytes, root2: bytes, path: list[bytes]
) -> dict[str, tuple[Any, ...]]:
    """transparency-dev's corruptConsistencyProof probes, as verify_consistency arguments."""
    probes = {
        "first - 1": (first - 1, second, root1, root2, path),
        "first + 1": (first + 1, second, root1, root2, path),
        "first ^ 2": (first ^ 2, second, root1, root2, path),
        "second * 2": (first, second * 2, root1, root2, path),
        "second // 2": (first, second // 2, root1, root2, path),
        "wrong root1": (first, second, b"WrongRoot", root2, path),
        "wrong root2": (first, second, root1, b"WrongRoot", path),
        "swapped roots": (first, second, root2, root1, path),
        "empty proof": (first, second, root1, root2, []),
        "trailing garbage": (first, second, root1, root2, [*path, b""]),
        "trailing root1": (first, second, root1, root2, [*path, root1]),
        "trailing root2": (first, second, root1, root2, [*path, root2]),
        "preceding garbage": (first, second, root1, root2, [b"", *path]),
        "preceding root1": (first, second, root1, root2, [root1, *path]),
        "preceding root2": (first, second, root1, root2, [root2, *path]),
        "preceding proof[0]": (first, second, root1, root2, [path[0], *path]),
        "truncated proof": (first, second, root1, root2, path[:-1]),
    }
    for i in range(len(path)):
        probes[f"proof[{i}] bit 4 flipped"] = (first, second, root1, root2, flipped(path, i, 16))
    return probes


# ---- published vectors: production and reference both reproduce them ---------------------


def test_empty_tree_root_is_sha256_of_the_empty_string() -> None:
    assert merkle.root(0, Log().lookup) == EMPTY_TREE
    assert merkle.StreamingRoot().root() == EMPTY_TREE
    assert ref.mth([]) == EMPTY_TREE


@pytest.mark.parametrize("size", range(1, 9))
def test_root_of_the_published_tree_matches_the_published_root(size: int) -> None:
    expected = bytes.fromhex(ROOTS[size])
    full, grown = Log(LEAVES), Log(LEAVES[:size])
    stream = merkle.StreamingRoot()
    for leaf in LEAVES[:size]:
        stream.append(merkle.hash_leaf(leaf))

    assert merkle.root(size, full.lookup) == expected
    assert merkle.root(size, grown.lookup) == expected
    assert stream.root() == expected
    assert ref.mth(LEAVES[:size]) == expected


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proof_matches_the_published_proof_and_verifies(
    index: int, size: int, path: list[str]
) -> None:
    expected, root = unhex(path), bytes.fromhex(ROOTS[size])
    leaf = merkle.hash_leaf(LEAVES[index])

    assert merkle.inclusion_path(index, size, Log(LEAVES).lookup) == expected
    assert ref.path(index, LEAVES[:size]) == expected
    assert merkle.verify_inclusion(leaf, index, size, expected, root)
    assert ref.verify_inclusion(leaf, index, size, expected, root)


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_published_inclusion_proof_is_rejected_under_every_published_corruption(
    index: int, size: int, path: list[str]
) -> None:
    leaf, root = merkle.hash_leaf(LEAVES[index]), bytes.fromhex(ROOTS[size])
    probes = inclusion_corruptions(leaf, index, size, unhex(path), root)

    assert [name for name, args in probes.items() if merkle.verify_inclusion(*args)] == []
    assert [name for name, args in probes.items() if ref.verify_inclusion(*args)] == []


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_proof_matches_the_published_proof_and_verifies(
    first: int, second: int, path: list[str]
) -> None:
    expected = unhex(path)
    root1, root2 = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])

    assert merkle.consistency_path(first, second, Log(LEAVES).lookup) == expected
    assert ref.proof(first, LEAVES[:second]) == expected
    assert merkle.verify_consistency(first, second, root1, root2, expected)
    assert ref.verify_consistency(first, second, root1, root2, expected)


@pytest.mark.parametrize(("first", "second", "path"), [v for v in CONSISTENCY if v[2]])
def test_published_consistency_proof_is_rejected_under_every_published_corruption(
    first: int, second: int, path: list[str]
) -> None:
    root1, root2 = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    probes = consistency_corruptions(first, second, root1, root2, unhex(path))

    assert [name for name, args in probes.items() if merkle.verify_consistency(*args)] == []
    assert [name for name, args in probes.items() if ref.verify_consistency(*args)] == []


@pytest.mark.parametrize(("index", "size"), [(0, 0), (0, 1), (1, 0), (2, 1), (-1, 1)])
def test_inclusion_with_an_empty_path_outside_a_one_leaf_tree_is_rejected(
    index: int, size: int
) -> None:
    # transparency-dev TestVerifyInclusion probes (plus a negative index, which uint64 cannot say)
    for leaf, root in [(SOME_HASH, b""), (b"", EMPTY_TREE), (SOME_HASH, EMPTY_TREE)]:
        assert not merkle.verify_inclusion(leaf, index, size, [], root)
        assert not ref.verify_inclusion(leaf, index, size, [], root)


@pytest.mark.parametrize(
    ("first", "second", "root1", "root2", "path", "valid"),
    [  # transparency-dev TestVerifyConsistency, the cases with 0 < first
        (1, 1, b"r1", b"r2", [], False),
        (1, 1, b"r2", b"r2", [], True),
        (1, 0, b"r1", b"r2", [], False),
        (2, 1, b"r1", b"r2", [], False),
        (1, 2, b"r1", b"r2", [], False),
        (1, 1, EMPTY_TREE, b"r2", [], False),
        (1, 1, EMPTY_TREE, EMPTY_TREE, [EMPTY_TREE], False),
    ],
)
def test_consistency_edge_cases_follow_the_published_verdicts(
    first: int, second: int, root1: bytes, root2: bytes, path: list[bytes], valid: bool
) -> None:
    assert merkle.verify_consistency(first, second, root1, root2, path) is valid
    assert ref.verify_consistency(first, second, root1, root2, path) is valid


def test_proofs_outside_the_tree_are_refused() -> None:
    log = Log(LEAVES)
    for index, size in [(8, 8), (-1, 8), (0, 0)]:
        with pytest.raises(ValueError):
            merkle.inclusion_path(index, size, log.lookup)
    for first, second in [(0, 8), (5, 4), (-1, 3)]:
        with pytest.raises(ValueError):
            merkle.consistency_path(first, second, log.lookup)


# ---- production equals the naive reference ------------------------------------------------

# distinct leaves (a duplicate really is included at both indices); sizes spread up to 70
LEAF_LISTS = st.integers(1, 70).flatmap(
    lambda n: st.lists(st.binary(max_size=6), min_size=n, max_size=n, unique=True)
)


def test_every_proof_of_every_tree_up_to_33_leaves_equals_the_reference() -> None:
    data = [i.to_bytes(2, "big") for i in range(33)]
    log = Log()
    for n in range(1, len(data) + 1):
        log.append(ref.leaf_hash(data[n - 1]))
        leaves = data[:n]
        assert merkle.root(n, log.lookup) == ref.mth(leaves)
        for m in range(n):
            assert merkle.inclusion_path(m, n, log.lookup) == ref.path(m, leaves)
            assert merkle.consistency_path(m + 1, n, log.lookup) == ref.proof(m + 1, leaves)


@PROPERTY
@given(LEAF_LISTS)
def test_root_at_every_size_equals_the_reference_mth_and_the_streaming_root(
    leaves: list[bytes],
) -> None:
    log, stream = Log(), merkle.StreamingRoot()
    for size in range(1, len(leaves) + 1):
        leaf = ref.leaf_hash(leaves[size - 1])
        log.append(leaf)
        stream.append(leaf)
        expected = ref.mth(leaves[:size])
        assert merkle.root(size, log.lookup) == expected
        assert stream.root() == expected
        assert stream.size == size
    for size in range(len(leaves) + 1):  # an older size, read from the grown store
        assert merkle.root(size, log.lookup) == ref.mth(leaves[:size])


@PROOF_PROPERTY
@given(st.data())
def test_inclusion_path_equals_reference_and_only_the_genuine_proof_verifies(
    data: st.DataObject,
) -> None:
    leaves = data.draw(LEAF_LISTS)
    size = data.draw(st.integers(1, len(leaves)))
    index = data.draw(st.integers(0, size - 1))
    root, leaf = ref.mth(leaves[:size]), ref.leaf_hash(leaves[index])

    path = merkle.inclusion_path(index, size, Log(leaves).lookup)

    assert path == ref.path(index, leaves[:size])
    assert merkle.verify_inclusion(leaf, index, size, path, root)
    assert ref.verify_inclusion(leaf, index, size, path, root)
    for i in range(len(path)):
        assert not merkle.verify_inclusion(leaf, index, size, flipped(path, i, 1), root)
    for other in range(-2, size + 2):
        if other != index:
            assert not merkle.verify_inclusion(leaf, other, size, path, root)
    for wrong in [size * 2, size // 2]:
        assert not merkle.verify_inclusion(leaf, index, wrong, path, root)
    for shorter_or_longer in [path[:-1], [*path, root], [root, *path]]:
        if shorter_or_longer != path:
            assert not merkle.verify_inclusion(leaf, index, size, shorter_or_longer, root)
    # A tree of another size whose path to ``index`` has the same left/right shape is
    # indistinguishable to RFC 9162's algorithm (the signed root pins the size); the two
    # verifiers must agree on every such size.
    for other in range(2 * size + 2):
        assert merkle.verify_inclusion(leaf, index, other, path, root) == ref.verify_inclusion(
            leaf, index, other, path, root
        )


@PROOF_PROPERTY
@given(st.data())
def test_consistency_path_equals_reference_and_only_the_genuine_proof_verifies(
    data: st.DataObject,
) -> None:
    leaves = data.draw(LEAF_LISTS)
    second = data.draw(st.integers(1, len(leaves)))
    first = data.draw(st.integers(1, second))
    root1, root2 = ref.mth(leaves[:first]), ref.mth(leaves[:second])

    path = merkle.consistency_path(first, second, Log(leaves).lookup)

    assert path == ref.proof(first, leaves[:second])
    assert merkle.verify_consistency(first, second, root1, root2, path)
    assert ref.verify_consistency(first, second, root1, root2, path)
    for i in range(len(path)):
        assert not merkle.verify_consistency(first, second, root1, root2, flipped(path, i, 1))
    for other in range(-1, second + 2):
        if other != first:
            assert not merkle.verify_consistency(other, second, root1, root2, path)
    if first < second:
        for wrong in [second * 2, second // 2]:
            assert not merkle.verify_consistency(first, wrong, root1, root2, path)
    for shorter_or_longer in [path[:-1], [*path, root2], [root1, *path]]:
        if shorter_or_longer != path:
            assert not merkle.verify_consistency(first, second, root1, root2, shorter_or_longer)
    for other in range(2 * second + 2):  # see the inclusion test: the verifiers must agree
        assert merkle.verify_consistency(
            first, other, root1, root2, path
        ) == ref.verify_consistency(first, other, root1, root2, path)


# ---- leaf hash of an envelope -------------------------------------------------------------

ENVELOPE = {
    "position": 7,
    "id": "0b4f3c1e-8a51-4c44-9d1e-3b3f3c0d9a11",
    "stream_id": "pledge-2026-000123",
    "stream_type": "pledge",
    "version": 3,
    "type": "pledge.registered",
    "occurred_at": "2026-01-05T09:00:00+08:00",
    "actor": {"principal_id": "bank-a-clerk", "role": "bank", "institution_id": "bank-a"},
    "data": {"amount": "1000000.00", "note": "专利质押 €", "ids": [3, 1, 2], "ok": True, "x": None},
}


def reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def test_leaf_hash_is_sha256_of_a_zero_byte_and_the_jcs_envelope() -> None:
    expected = hashlib.sha256(b"\x00" + rfc8785.dumps(ENVELOPE)).hexdigest()

    assert merkle.leaf_hash(ENVELOPE) == expected
    assert merkle.leaf_hash(reversed_keys(ENVELOPE)) == expected
    assert list(reversed_keys(ENVELOPE)) != list(ENVELOPE)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=8,
)


@settings(derandomize=True, deadline=None, max_examples=25)
@given(st.dictionaries(st.text(max_size=8), JSON, max_size=6))
def test_leaf_hash_of_any_envelope_ignores_key_order(envelope: dict[str, Any]) -> None:
    expected = hashlib.sha256(b"\x00" + rfc8785.dumps(envelope)).hexdigest()

    assert merkle.leaf_hash(envelope) == expected
    assert merkle.leaf_hash(reversed_keys(envelope)) == expected


# ---- O(log n) node reads ------------------------------------------------------------------


def _sizes() -> list[int]:
    rng = random.Random(6962)
    sizes = {1, 2, 3, 5, 6, 7, 2**20}
    sizes |= {2**k + d for k in range(2, 20) for d in (-1, 0, 1)}
    sizes |= {rng.randrange(1, 2**20) for _ in range(60)}
    return sorted(sizes)


class FabricatingLookup:
    """Answers any node with a made-up hash and records every batch of keys asked for."""

    def __init__(self) -> None:
        self.batches: list[set[merkle.Key]] = []

    def __call__(self, keys: set[merkle.Key]) -> dict[merkle.Key, bytes]:
        self.batches.append(set(keys))
        return {key: hashlib.sha256(repr(key).encode()).digest() for key in keys}

    def reads_within(self, size: int) -> int:
        """The number of nodes read; asserts one batch of complete subtrees of the tree."""
        assert len(self.batches) == 1
        (keys,) = self.batches
        assert all(level >= 0 and idx >= 0 and (idx + 1) << level <= size for level, idx in keys)
        return len(keys)


@pytest.mark.parametrize("n", _sizes())
def test_root_and_proofs_read_logarithmically_many_nodes_in_one_batch(n: int) -> None:
    bound = 2 * math.log2(n) + 2
    rng = random.Random(n)

    lookup = FabricatingLookup()
    merkle.root(n, lookup)
    assert lookup.reads_within(n) == n.bit_count()  # one perfect subtree per 1-bit of n

    for index in {0, n // 2, n - 1, rng.randrange(n)}:
        lookup = FabricatingLookup()
        assert len(merkle.inclusion_path(index, n, lookup)) <= math.ceil(math.log2(n))
        assert lookup.reads_within(n) <= bound

    for first in {1, max(1, n // 2), max(1, n - 1), rng.randrange(1, n + 1)}:
        lookup = FabricatingLookup()
        merkle.consistency_path(first, n, lookup)
        assert lookup.reads_within(n) <= bound
