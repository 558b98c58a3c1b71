"""A form posted twice (double click, reload, a browser sending again after a time-out)
changes the data once: every creating form carries a one-time submit token."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.support.harness import Env
from tests.support.web_client import composer_form, signed_in, text_of
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import ADVICE, CONSENT, DELIVERY
from wijkhub.hub.web.submit_once import FIELD

TOKEN = re.compile(rf'name="{FIELD}" value="([A-Za-z0-9_-]+)"')


async def _count(env: Env, table: object) -> int:
    async with env.hub.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


async def test_the_composer_sent_twice_with_its_token_is_one_advice(env: Env) -> None:
    client_id = (await env.household()).replace("-", "")
    coach = await signed_in(env)
    await coach.get(f"/coach/clienten/{client_id}/advies")
    form = composer_form(env.today)
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/advies", [*form, ("actie", "voorbeeld")]
    )
    assert status == 200
    digest = re.search(r'name="voorbeeld_van" value="([0-9a-f]+)"', page)
    token = TOKEN.search(page)
    assert digest and token
    send = [
        *form,
        ("voorbeeld_van", digest.group(1)),
        (FIELD, token.group(1)),
        ("actie", "versturen"),
    ]
    s1, _, first = await coach.post(f"/coach/clienten/{client_id}/advies", send)
    s2, page, again = await coach.post(f"/coach/clienten/{client_id}/advies", send)
    assert (s1, s2) == (200, 200) and first.startswith("/coach/adviezen/")
    assert again == first, text_of(page)[-1000:]
    assert await _count(env, ADVICE) == 1
    await env.deliver()
    deliveries = await _count(env, DELIVERY)
    assert deliveries and sum(len(s.received) for s in env.sims.values()) == deliveries

    # A fresh page has a fresh token: a deliberate second advice is possible.
    status, page, _ = await coach.post(
        f"/coach/clienten/{client_id}/advies", [*form, ("actie", "voorbeeld")]
    )
    fresh = TOKEN.search(page)
    assert fresh and fresh.group(1) != token.group(1)


async def test_a_consent_form_posted_twice_is_one_consent_and_a_changed_one_is_refused(
    env: Env,
) -> None:
    client_id = (await env.household(with_consents=False)).replace("-", "")
    coach = await signed_in(env)
    _, page = await coach.get(f"/coach/clienten/{client_id}")
    token = TOKEN.search(page)
    assert token
    form = [
        ("partner_id", household.CORPORATIE),
        ("doelen", "betalingsregeling_huurachterstand"),
        ("categorieen", "identification"),
        ("categorieen", "housing"),
        ("geldig_vanaf", env.today.isoformat()),
        ("geldig_tot", (env.today + timedelta(days=90)).isoformat()),
        ("bewijs", "sha256:" + "cd" * 32),
        (FIELD, token.group(1)),
    ]
    for _ in range(2):
        status, _, path = await coach.post(f"/coach/clienten/{client_id}/toestemmingen", form)
        assert status == 200 and path == f"/coach/clienten/{client_id}"
    assert await _count(env, CONSENT) == 1
    changed = [(k, "sha256:" + "ef" * 32 if k == "bewijs" else v) for k, v in form]
    status, page, _ = await coach.post(f"/coach/clienten/{client_id}/toestemmingen", changed)
    assert status == 422 and "al eens verstuurd" in text_of(page)
    assert await _count(env, CONSENT) == 1
