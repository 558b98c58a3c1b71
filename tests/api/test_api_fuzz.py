"""Schemathesis fuzzes the whole HTTP API against the OpenAPI document the hub serves:
no 5xx, and every response matches its declared schema, status code and content type.

It runs as a subprocess so the hub keeps serving on this test's event loop.
"""

import asyncio
import sys
from pathlib import Path

import pytest

from tests.support.harness import Env
from wijkhub.hub.demo import household

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = (
    "not_a_server_error,response_schema_conformance,status_code_conformance,"
    "content_type_conformance"
)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the API is the same on both
@pytest.mark.parametrize("role", ["coach", "privacy_officer", "admin"])
async def test_schemathesis_finds_no_server_error_or_schema_violation(
    env: Env, role: str, tmp_path: Path
) -> None:
    client = {"coach": env.coach, "privacy_officer": env.privacy, "admin": env.admin}[role]
    # Something to find: a client with consents and an advice that went out.
    client_id = await env.household()
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    proc = await asyncio.create_subprocess_exec(
        str(SCHEMATHESIS),
        "run",
        f"{env.hub.url}/api/v1/openapi.json",
        "-H",
        f"Authorization: {client.headers['Authorization']}",
        "--checks",
        CHECKS,
        "--max-examples",
        "15",
        "--seed",
        "20261122",
        "--generation-database",
        "none",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    out, _ = await proc.communicate()
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text[-4000:]
    assert " passed" in text and "generated" in text
