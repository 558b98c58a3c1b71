"""Operations endpoints: readiness and Prometheus metrics (outside /api/v1).

| path            | who                     | what                                             |
|-----------------|-------------------------|--------------------------------------------------|
| `/health`       | public                  | liveness: the process answers (in app.py)        |
| `/health/ready` | public                  | the database answers, its schema is at head, and |
|                 |                         | it commits a write (one probe row)               |
| `/metrics`      | admin token, or public  | Prometheus text; public with `metrics_public`    |

None of them shows personal data: the metrics carry partner ids, statuses, reason codes,
counts and durations only. `wijkhub worker --metrics-port` serves the same three paths.
"""

import asyncio
import functools

from aiohttp import web
from alembic.script import ScriptDirectory
from sqlalchemy import text

from wijkhub.hub.core import auth
from wijkhub.hub.core.context import CTX
from wijkhub.hub.core.db import RETRY_AFTER_SECONDS, alembic_config
from wijkhub.hub.core.metrics import CONTENT_TYPE, WorkerMetrics, render

READY_TIMEOUT = 3.0
METRICS = web.AppKey("worker_metrics", WorkerMetrics)


@functools.cache
def schema_head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def ready(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    try:
        async with asyncio.timeout(READY_TIMEOUT), ctx.db.read() as conn:
            await conn.execute(text("SELECT 1"))
            revision = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception as exc:
        return web.json_response(
            {"status": "unavailable", "database": type(exc).__name__},
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    head = schema_head()
    if revision != head:
        # Started before `wijkhub db upgrade` ran (or an older binary on a newer schema).
        return web.json_response(
            {"status": "unavailable", "database": "ok", "schema": revision, "expected": head},
            status=503,
        )
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            await ctx.db.write_probe(ctx.clock.now())
    except Exception as exc:
        # Reads work but writes do not: disk full, read only, locked. Not ready for traffic.
        return web.json_response(
            {"status": "unavailable", "database": "ok", "write": type(exc).__name__},
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return web.json_response({"status": "ok", "database": "ok", "write": "ok", "schema": revision})


async def metrics(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    if not ctx.settings.metrics_public:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        who = None
        if scheme.lower() == "bearer" and token:
            async with ctx.db.read() as conn:
                who = await auth.authenticate(conn, token.strip(), ctx.clock.now())
        if who is None:
            return web.json_response(
                {"error": {"code": "unauthenticated", "message": "Bearer-token ontbreekt."}},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if who.role != "admin":
            return web.json_response(
                {"error": {"code": "forbidden", "message": "Alleen voor beheerders."}}, status=403
            )
    body = await render(ctx, request.app.get(METRICS))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def install(app: web.Application) -> None:
    app.router.add_get("/health/ready", ready)
    app.router.add_get("/metrics", metrics)
