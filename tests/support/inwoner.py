"""The inwoner's side in tests: a code a coach made, and a browser-like client signed in with
it (through the sign-in form, with its pre-session CSRF field)."""

import re

from tests.support.harness import Env
from tests.support.web_client import CSRF_FIELD, Hop, WebClient
from wijkhub.hub.records import inwoner_codes

SIGNIN = "/inwoner/aanmelden"


async def code_for(env: Env, client_id: str, team: str | None = "team-a") -> str:
    issued = await inwoner_codes.issue(
        env.hub.ctx, client_id.replace("-", ""), "coach/test", team=team
    )
    return issued.code


async def post_code(client: WebClient, code: str) -> Hop:
    form = await client.get(SIGNIN)
    m = CSRF_FIELD.search(form.text)
    assert m, form.text[:500]
    return await client.post(SIGNIN, data={"code": code, "csrf_token": m.group(1)})


async def signed_in_inwoner(env: Env, client_id: str) -> WebClient:
    """A client signed in as the inwoner `client_id` (the caller closes it)."""
    client = WebClient(env.hub.url)
    hop = await post_code(client, await code_for(env, client_id))
    assert hop.status == 303 and hop.location == env.hub.url + "/inwoner", hop.text[:300]
    return client


def page_csrf(text: str) -> str:
    m = CSRF_FIELD.search(text)
    assert m, text[:500]
    return m.group(1)


def hexid(client_id: str) -> str:
    return client_id.replace("-", "")


CODE_ON_PAGE = re.compile(r"data-code>([A-Z2-9-]{14})<")
