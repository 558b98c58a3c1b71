"""Shared fixtures: a real hub and four real partner simulators on loopback ports.

The worker loop is not started; tests drive it with `Env.deliver()` and move a FakeClock, so
backoff and expiry are exercised without waiting for time to pass.
"""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.harness import ApiClient, Env
from tests.support.pg import BACKENDS, PgServer, make_template, pg_server_or_skip, run_sync
from tests.support.web_client import env_sessions
from wijkhub.hub.core.clock import FakeClock
from wijkhub.hub.core.settings import WorkerSettings
from wijkhub.hub.demo.run import start_demo_hub
from wijkhub.hub.demo.simulator import PartnerSimulator

PULL_PARTNER = """[[partner]]
id = "ons-huis"
type = "corporatie"
name = "Ons Huis"
transport = "pull"
"""


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    """The PostgreSQL server with a migrated template database (once per session)."""
    server = pg_server_or_skip()
    make_template(server)
    try:
        yield server
    finally:
        assert server.template is not None
        run_sync(server.drop_db(server.template))


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str | None]:
    """Every test that uses the hub runs on SQLite and on PostgreSQL (a fresh database each).

    None means the hub's default: SQLite in the test's data directory.
    """
    if request.param == "sqlite":
        yield None
        return
    server: PgServer = request.getfixturevalue("pg")
    name = await server.create_db()
    try:
        yield server.url(name)
    finally:
        await server.drop_db(name)


@pytest.fixture
def simulator() -> type[PartnerSimulator]:
    """The partner simulator class; a test module may override it (e.g. ChaosSimulator)."""
    return PartnerSimulator


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    return {}


@pytest.fixture
def partner_settings() -> dict[str, dict[str, str]]:
    """Extra partners.toml settings per partner id; a test module may override it."""
    return {}


@pytest.fixture
def worker_settings() -> WorkerSettings:
    return WorkerSettings(
        max_attempts=4,
        backoff_initial=1.0,
        backoff_max=10.0,
        backoff_jitter=0.5,
        poll_interval=0.05,
    )


@pytest.fixture
async def env(
    tmp_path: Path,
    sim_options: dict[str, dict[str, Any]],
    worker_settings: WorkerSettings,
    db_url: str | None,
    simulator: type[PartnerSimulator],
    partner_settings: dict[str, dict[str, str]],
) -> AsyncIterator[Env]:
    clock = FakeClock()
    hub, sims = await start_demo_hub(
        tmp_path,
        sim_options=sim_options,
        partner_settings=partner_settings,
        extra_partners=PULL_PARTNER,
        clock=clock,
        run_worker=False,
        worker=worker_settings,
        database_url=db_url,
        simulator=simulator,
    )
    for sim in sims.values():
        sim.now = clock.now  # partners report times on the same (fake) clock as the hub
    session = aiohttp.ClientSession(base_url=hub.url)
    try:
        partner_tokens = {pid: sim.token for pid, sim in sims.items()}
        partner_tokens["ons-huis"] = await hub.token("partner:ons-huis", "test")
        yield Env(
            hub=hub,
            sims=sims,
            clock=clock,
            coach=ApiClient(session, await hub.token("coach", "test-coach", team="team-a")),
            privacy=ApiClient(session, await hub.token("privacy_officer", "test-fg")),
            admin=ApiClient(session, await hub.token("admin", "test-admin")),
            anonymous=ApiClient(session, None),
            partner={pid: ApiClient(session, tok) for pid, tok in partner_tokens.items()},
            session=session,
        )
    finally:
        await session.close()
        await hub.close()
        for sim in sims.values():
            await sim.close()


@pytest.fixture(autouse=True)
async def close_web_sessions() -> AsyncIterator[None]:
    """Every signed-in web client a test opened (tests/support/web_client.py) is closed."""
    yield
    while env_sessions:
        await env_sessions.pop().close()
