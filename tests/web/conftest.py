"""Every signed-in web client a test opened is closed after it."""

from collections.abc import AsyncIterator

import pytest

from tests.support.web_client import env_sessions


@pytest.fixture(autouse=True)
async def close_web_sessions() -> AsyncIterator[None]:
    yield
    while env_sessions:
        await env_sessions.pop().close()
