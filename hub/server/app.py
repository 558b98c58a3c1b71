"""The aiohttp application: API, OpenAPI document, health, and the delivery worker."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from wijkhub.hub.api import ops as ops_http
from wijkhub.hub.api.kit import CTX, error_middleware, security_headers
from wijkhub.hub.api.routes import api, install_public
from wijkhub.hub.core import worker_id
from wijkhub.hub.core.context import HubContext
from wijkhub.hub.core.signatures import jwks
from wijkhub.hub.path.delivery import DeliveryWorker
from wijkhub.hub.server.jobs import periodic_jobs
from wijkhub.hub.web.app import install as install_web

MAX_BODY = 1024 * 1024
WORKER = web.AppKey("worker", DeliveryWorker)


def create_app(ctx: HubContext, *, run_worker: bool = True) -> web.Application:
    app = web.Application(
        middlewares=[security_headers, error_middleware], client_max_size=MAX_BODY
    )
    app[CTX] = ctx
    api.install(app)
    install_web(app)  # the Dutch web pages, sign-in and sessions (hub/web)
    spec = api.openapi()

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(spec)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    # Public on purpose: the contract and liveness reveal no data.
    app.router.add_get("/api/v1/openapi.json", openapi)
    app.router.add_get("/health", health)
    ops_http.install(app)  # /health/ready and /metrics

    async def public_keys(_: web.Request) -> web.Response:
        # Read per request: after a signing-key rotation partners see the new key at once.
        return web.json_response(jwks(ctx.keyring))

    app.router.add_get("/.well-known/wijkhub-keys.json", public_keys)
    install_public(app)  # the processing log's checkpoint and keys

    async def worker_ctx(app: web.Application) -> AsyncIterator[None]:
        # Stable across restarts, never shared by two live processes (see worker_id).
        identity = worker_id.claim(ctx.settings)
        try:
            async with aiohttp.ClientSession() as session:
                worker = DeliveryWorker(ctx, session, owner=identity.id)
                app[WORKER] = worker
                app[ops_http.METRICS] = worker.metrics
                ctx.on_new_deliveries = worker.kick
                task = asyncio.create_task(worker.run()) if run_worker else None
                yield
                worker.stop()
                if task:
                    # The worker finishes or releases what it holds (DeliveryWorker._drain).
                    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                        await asyncio.wait_for(task, ctx.settings.worker.shutdown_grace + 5)
        finally:
            identity.release()
        await ctx.db.dispose()

    app.cleanup_ctx.append(worker_ctx)
    app.cleanup_ctx.append(periodic_jobs(ctx, run_worker))  # consent expiry, retention
    return app
