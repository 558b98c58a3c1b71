"""Field encryption at rest (AES-GCM with a key id per value), keyed hashes for look-ups, and
the hub's Ed25519 signing keys.

The key ring lives outside the repository: a file (mode 0600) or the WIJKHUB_KEYRING
environment variable holding the same JSON. A value is stored as: 1 byte key-id length, key
id, 12-byte nonce, ciphertext+tag. The associated data binds a value to its table, column and
row, so a ciphertext copied into another row does not decrypt.

Rotation (`wijkhub keys rotate`) adds a key and makes it active; a running hub that meets a
value under a key id it does not know re-reads the key ring once, so rotation needs no restart.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ENV_VAR = "WIJKHUB_KEYRING"
LEGACY_BSN_KEY = ""  # the BSN hashes made with `lookup_key` before any rotation
BSN_HASH_SEP = "~"
REFRESH_SECONDS = 5.0


class KeyRingError(RuntimeError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class KeyRing:
    keys: dict[str, bytes]
    active: str
    lookup_key: bytes
    signing: dict[str, bytes] = field(default_factory=dict)  # kid -> Ed25519 private (raw)
    active_signing: str | None = None
    source: Path | None = None  # where it was loaded from, for reloads
    # The processing log's Ed25519 keys (checkpoints, hub/core/checkpoints.py), apart from
    # the message signing keys. A retired log key stays for verification, with the tree size
    # it was retired at: a checkpoint it signs for a larger tree is refused.
    log_keys: dict[str, bytes] = field(default_factory=dict)  # kid -> Ed25519 private (raw)
    active_log: str | None = None
    log_retired: dict[str, int] = field(default_factory=dict)  # kid -> tree size at retiring
    # The BSN look-up hashes' keys, apart from `lookup_key` (which also makes the partners'
    # pseudonyms, so it never rotates). Until the first `keys rotate-bsn` the BSN hashes are
    # under `lookup_key` itself, unprefixed (LEGACY_BSN_KEY); after it, "<kid>~<hex>" under
    # `active_bsn`. The previous keys stay until every stored hash is re-made under the
    # active one, so a look-up during the re-hash tries each of them.
    bsn_keys: dict[str, bytes] = field(default_factory=dict)
    active_bsn: str = LEGACY_BSN_KEY
    bsn_legacy: bool = True  # hashes under `lookup_key` may still be stored

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyRingError(f"active key {self.active!r} is not in the key ring")
        if self.active_signing is not None and self.active_signing not in self.signing:
            raise KeyRingError(f"active signing key {self.active_signing!r} is missing")
        if self.active_log is not None and self.active_log not in self.log_keys:
            raise KeyRingError(f"active log key {self.active_log!r} is missing")
        if self.active_bsn != LEGACY_BSN_KEY and self.active_bsn not in self.bsn_keys:
            raise KeyRingError(f"active BSN key {self.active_bsn!r} is missing")
        self._aead = {kid: AESGCM(key) for kid, key in self.keys.items()}
        self._lock = threading.Lock()
        self._next_check = time.monotonic() + REFRESH_SECONDS
        try:
            self._mtime = self.source.stat().st_mtime if self.source else 0.0
        except OSError:
            self._mtime = 0.0

    # -- creating, loading, saving -----------------------------------------------------------

    @classmethod
    def generate(cls) -> "KeyRing":
        ring = cls({"k1": AESGCM.generate_key(bit_length=256)}, "k1", secrets.token_bytes(32))
        ring.ensure_signing_key()
        ring.ensure_log_key()
        return ring

    @classmethod
    def from_json(cls, data: dict[str, Any], source: Path | None = None) -> "KeyRing":
        try:
            return cls(
                {k: base64.b64decode(v) for k, v in data["keys"].items()},
                data["active"],
                base64.b64decode(data["lookup_key"]),
                {k: base64.b64decode(v) for k, v in data.get("signing_keys", {}).items()},
                data.get("active_signing"),
                source,
                {k: base64.b64decode(v) for k, v in data.get("log_keys", {}).items()},
                data.get("active_log"),
                {k: int(v) for k, v in data.get("log_retired", {}).items()},
                {k: base64.b64decode(v) for k, v in data.get("bsn_keys", {}).items()},
                data.get("active_bsn", LEGACY_BSN_KEY),
                bool(data.get("bsn_legacy", True)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyRingError(f"key ring is malformed: {exc}") from exc

    @classmethod
    def load(cls, path: Path) -> "KeyRing":
        """From the WIJKHUB_KEYRING environment variable if set, else from `path`."""
        if os.environ.get(ENV_VAR):
            return cls.from_json(json.loads(os.environ[ENV_VAR]))
        try:
            return cls.from_json(json.loads(path.read_text()), path)
        except (OSError, ValueError) as exc:
            raise KeyRingError(f"cannot read key ring {path}: {exc}") from exc

    def to_json(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "keys": {k: _b64(v) for k, v in self.keys.items()},
            "lookup_key": _b64(self.lookup_key),
            "active_signing": self.active_signing,
            "signing_keys": {k: _b64(v) for k, v in self.signing.items()},
            "active_log": self.active_log,
            "log_keys": {k: _b64(v) for k, v in self.log_keys.items()},
            "log_retired": dict(self.log_retired),
            "bsn_keys": {k: _b64(v) for k, v in self.bsn_keys.items()},
            "active_bsn": self.active_bsn,
            "bsn_legacy": self.bsn_legacy,
        }

    def save(self, path: Path) -> None:
        """Write atomically with mode 0600: a crash never leaves half a key ring."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.to_json(), fh)
        os.replace(tmp, path)
        self.source = path
        self._mtime = path.stat().st_mtime

    # -- keys -------------------------------------------------------------------------------

    def _next_id(self, prefix: str, existing: dict[str, bytes]) -> str:
        n = 1 + max(
            (
                int(k[len(prefix) :])
                for k in existing
                if k.startswith(prefix) and k[len(prefix) :].isdigit()
            ),
            default=0,
        )
        return f"{prefix}{n}"

    def add_key(self) -> str:
        """A new data key, made active. Old keys stay until retired."""
        kid = self._next_id("k", self.keys)
        self.keys[kid] = AESGCM.generate_key(bit_length=256)
        self._aead[kid] = AESGCM(self.keys[kid])
        self.active = kid
        return kid

    def retire(self, kid: str) -> None:
        if kid == self.active:
            raise KeyRingError(f"{kid} is the active key; rotate first")
        self.keys.pop(kid)
        self._aead.pop(kid, None)

    def ensure_signing_key(self) -> bool:
        if self.active_signing:
            return False
        kid = self._next_id("s", self.signing)
        self.signing[kid] = Ed25519PrivateKey.generate().private_bytes_raw()
        self.active_signing = kid
        return True

    def rotate_signing(self) -> str:
        """A new signing key, made active. The previous keys stay in the JWK set, so a
        message signed just before still verifies; partners re-fetch on the new key id."""
        kid = self._next_id("s", self.signing)
        self.signing[kid] = Ed25519PrivateKey.generate().private_bytes_raw()
        self.active_signing = kid
        return kid

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        if not self.active_signing:
            raise KeyRingError("the key ring has no signing key; run `wijkhub init`")
        raw = self.signing[self.active_signing]
        return self.active_signing, Ed25519PrivateKey.from_private_bytes(raw)

    def ensure_log_key(self) -> bool:
        if self.active_log:
            return False
        kid = self._next_id("l", self.log_keys)
        self.log_keys[kid] = Ed25519PrivateKey.generate().private_bytes_raw()
        self.active_log = kid
        return True

    def rotate_log_key(self, tree_size: int) -> str:
        """A new active log key; the old one is retired at `tree_size` (the newest signed
        checkpoint's), kept only to verify what it signed before."""
        old = self.active_log
        kid = self._next_id("l", self.log_keys)
        self.log_keys[kid] = Ed25519PrivateKey.generate().private_bytes_raw()
        self.active_log = kid
        if old is not None:
            self.log_retired[old] = tree_size
        return kid

    def log_key(self) -> tuple[str, Ed25519PrivateKey]:
        if not self.active_log:
            raise KeyRingError("the key ring has no log key; run `wijkhub log rotate-key`")
        return self.active_log, Ed25519PrivateKey.from_private_bytes(self.log_keys[self.active_log])

    def public_log_keys(self) -> dict[str, bytes]:
        return {
            kid: Ed25519PrivateKey.from_private_bytes(raw)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
            for kid, raw in self.log_keys.items()
        }

    def public_signing_keys(self) -> dict[str, bytes]:
        return {
            kid: Ed25519PrivateKey.from_private_bytes(raw)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
            for kid, raw in self.signing.items()
        }

    # -- encryption -------------------------------------------------------------------------

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        self._maybe_refresh()
        kid = self.active.encode()
        nonce = os.urandom(12)
        sealed = self._aead[self.active].encrypt(nonce, plaintext, aad)
        return bytes([len(kid)]) + kid + nonce + sealed

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        return blob[1 : 1 + blob[0]].decode()

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 2 or len(blob) < 13 + blob[0] + 16:
            raise KeyRingError("not an encrypted value (empty or purged)")
        n = blob[0]
        kid = blob[1 : 1 + n].decode()
        nonce = blob[1 + n : 13 + n]
        aead = self._aead.get(kid) or self._reload_for(kid)
        return aead.decrypt(nonce, blob[13 + n :], aad)

    def _reload_for(self, kid: str) -> AESGCM:
        """A value under a key this process has not seen: the ring was rotated elsewhere."""
        with self._lock:
            if kid not in self._aead and self.source is not None:
                fresh = KeyRing.load(self.source)
                self.keys, self.active = fresh.keys, fresh.active
                self.signing, self.active_signing = fresh.signing, fresh.active_signing
                self._aead = {k: AESGCM(v) for k, v in self.keys.items()}
        if kid not in self._aead:
            raise KeyRingError(f"value encrypted under unknown key {kid!r}")
        return self._aead[kid]

    def _maybe_refresh(self) -> None:
        # A rotation elsewhere changes the file: look at its mtime at most every few
        # seconds, so new values go under the new key without a restart.
        if self.source is None or time.monotonic() < self._next_check:
            return
        self._next_check = time.monotonic() + REFRESH_SECONDS
        self.refresh_if_changed()

    def refresh_if_changed(self) -> None:
        """Re-read the file now if it changed (one stat): a BSN hash must be made and looked
        up with the keys of a rotation another process has just begun or ended."""
        if self.source is None:
            return
        try:
            mtime = self.source.stat().st_mtime
        except OSError:
            return
        if mtime != self._mtime:
            self._mtime = mtime
            self.refresh()

    def refresh(self) -> bool:
        """Re-read the key ring file if it changed (new active key after a rotation)."""
        if self.source is None:
            return False
        fresh = KeyRing.load(self.source)
        if (
            fresh.active == self.active
            and fresh.keys.keys() == self.keys.keys()
            and fresh.active_log == self.active_log
            and fresh.log_retired == self.log_retired
            and fresh.active_bsn == self.active_bsn
            and fresh.bsn_keys.keys() == self.bsn_keys.keys()
            and fresh.bsn_legacy == self.bsn_legacy
        ):
            return False
        with self._lock:
            self.keys, self.active = fresh.keys, fresh.active
            self.signing, self.active_signing = fresh.signing, fresh.active_signing
            self.log_keys, self.active_log = fresh.log_keys, fresh.active_log
            self.log_retired = fresh.log_retired
            self.bsn_keys, self.active_bsn = fresh.bsn_keys, fresh.active_bsn
            self.bsn_legacy = fresh.bsn_legacy
            self._aead = {k: AESGCM(v) for k, v in self.keys.items()}
        return True

    # -- keyed hashes -----------------------------------------------------------------------

    def lookup_hash(self, value: str) -> str:
        """HMAC-SHA256: look up by BSN without storing or comparing the plaintext."""
        return hmac.new(self.lookup_key, value.encode(), hashlib.sha256).hexdigest()

    def _bsn_hash_under(self, kid: str, bsn: str) -> str:
        if kid == LEGACY_BSN_KEY:
            return self.lookup_hash(bsn)
        digest = hmac.new(self.bsn_keys[kid], bsn.encode(), hashlib.sha256).hexdigest()
        return f"{kid}{BSN_HASH_SEP}{digest}"

    def bsn_hash(self, bsn: str) -> str:
        """The BSN's look-up hash under the active BSN key: what a new record stores."""
        return self._bsn_hash_under(self.active_bsn, bsn)

    def bsn_hashes(self, bsn: str) -> list[str]:
        """Every hash the BSN may be stored under: the active key's first, then those of the
        keys kept during a re-hash (`keys rotate-bsn`)."""
        kids = [self.active_bsn, *(k for k in self.bsn_keys_kept() if k != self.active_bsn)]
        return [self._bsn_hash_under(k, bsn) for k in kids]

    def bsn_keys_kept(self) -> list[str]:
        """The BSN keys whose hashes may still be stored: the active one and those before it
        (the legacy `lookup_key` until the first rotation has been completed)."""
        legacy = self.bsn_legacy or self.active_bsn == LEGACY_BSN_KEY
        return sorted(self.bsn_keys) + ([LEGACY_BSN_KEY] if legacy else [])

    @staticmethod
    def bsn_key_of(stored: str) -> str:
        """The BSN key id a stored hash was made with."""
        kid, sep, _ = stored.partition(BSN_HASH_SEP)
        return kid if sep else LEGACY_BSN_KEY

    def rotate_bsn(self) -> str:
        """A new BSN key, active at once; the previous ones stay until `retire_bsn_keys`."""
        kid = self._next_id("b", self.bsn_keys)
        self.bsn_keys[kid] = secrets.token_bytes(32)
        self.active_bsn = kid
        return kid

    def retire_bsn_keys(self) -> list[str]:
        """Drop every BSN key but the active one (once no stored hash is under them)."""
        gone = [k for k in self.bsn_keys_kept() if k != self.active_bsn]
        self.bsn_keys = {k: v for k, v in self.bsn_keys.items() if k == self.active_bsn}
        self.bsn_legacy = False
        return gone

    def subject_ref(self, client_id: str, partner_id: str) -> str:
        """Pseudonym per client and partner, so partners cannot join records on it."""
        msg = f"subject|{client_id}|{partner_id}".encode()
        return hmac.new(self.lookup_key, msg, hashlib.sha256).hexdigest()[:32]
