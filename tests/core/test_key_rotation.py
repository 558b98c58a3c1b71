"""Key rotation: every value moves to the new key and still decrypts; the old key retires."""

import asyncio
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import LargeBinary

from tests.support.harness import Env
from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.core.crypto import KeyRing
from wijkhub.hub.core.key_rotation import SEALED, key_usage
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import SQLModel


def test_every_encrypted_column_is_known_to_rotation() -> None:
    binary = {
        (t.name, c.name)
        for t in SQLModel.metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, LargeBinary)
    }
    assert binary == {(s.table, s.column) for s in SEALED}


async def test_rotate_reencrypts_everything_and_retires_the_old_key(
    env: Env, tmp_path: Path
) -> None:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    advice = await env.answered(advice)
    consents = (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body
    await env.coach.post(f"/api/v1/consents/{consents[0]['id']}/withdraw", json={"reason": "x"})
    await env.deliver()
    advice = await env.advice(advice["id"])
    settings = env.hub.ctx.settings
    db = env.hub.ctx.db
    before = await key_usage(db)
    assert set(before) == {"k1"} and before["k1"] > 20

    config = tmp_path / "wijkhub.toml"
    config.write_text(
        f'data_dir = "{settings.data_dir}"\n'
        + (f'database_url = "{settings.database_url}"\n' if settings.database_url else "")
    )

    def cli(*args: str) -> "object":
        return CliRunner().invoke(
            main, ["--config", str(config), *args], env={"COLUMNS": "200"}, obj=cli_obj(env.clock)
        )

    retire_too_early = await asyncio.to_thread(cli, "keys", "retire", "k1")
    assert retire_too_early.exit_code == 2  # type: ignore[attr-defined]
    rotated = await asyncio.to_thread(cli, "keys", "rotate")
    assert rotated.exit_code == 0, rotated.output  # type: ignore[attr-defined]
    after = await key_usage(db)
    assert set(after) == {"k2"} and after["k2"] == before["k1"]

    # The running hub reads values under the key it was not started with...
    assert await env.advice(advice["id"]) == advice
    assert (await env.coach.get(f"/api/v1/clients/{client_id}/consents")).body[0][
        "withdrawal_reason"
    ] == "x"
    # ...and the old key can go.
    retired = await asyncio.to_thread(cli, "keys", "retire", "k1")
    assert retired.exit_code == 0, retired.output  # type: ignore[attr-defined]
    ring = KeyRing.load(settings.keyring_path)
    assert set(ring.keys) == {"k2"} and ring.active == "k2"
    assert await env.advice(advice["id"]) == advice
    status = await asyncio.to_thread(cli, "keys", "status")
    assert "k2" in status.output and "k1" not in status.output  # type: ignore[attr-defined]
