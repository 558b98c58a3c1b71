"""Every table the `wijkhub` command prints fits an 80-column terminal, and nothing a person
needs is cut off: no "…", and the ids they copy into the next command are whole on one line."""

import asyncio
import re
from pathlib import Path

from click.testing import CliRunner, Result

from tests.support.cli import cli_config
from tests.support.harness import Env
from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.core.auth import list_tokens
from wijkhub.hub.demo import household
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.schemas.categories import DataCategory

TABLE_COMMANDS = [
    ("tokens", "list"),
    ("keys", "status"),
    ("deliveries", "policy"),
    ("deliveries", "dead"),
    ("consents", "list"),
    ("plugins",),
    ("escalations", "steering"),
    ("escalations", "notices", "--team", "team-a"),
]


def at_80(env: Env, config: Path, *args: str) -> Result:
    return CliRunner().invoke(
        main, ["--config", str(config), *args], env={"COLUMNS": "80"}, obj=cli_obj(env.clock)
    )


async def test_every_table_fits_80_columns_and_keeps_what_a_person_needs(
    env: Env, tmp_path: Path
) -> None:
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    config = cli_config(env, tmp_path)
    outputs = {}
    for args in TABLE_COMMANDS:
        result = await asyncio.to_thread(at_80, env, config, *args)
        assert result.exit_code == 0, (args, result.output)
        too_long = [line for line in result.output.splitlines() if len(line) > 80]
        assert too_long == [], (args, too_long)
        assert "…" not in result.output, (args, result.output)
        outputs[args[:2]] = result.output

    def whole(text: str, command: tuple[str, ...]) -> None:
        assert re.search(rf"(^|\s){re.escape(text)}(\s|$)", outputs[command], re.M), (
            text,
            outputs[command],
        )

    async with env.hub.ctx.db.read() as conn:
        tokens = await list_tokens(conn)
    assert len(tokens) > 3
    for t in tokens:
        whole(t["id"], ("tokens", "list"))
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    assert consents
    whole(client_id, ("consents", "list"))
    for c in consents:
        whole(c["id"], ("consents", "list"))
    for ptype in load_registry().partner_types.values():
        for atype in ptype.advice_types:
            assert f"({atype.name})" in outputs[("plugins",)], atype.name
    for code in DataCategory:  # the categories in Dutch, not their codes
        assert not re.search(rf"\b{code.value}\b", outputs[("plugins",)]), code
    whole("k1", ("keys", "status"))
