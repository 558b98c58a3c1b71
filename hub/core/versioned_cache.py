"""What a process keeps in memory of rows any process may change: consents, token look-ups.

Each cached value is stored with the version of its key (`cache_version`) read *before* the
rows it was built from. Database triggers give the key a new random version in the very
transaction of any change to those rows (migration 0016), so a value is used only after one
indexed read shows the version unchanged: a withdrawal or a revocation committed by any process
applies to the next request everywhere. A random version, not a counter: a transaction that
rolls back can never leave a version that a later change reuses.

The version is read in the same statement as the rows (one snapshot, also under READ
COMMITTED), or before them: rows newer than a version are then cached under the older one,
which no longer matches next time. Never after them.
"""

import weakref
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy import select

from wijkhub.hub.store.tables import CACHE_VERSION

V = TypeVar("V")

TOKEN_KEY = "token"
MISSING = 0  # no row yet: nothing changed since the table was made (a real version is random)


CONSENT_KEY_PREFIX = "consent:"


def consent_key(client_id: str) -> str:
    return CONSENT_KEY_PREFIX + client_id


async def versions(conn: Any, keys: Iterable[str]) -> dict[str, int]:
    """The current version of each key: one read on the primary key."""
    wanted = list(keys)
    rows = await conn.execute(
        select(CACHE_VERSION.c.key, CACHE_VERSION.c.version).where(CACHE_VERSION.c.key.in_(wanted))
    )
    found = {r.key: r.version for r in rows}
    return {k: found.get(k, MISSING) for k in wanted}


class VersionedCache(Generic[V]):
    """At most `size` values, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[int, V]] = OrderedDict()
        self.hits = self.misses = 0

    def has(self, key: str) -> bool:
        return key in self._items

    def get(self, key: str, version: int) -> V | None:
        hit = self._items.get(key)
        if hit is None or hit[0] != version:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return hit[1]

    def put(self, key: str, version: int, value: V) -> None:
        self._items[key] = (version, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


_caches: "weakref.WeakKeyDictionary[Any, dict[str, VersionedCache[Any]]]" = (
    weakref.WeakKeyDictionary()
)


def cache_for(conn: Any, name: str, size: int) -> VersionedCache[Any]:
    """The cache `name` of the database `conn` belongs to (one per engine, so two hubs in one
    process, as in the tests, keep their own)."""
    engine = conn.sync_connection.engine
    per_engine = _caches.setdefault(engine, {})
    if name not in per_engine:
        per_engine[name] = VersionedCache(size)
    return per_engine[name]
