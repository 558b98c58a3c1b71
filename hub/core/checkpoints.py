"""Signed checkpoints of the processing log in the C2SP formats (c2sp.org/tlog-checkpoint,
c2sp.org/signed-note): the text names the log (origin), the tree size and the root hash, and
carries an Ed25519 signature by the log key.

    wijkhub/0153/verwerkingenlog
    1234
    <base64 root hash>

    — wijkhub/0153/verwerkingenlog <base64(key hash (4 bytes) || signature)>

The key name is the origin; the key hash (the note's key id) is SHA-256(name || 0x0A ||
0x01 || public key)[:4]. A verifier key is published as `name+hex key hash+base64(0x01 ||
public key)`, the signed-note verifier format, so any C2SP tool reads it. Pure: no I/O.
"""

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
DASH = "\u2014"

# Messages (Dutch: `wijkhub log verify` and `check-receipt` show them).
NOT_A_CHECKPOINT = "geen geldige checkpoint: {why}"
WRONG_ORIGIN = "hoort bij een andere log ({origin})"
NO_VALID_SIGNATURE = "handtekening klopt niet met een bekende logsleutel"
RETIRED_KEY = (
    "ondertekend met ingetrokken sleutel {kid} na de intrekking "
    "(ingetrokken bij {retired} regels, checkpoint noemt er {size})"
)
BAD_VKEY = "geen geldige publieke sleutel (verwacht naam+sleutelhash+sleutel)"


class CheckpointError(ValueError):
    """The message is Dutch and says what is wrong."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    body: str  # the signed text
    signatures: tuple[tuple[str, bytes, bytes], ...]  # (key name, key hash, signature)


@dataclass(frozen=True)
class LogKey:
    kid: str  # the id in the key ring
    public: bytes
    retired_at: int | None = None  # tree size when it was retired


def key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def vkey(name: str, public: bytes) -> str:
    """The signed-note verifier key: what a partner needs to check a receipt."""
    return f"{name}+{key_hash(name, public).hex()}+{base64.b64encode(ED25519 + public).decode()}"


def parse_vkey(text: str) -> tuple[str, bytes]:
    """(key name, raw Ed25519 public key) of a verifier key; its key hash must fit."""
    try:
        name, khash, b64 = text.strip().split("+", 2)
        raw = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        raise CheckpointError(BAD_VKEY) from None
    if not name or raw[:1] != ED25519 or len(raw) != 33 or key_hash(name, raw[1:]).hex() != khash:
        raise CheckpointError(BAD_VKEY)
    return name, raw[1:]


def body(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(origin: str, size: int, root: bytes, key: Ed25519PrivateKey) -> str:
    text = body(origin, size, root)
    sig = key.sign(text.encode())
    kh = key_hash(origin, public_bytes(key))
    return f"{text}\n{DASH} {origin} {base64.b64encode(kh + sig).decode()}\n"


def parse(note: str) -> Checkpoint:
    text, sep, sigs = note.partition("\n\n")
    if not sep:
        raise CheckpointError(NOT_A_CHECKPOINT.format(why="geen handtekeningen"))
    lines = text.split("\n")
    if len(lines) < 3:
        raise CheckpointError(NOT_A_CHECKPOINT.format(why="te weinig regels"))
    origin, size_s, root_s = lines[0], lines[1], lines[2]
    if not origin or not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
        raise CheckpointError(NOT_A_CHECKPOINT.format(why="herkomst of grootte onleesbaar"))
    try:
        root = base64.b64decode(root_s, validate=True)
    except binascii.Error:
        root = b""
    if len(root) != 32:
        raise CheckpointError(NOT_A_CHECKPOINT.format(why="wortelhash onleesbaar"))
    signatures = []
    for line in sigs.rstrip("\n").split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise CheckpointError(NOT_A_CHECKPOINT.format(why="handtekeningregel onleesbaar"))
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            blob = b""
        if len(blob) < 5:
            raise CheckpointError(NOT_A_CHECKPOINT.format(why="handtekeningregel onleesbaar"))
        signatures.append((parts[1], blob[:4], blob[4:]))
    return Checkpoint(origin, int(size_s), root, text + "\n", tuple(signatures))


def signed_by(cp: Checkpoint, name: str, public: bytes) -> bool:
    kh = key_hash(name, public)
    for sig_name, sig_kh, sig in cp.signatures:
        if sig_name == name and sig_kh == kh:
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(sig, cp.body.encode())
            except InvalidSignature:
                continue
            return True
    return False


def check(note: str, origin: str, keys: Iterable[LogKey]) -> tuple[Checkpoint, LogKey]:
    """The checkpoint and the log key that signed it, or CheckpointError naming why not."""
    cp = parse(note)
    if cp.origin != origin:
        raise CheckpointError(WRONG_ORIGIN.format(origin=cp.origin))
    for k in keys:
        if signed_by(cp, origin, k.public):
            if k.retired_at is not None and cp.size > k.retired_at:
                raise CheckpointError(
                    RETIRED_KEY.format(kid=k.kid, retired=k.retired_at, size=cp.size)
                )
            return cp, k
    raise CheckpointError(NO_VALID_SIGNATURE)
