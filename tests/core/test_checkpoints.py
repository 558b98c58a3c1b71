"""The checkpoint format (C2SP tlog-checkpoint / signed-note) and its key rules."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wijkhub.hub.core.checkpoints import (
    DASH,
    CheckpointError,
    LogKey,
    check,
    key_hash,
    parse,
    parse_vkey,
    public_bytes,
    sign,
    vkey,
)

ORIGIN = "wijkhub/0153/verwerkingenlog"
ROOT = bytes(range(32))


def test_signed_note_layout_and_round_trip() -> None:
    key = Ed25519PrivateKey.generate()
    note = sign(ORIGIN, 42, ROOT, key)
    lines = note.split("\n")
    assert lines[:4] == [ORIGIN, "42", base64.b64encode(ROOT).decode(), ""]
    assert lines[4].startswith(f"{DASH} {ORIGIN} ") and note.endswith("\n")
    blob = base64.b64decode(lines[4].split(" ")[2])
    assert blob[:4] == key_hash(ORIGIN, public_bytes(key)) and len(blob) == 68
    cp, k = check(note, ORIGIN, [LogKey("l1", public_bytes(key))])
    assert (cp.origin, cp.size, cp.root, k.kid) == (ORIGIN, 42, ROOT, "l1")
    assert parse_vkey(vkey(ORIGIN, public_bytes(key))) == (ORIGIN, public_bytes(key))


def test_changed_text_other_origin_and_retired_key_are_refused() -> None:
    key = Ed25519PrivateKey.generate()
    keys = [LogKey("l1", public_bytes(key))]
    note = sign(ORIGIN, 42, ROOT, key)
    with pytest.raises(CheckpointError, match="handtekening klopt niet"):
        check(note.replace("\n42\n", "\n43\n"), ORIGIN, keys)
    with pytest.raises(CheckpointError, match="andere log"):
        check(sign("elders/log", 42, ROOT, key), ORIGIN, keys)
    retired = [LogKey("l1", public_bytes(key), retired_at=42)]
    assert check(note, ORIGIN, retired)[0].size == 42  # signed before it was retired
    with pytest.raises(CheckpointError, match="ingetrokken sleutel l1"):
        check(sign(ORIGIN, 43, ROOT, key), ORIGIN, retired)


@pytest.mark.parametrize(
    "text",
    ["", "x\n1\n", "x\n01\nAAAA\n\n", f"x\n1\n{base64.b64encode(ROOT).decode()}\n\nnope\n"],
)
def test_garbage_is_named_not_a_crash(text: str) -> None:
    with pytest.raises(CheckpointError, match="geen geldige checkpoint"):
        parse(text)


def test_bad_verifier_keys() -> None:
    pub = public_bytes(Ed25519PrivateKey.generate())
    good = vkey(ORIGIN, pub)
    name, khash, b64 = good.split("+", 2)
    for bad in (
        "",
        "a+b",
        f"{name}+00000000+{b64}",
        f"{name}+{khash}+AAAA",
        f"other+{khash}+{b64}",
    ):
        with pytest.raises(CheckpointError, match="geen geldige publieke sleutel"):
            parse_vkey(bad)
