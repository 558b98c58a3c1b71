"""`wijkhub inwoner-code`: the letter (or text message) with a code that signs in once."""

import asyncio
from pathlib import Path

from tests.support.cli import cli_config, invoke
from tests.support.harness import Env
from tests.support.inwoner import post_code
from tests.support.web_client import WebClient


async def test_cli_prints_a_letter_whose_code_signs_in(env: Env, tmp_path: Path) -> None:
    client_id = await env.household()
    config = cli_config(env, tmp_path)
    res = await asyncio.to_thread(
        invoke, env, config, "inwoner-code", client_id, "--url", "https://hub.example"
    )
    assert res.exit_code == 0, res.output
    assert "Beste Fenna Maria Testervelde" in res.output
    assert "https://hub.example/inwoner/aanmelden" in res.output
    code = next(w for w in res.output.split() if w.count("-") == 2 and len(w) == 14)
    web = WebClient(env.hub.url)
    try:
        assert (await post_code(web, code)).status == 303
    finally:
        await web.close()
    sms = await asyncio.to_thread(
        invoke, env, config, "inwoner-code", client_id, "--sms", "--team", "team-b"
    )
    assert sms.exit_code != 0 and "niet gevonden" in sms.output
    bad = await asyncio.to_thread(invoke, env, config, "inwoner-code", "geen-id")
    assert bad.exit_code == 2
