"""Ids a partner gives the hub (its own message ids): checked, and kept in the log only as a
keyed hash.

The processing log is never purged, and a partner controls what it puts in its own ids: a BSN,
a name or a street would stay there for good. So an id must look like an id
(`[A-Za-z0-9._-]{1,64}`), and the log holds an HMAC of it under the key ring's look-up key
(outside the database): the privacy officer can still match a partner's id to its entry by
hashing the id the partner names, but the log never shows it.
"""

import re

from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.errors import FieldError, invalid

PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
MESSAGE_NL = (
    "het berichtkenmerk van de partner mag alleen letters, cijfers, punt, streepje en "
    "liggend streepje bevatten (1 tot 64 tekens)"
)
PREFIX = "pid:"  # a hashed partner id in the log, recognisable as such


def check(values: dict[str, str]) -> None:
    """422 naming each field whose id does not look like an id (nothing stored before)."""
    bad = [FieldError(name, MESSAGE_NL) for name, v in values.items() if not PATTERN.fullmatch(v)]
    if bad:
        raise invalid(bad)


def log_ref(keyring: KeyRing, partner_id: str, value: str) -> str:
    """The id as the log keeps it: keyed, and per partner (two partners' equal ids differ)."""
    return PREFIX + keyring.lookup_hash(f"partner-id|{partner_id}|{value}")[:32]
