"""The Merkle code against a plain recursive reference written from RFC 9162's definitions."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from wijkhub.hub.core.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    memory_nodes,
    needed_nodes,
    root,
    verify_consistency,
    verify_inclusion,
)

# -- the reference: RFC 9162 section 2.1, literally, over lists ------------------------------


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < len(d):
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def data(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=200, deadline=None)
@given(sizes)
def test_root_matches_the_reference(n: int) -> None:
    d = data(n)
    node = memory_nodes([leaf_hash(x) for x in d])
    assert root(n, node) == ref_mth(d)
    frontier = Frontier()
    for x in d:
        frontier.append(leaf_hash(x))
    assert frontier.root() == ref_mth(d)


def test_empty_tree() -> None:
    assert root(0, memory_nodes([])) == EMPTY_ROOT == ref_mth([]) == Frontier().root()


@settings(max_examples=200, deadline=None)
@given(sizes.flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_proofs_match_and_verify(case: tuple[int, int]) -> None:
    n, m = case
    d = data(n)
    leaves = [leaf_hash(x) for x in d]
    proof = inclusion_proof(m, n, memory_nodes(leaves))
    assert proof == ref_path(m, d)
    assert verify_inclusion(m, n, leaves[m], proof, ref_mth(d))
    # Another leaf, another index, a shortened proof or another root: refused.
    assert not verify_inclusion(m, n, leaf_hash(b"other"), proof, ref_mth(d))
    if n > 1:
        assert not verify_inclusion((m + 1) % n, n, leaves[m], proof, ref_mth(d))
        assert not verify_inclusion(m, n, leaves[m], proof[:-1], ref_mth(d))
    assert not verify_inclusion(m, n, leaves[m], proof, ref_mth([*d, b"more"]))


@settings(max_examples=200, deadline=None)
@given(sizes.flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_consistency_proofs_match_and_verify(case: tuple[int, int]) -> None:
    m, n = case
    d = data(n)
    node = memory_nodes([leaf_hash(x) for x in d])
    proof = consistency_proof(m, n, node)
    expected = [] if m in (0, n) else ref_subproof(m, d, True)
    assert proof == expected
    old, new = ref_mth(d[:m]), ref_mth(d)
    assert verify_consistency(m, n, old, new, proof)
    if 0 < m < n:
        # A rewritten old tree, a rewritten or grown new tree, a cut proof: refused.
        rewritten = [*d[: m - 1], b"rewritten", *d[m:]]
        assert not verify_consistency(m, n, ref_mth(rewritten[:m]), new, proof)
        assert not verify_consistency(m, n, old, ref_mth(rewritten), proof)
        assert not verify_consistency(m, n, old, ref_mth([*d, b"more"]), proof)
        assert not verify_consistency(m, n, old, new, proof[:-1])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=6))
def test_frontier_in_batches_stores_every_complete_subtree(batches: list[int]) -> None:
    """The sequencer's way: batches on a frontier loaded from stored nodes only."""
    stored: dict[tuple[int, int], bytes] = {}
    size = 0
    for b in batches:
        frontier = Frontier.load(size, lambda level, index: stored[(level, index)])
        for i in range(size, size + b):
            for level, index, h in frontier.append(leaf_hash(f"leaf {i}".encode())):
                stored[(level, index)] = h
        size += b
        assert frontier.root() == ref_mth(data(size))
    node = memory_nodes([leaf_hash(x) for x in data(size)])
    assert all(node(level, index) == h for (level, index), h in stored.items())
    assert root(size, lambda level, index: stored[(level, index)]) == ref_mth(data(size))


def test_needed_nodes_are_few_and_enough() -> None:
    n = 1000
    leaves = [leaf_hash(x) for x in data(n)]
    node = memory_nodes(leaves)
    wanted = needed_nodes(lambda f: inclusion_proof(417, n, f))
    assert len(wanted) <= 2 * n.bit_length()
    fetched = {k: node(*k) for k in wanted}
    assert inclusion_proof(417, n, lambda lv, ix: fetched[(lv, ix)]) == inclusion_proof(
        417, n, node
    )
