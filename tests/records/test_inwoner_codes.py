"""One-time codes: two sign-ins racing with the same code get exactly one session; only a
keyed hash is stored; the code's alphabet has no look-alikes."""

import asyncio
import hashlib

import pytest
from sqlalchemy import select

from tests.support.harness import Env
from wijkhub.hub.records import inwoner_codes
from wijkhub.hub.store.tables import INWONER_CODE


async def test_a_code_used_twice_at_once_signs_in_once(env: Env) -> None:
    client_id = (await env.household()).replace("-", "")
    issued = await inwoner_codes.issue(env.hub.ctx, client_id, "coach/test")
    results = await asyncio.gather(
        *(inwoner_codes.redeem(env.hub.ctx, issued.code, f"10.0.0.{i}") for i in range(4)),
        return_exceptions=True,
    )
    assert results.count(client_id) == 1
    assert all(isinstance(r, inwoner_codes.CodeRefused) for r in results if r != client_id)


async def test_only_a_keyed_hash_is_stored(env: Env) -> None:
    client_id = (await env.household()).replace("-", "")
    issued = await inwoner_codes.issue(env.hub.ctx, client_id, "coach/test")
    plain = inwoner_codes.normalise(issued.code)
    assert len(plain) == inwoner_codes.LENGTH and set(plain) <= set(inwoner_codes.ALPHABET)
    assert not set("01OI") & set(inwoner_codes.ALPHABET)
    async with env.hub.ctx.db.read() as conn:
        stored = (await conn.execute(select(INWONER_CODE))).mappings().one()
    assert plain not in repr(dict(stored))
    assert stored["code_hash"] == inwoner_codes.code_hash(env.hub.ctx, issued.code)
    assert stored["code_hash"] != hashlib.sha256(plain.encode()).hexdigest()


@pytest.mark.parametrize("typed", ["", "x", "A" * 200, "ÄÖÜ-ÄÖÜ-ÄÖÜ-ÄÖÜ"])
async def test_malformed_input_is_a_refusal_not_an_error(env: Env, typed: str) -> None:
    with pytest.raises(inwoner_codes.CodeRefused):
        await inwoner_codes.redeem(env.hub.ctx, typed, "10.0.0.9")
