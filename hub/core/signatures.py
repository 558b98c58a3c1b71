"""Message signatures between the hub and its partners.

Inbound (partner → hub): HMAC-SHA256 with a per-partner secret, in one header::

    X-Wijkhub-Signature: t=<unix seconds>,n=<nonce>,v1=<hex HMAC-SHA256(secret, "<t>.<n>." + body)>

The hub refuses a timestamp more than 5 minutes off its clock and a nonce it has seen in that
window (replay). Outbound (hub → partner): Ed25519, verifiable with the hub's public keys at
``/.well-known/wijkhub-keys.json`` (a JWK set, RFC 8037)::

    Content-Digest: sha-256=:<base64 SHA-256 of the body>:
    X-Wijkhub-Signature: keyid="<kid>",created=<unix seconds>,sig=:<base64 Ed25519 signature>:

over the signature base (UTF-8, lines joined by "\\n")::

    POST <request target: the raw path and query string exactly as sent>
    @authority: <host, and :port unless the scheme's default, lower case: the Host header>
    x-wijkhub-recipient: <the partner id the message is for>
    content-type: <Content-Type value>
    content-digest: <Content-Digest value>
    idempotency-key: <Idempotency-Key value>
    x-wijkhub-item: <X-Wijkhub-Item value>
    x-wijkhub-delivery: <X-Wijkhub-Delivery value>
    created: <created>

A header the hub did not send is an empty value. The recipient and the authority are in the
base so a message signed for one partner does not verify at another with the same path; a
partner checks that the recipient is its own id. Keys rotate with overlap: the JWK set lists
the current and the previous keys, and a partner that meets an unknown `keyid` fetches the set
again (once per message) instead of refusing.

See docs/security.md for partners' IT staff (with a test vector).
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from wijkhub.hub.core.crypto import KeyRing

WINDOW_SECONDS = 300
INBOUND_HEADER = "X-Wijkhub-Signature"
RECIPIENT_HEADER = "X-Wijkhub-Recipient"
# The headers in the outbound signature base, in order (after the path and the authority).
SIGNED_HEADERS = (
    RECIPIENT_HEADER,
    "Content-Type",
    "Content-Digest",
    "Idempotency-Key",
    "X-Wijkhub-Item",
    "X-Wijkhub-Delivery",
)
_INBOUND = re.compile(r"^t=(\d{1,12}),n=([A-Za-z0-9_-]{16,64}),v1=([0-9a-f]{64})$")
_OUTBOUND = re.compile(
    r'^keyid="([A-Za-z0-9._-]{1,64})",created=(\d{1,12}),sig=:([A-Za-z0-9+/=]+):$'
)


class SignatureError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- inbound: partner → hub ---------------------------------------------------------------


def sign_inbound(secret: bytes, body: bytes, timestamp: int, nonce: str) -> str:
    mac = hmac.new(secret, f"{timestamp}.{nonce}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},n={nonce},v1={mac.hexdigest()}"


def verify_inbound(secret: bytes, header: str | None, body: bytes, now: datetime) -> str:
    """Check an inbound signature; returns the nonce, which the caller stores to refuse
    replays. Raises SignatureError with a Dutch message that reveals no secret."""
    if not header:
        raise SignatureError("signature_missing", f"Header {INBOUND_HEADER} ontbreekt.")
    m = _INBOUND.match(header.strip())
    if not m:
        raise SignatureError(
            "signature_malformed", f"Header {INBOUND_HEADER} heeft niet de vorm t=…,n=…,v1=…."
        )
    ts, nonce, given = int(m.group(1)), m.group(2), m.group(3)
    if abs(now.timestamp() - ts) > WINDOW_SECONDS:
        raise SignatureError(
            "signature_expired", "Het tijdstip van de handtekening ligt meer dan 5 minuten af."
        )
    expected = hmac.new(secret, f"{ts}.{nonce}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise SignatureError("signature_invalid", "De handtekening klopt niet.")
    return nonce


# --- outbound: hub → partner --------------------------------------------------------------


@dataclass(frozen=True)
class OutboundSignature:
    content_digest: str
    signature: str

    def headers(self) -> dict[str, str]:
        return {"Content-Digest": self.content_digest, INBOUND_HEADER: self.signature}


def content_digest(body: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def signature_base(path: str, authority: str, headers: Mapping[str, str], created: int) -> bytes:
    """The lines signed (see the module's docstring); `headers` in any letter case."""
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    lines = [f"POST {path}", f"@authority: {authority.strip().lower()}"]
    lines += [f"{h.lower()}: {lower.get(h.lower(), '')}" for h in SIGNED_HEADERS]
    lines.append(f"created: {created}")
    return "\n".join(lines).encode()


def sign_outbound(
    keyring: KeyRing,
    path: str,
    authority: str,
    headers: Mapping[str, str],
    body: bytes,
    created: int,
) -> OutboundSignature:
    """Sign a message to a partner: `headers` are those sent (recipient, Content-Type, ...)."""
    digest = content_digest(body)
    kid, key = keyring.signing_key()
    sig = key.sign(signature_base(path, authority, {**headers, "Content-Digest": digest}, created))
    return OutboundSignature(
        digest, f'keyid="{kid}",created={created},sig=:{base64.b64encode(sig).decode()}:'
    )


def verify_outbound(
    public_keys: dict[str, Ed25519PublicKey],
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    *,
    recipient: str,
) -> None:
    """What a partner does with a hub message (the simulators use this): `recipient` is the
    partner's own id; the authority is the Host header the request arrived with."""
    lower = {k.lower(): v for k, v in headers.items()}
    digest = lower.get("content-digest", "")
    if digest != content_digest(body):
        raise SignatureError("digest_mismatch", "Content-Digest past niet bij de inhoud.")
    if lower.get(RECIPIENT_HEADER.lower(), "") != recipient:
        raise SignatureError("wrong_recipient", "Dit bericht is voor een andere partner.")
    m = _OUTBOUND.match(lower.get(INBOUND_HEADER.lower(), "").strip())
    if not m:
        raise SignatureError("signature_malformed", "Handtekening ontbreekt of is misvormd.")
    kid, created, sig = m.group(1), int(m.group(2)), base64.b64decode(m.group(3))
    if abs(now.timestamp() - created) > WINDOW_SECONDS:
        raise SignatureError("signature_expired", "Handtekening is verlopen.")
    key = public_keys.get(kid)
    if key is None:
        raise SignatureError("unknown_key", f"Onbekende sleutel {kid}.")
    base = signature_base(path, lower.get("host", ""), headers, created)
    try:
        key.verify(sig, base)
    except InvalidSignature:
        raise SignatureError("signature_invalid", "De handtekening klopt niet.") from None


def jwks(keyring: KeyRing) -> dict[str, list[dict[str, str]]]:
    """The hub's public signing keys (all of them, so a rotated key still verifies)."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "use": "sig",
                "kid": kid,
                "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
            }
            for kid, raw in keyring.public_signing_keys().items()
        ]
    }


def public_keys_from_jwks(data: dict[str, list[dict[str, str]]]) -> dict[str, Ed25519PublicKey]:
    out = {}
    for k in data.get("keys", []):
        if k.get("kty") == "OKP" and k.get("crv") == "Ed25519":
            raw = base64.urlsafe_b64decode(k["x"] + "=" * (-len(k["x"]) % 4))
            out[k["kid"]] = Ed25519PublicKey.from_public_bytes(raw)
    return out
