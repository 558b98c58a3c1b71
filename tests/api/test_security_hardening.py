"""Attacks from an outside test of the running hub, each written as a test before its fix.

Every test goes through the public interface (HTTP API, partner message) and failed on the
code before the fix it guards."""

from typing import Any

import pytest

from tests.support.harness import Env
from wijkhub.hub.demo import household

# Digits that are not ASCII but that `\d` in Python's re and int() accept.
UNICODE_BSNS = [
    "９９９９９００１９",  # full-width
    "٩٩٩٩٩٠٠١٩",  # Arabic-Indic
    "𝟗𝟗𝟗𝟗𝟗𝟎𝟎𝟏𝟗",  # mathematical bold
    "99999001９",  # one full-width digit at the end
]


def field_messages(body: dict[str, Any]) -> dict[str, str]:
    return {f["field"]: f["message"] for f in body["error"]["fields"]}


@pytest.mark.parametrize("bsn", UNICODE_BSNS)
async def test_a_bsn_in_unicode_digits_is_refused_naming_the_field(env: Env, bsn: str) -> None:
    r = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "bsn": bsn})
    assert r.status == 422, r.body
    message = field_messages(r.body)["bsn"]
    assert "BSN" in message and "cijfers" in message
    # The one ASCII registration still works: nothing was stored by the refused ones.
    assert (await env.coach.post("/api/v1/clients", json=household.CLIENT)).status == 201
