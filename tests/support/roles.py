"""API clients for the team's roles, and the four-eyes configuration switched on."""

import shutil

from tests.support.harness import ApiClient, Env
from wijkhub.hub.core.settings import example_config_dir


def enable_approvals(env: Env) -> None:
    """The example approval.toml: items of some advice types need a second pair of eyes."""
    shutil.copy(example_config_dir() / "approval.toml", env.hub.ctx.settings.config_path)


async def role_client(env: Env, role: str, team: str = "team-a") -> ApiClient:
    return ApiClient(env.session, await env.hub.token(role, f"test-{role}-{team}", team=team))


async def team_leader(env: Env, team: str = "team-a") -> ApiClient:
    return await role_client(env, "team_leader", team)
