"""The Merkle tree of the processing log, as RFC 9162 (Certificate Transparency 2.0) defines
it: pure functions, no storage.

Hashing (RFC 9162 section 2.1.1): the empty tree is SHA-256 of nothing, a leaf is
SHA-256(0x00 || data), an inner node SHA-256(0x01 || left || right), and a tree of n leaves
splits at the largest power of two below n. Proofs follow sections 2.1.3 (inclusion) and
2.1.4 (consistency), so any CT-style verifier checks them.

The stored tree (hub/core/log_tree.py) keeps the hash of every complete, aligned subtree:
`node(level, index)` is the hash over leaves [index * 2**level, (index + 1) * 2**level).
Every hash a proof or a root needs is made of such subtrees, so the functions here take a
`node` callback; `needed_nodes` tells which ones to read first.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

NodeFn = Callable[[int, int], bytes]

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof that does not fit the sizes it claims to prove (not merely a wrong hash)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(start: int, end: int, node: NodeFn) -> bytes:
    """MTH(D[start:end]) for the ranges RFC 9162's recursions produce: `start` is aligned to
    the largest power of two not above end - start, so every piece is a stored subtree."""
    n = end - start
    if n <= 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        level = n.bit_length() - 1
        return node(level, start >> level)
    k = split_point(n)
    return node_hash(range_hash(start, start + k, node), range_hash(start + k, end, node))


def root(size: int, node: NodeFn) -> bytes:
    return range_hash(0, size, node)


def inclusion_proof(index: int, size: int, node: NodeFn) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 section 2.1.3.1."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    return _path(index, 0, size, node)


def _path(m: int, start: int, end: int, node: NodeFn) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*_path(m, start, start + k, node), range_hash(start + k, end, node)]
    return [*_path(m - k, start + k, end, node), range_hash(start, start + k, node)]


def consistency_proof(old: int, new: int, node: NodeFn) -> list[bytes]:
    """PROOF(old, D[new]) of RFC 9162 section 2.1.4.1 (empty for old == 0 or old == new)."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from {old} to {new}")
    if old == 0 or old == new:
        return []
    return _subproof(old, 0, new, True, node)


def _subproof(m: int, start: int, end: int, whole: bool, node: NodeFn) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if whole else [range_hash(start, end, node)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, start, start + k, whole, node), range_hash(start + k, end, node)]
    return [
        *_subproof(m - k, start + k, end, False, node),
        range_hash(start, start + k, node),
    ]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` leads to from `leaf` (RFC 9162 section 2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    try:
        return root_from_inclusion(index, size, leaf, proof) == expected_root
    except ProofError:
        return False


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2; the trivial cases (old 0, old == new) need an empty proof."""
    if not 0 <= old <= new:
        return False
    if old == 0:
        return not proof
    if old == new:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def needed_nodes(compute: Callable[[NodeFn], object]) -> list[tuple[int, int]]:
    """Which stored subtrees `compute` reads: run it once on placeholders (the shape of a
    proof depends only on the sizes), so the caller can fetch them all in one query."""
    seen: dict[tuple[int, int], None] = {}

    def record(level: int, index: int) -> bytes:
        seen[(level, index)] = None
        return EMPTY_ROOT

    compute(record)
    return list(seen)


@dataclass
class Frontier:
    """The compact range [0, size): the roots of the perfect subtrees a tree of `size`
    leaves is made of, largest first. Appending a leaf returns every complete subtree it
    finishes, to be stored; `root()` is the tree's root without reading anything."""

    size: int = 0
    stack: list[tuple[int, bytes]] = field(default_factory=list)  # (level, hash)

    @staticmethod
    def levels(size: int) -> list[tuple[int, int]]:
        """(level, index) of the subtrees that make up [0, size), largest first."""
        out, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                out.append((level, start >> level))
                start += 1 << level
        return out

    @classmethod
    def load(cls, size: int, node: NodeFn) -> "Frontier":
        return cls(size, [(level, node(level, index)) for level, index in cls.levels(size)])

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        made = [(0, self.size, leaf)]
        level, h, index = 0, leaf, self.size
        while self.stack and self.stack[-1][0] == level:
            _, left = self.stack.pop()
            h = node_hash(left, h)
            level += 1
            index >>= 1
            made.append((level, index, h))
        self.stack.append((level, h))
        self.size += 1
        return made

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        r = self.stack[-1][1]
        for _, h in reversed(self.stack[:-1]):
            r = node_hash(h, r)
        return r


def memory_nodes(leaves: Sequence[bytes]) -> NodeFn:
    """A `node` callback over leaf hashes held in memory (tests, small verifiers)."""
    cache: dict[tuple[int, int], bytes] = {}

    def node(level: int, index: int) -> bytes:
        if level == 0:
            return leaves[index]
        key = (level, index)
        if key not in cache:
            cache[key] = node_hash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1))
        return cache[key]

    return node
