"""Field encryption at rest (AES-GCM with a key id per value) and keyed hashes for look-ups.

The key ring lives in a file outside the repository (mode 0600) and is referenced from the
settings. A value is stored as: 1 byte key-id length, key id, 12-byte nonce, ciphertext+tag.
The associated data binds a value to its table, column and row, so a ciphertext copied into
another row does not decrypt.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class KeyRingError(RuntimeError):
    pass


@dataclass
class KeyRing:
    keys: dict[str, bytes]
    active: str
    lookup_key: bytes

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyRingError(f"active key {self.active!r} is not in the key ring")
        self._aead = {kid: AESGCM(key) for kid, key in self.keys.items()}

    @classmethod
    def generate(cls) -> "KeyRing":
        return cls({"k1": AESGCM.generate_key(bit_length=256)}, "k1", secrets.token_bytes(32))

    @classmethod
    def load(cls, path: Path) -> "KeyRing":
        try:
            data = json.loads(path.read_text())
            return cls(
                {k: base64.b64decode(v) for k, v in data["keys"].items()},
                data["active"],
                base64.b64decode(data["lookup_key"]),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise KeyRingError(f"cannot read key ring {path}: {exc}") from exc

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "active": self.active,
            "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
            "lookup_key": base64.b64encode(self.lookup_key).decode(),
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        kid = self.active.encode()
        nonce = os.urandom(12)
        return (
            bytes([len(kid)]) + kid + nonce + self._aead[self.active].encrypt(nonce, plaintext, aad)
        )

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        n = blob[0]
        kid = blob[1 : 1 + n].decode()
        nonce = blob[1 + n : 13 + n]
        try:
            return self._aead[kid].decrypt(nonce, blob[13 + n :], aad)
        except KeyError:
            raise KeyRingError(f"value encrypted under unknown key {kid!r}") from None

    def lookup_hash(self, value: str) -> str:
        """HMAC-SHA256: look up by BSN without storing or comparing the plaintext."""
        return hmac.new(self.lookup_key, value.encode(), hashlib.sha256).hexdigest()

    def subject_ref(self, client_id: str, partner_id: str) -> str:
        """Pseudonym per client and partner, so partners cannot join records on it."""
        msg = f"subject|{client_id}|{partner_id}".encode()
        return hmac.new(self.lookup_key, msg, hashlib.sha256).hexdigest()[:32]
