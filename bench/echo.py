"""A minimal aiohttp echo server for the raw POST limit: `python -m bench.echo` prints its
port on stdout and answers every POST with a small JSON body."""

import asyncio
import sys

from aiohttp import web


async def _handle(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"ok": True})


async def _main() -> None:
    app = web.Application()
    app.router.add_post("/echo", _handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(_main())
    except KeyboardInterrupt:
        sys.exit(0)
