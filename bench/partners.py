"""The partner simulators in their own process, so the hub shares neither a process nor an
event loop with them.

`python -m wijkhub.bench.partners CONFIG_DIR` starts the four simulators, writes
CONFIG_DIR/partners.toml (their endpoints and secrets), prints one JSON line with the port of
a small control server, and runs until stdin closes or SIGTERM. Control (loopback only):
`POST /hub` {"urls": [...], "tokens": {pid: token}} tells the simulators where to answer
(status updates go round-robin over the hub processes); `POST /options` {pid: {"delay": s,
"answer": bool}}; `GET /counts` {pid: {"received": n, "answered": n}}.
"""

import asyncio
import itertools
import json
import os
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from wijkhub.hub.demo.run import PARTNERS, write_partners_toml
from wijkhub.hub.demo.simulator import PartnerSimulator
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.plugin_api.types import ReceivedRequest
from wijkhub.schemas.status import StatusUpdate


@dataclass
class BenchSimulator(PartnerSimulator):
    """A simulator that can answer the hub's POST after `delay` seconds and spreads its
    status updates over several hub processes."""

    delay: float = 0.0
    hub_urls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._next_hub: Iterator[str] | None = None

    def point_at(self, urls: list[str], token: str) -> None:
        self.hub_urls = urls
        self.hub_url = urls[0]
        self.token = token
        self._next_hub = itertools.cycle(urls)

    async def _handle(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super()._handle(request)

    async def send(
        self, update: StatusUpdate, request: ReceivedRequest | None = None
    ) -> tuple[int, str]:
        if self._next_hub is not None:
            self.hub_url = next(self._next_hub)  # read once, before send's first await
        return await super().send(update, request)


async def serve(config_dir: Path) -> None:
    registry = load_registry()
    sims: dict[str, BenchSimulator] = {}
    for pid, ptype, _name, path in PARTNERS:
        sim = BenchSimulator(registry.partner_types[ptype], pid, path=path)
        await sim.start()
        sims[pid] = sim
    write_partners_toml(config_dir / "partners.toml", sims)  # type: ignore[arg-type]

    async def hub(request: web.Request) -> web.Response:
        body = await request.json()
        for pid, sim in sims.items():
            sim.point_at(body["urls"], body["tokens"][pid])
        return web.json_response({"ok": True})

    async def options(request: web.Request) -> web.Response:
        for pid, opts in (await request.json()).items():
            sims[pid].delay = float(opts.get("delay", sims[pid].delay))
            sims[pid].answer = bool(opts.get("answer", sims[pid].answer))
        return web.json_response({"ok": True})

    async def counts(_: web.Request) -> web.Response:
        return web.json_response(
            {
                pid: {"received": len(s.received), "answered": len(s.answered)}
                for pid, s in sims.items()
            }
        )

    app = web.Application()
    app.router.add_post("/hub", hub)
    app.router.add_post("/options", options)
    app.router.add_get("/counts", counts)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"control": port}), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    # stdin closing (the bench went away) ends us too: no simulator outlives its bench.
    def on_stdin() -> None:
        if not os.read(sys.stdin.fileno(), 4096):
            stop.set()

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    await stop.wait()
    loop.remove_reader(sys.stdin.fileno())
    for s in sims.values():
        await s.close()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
