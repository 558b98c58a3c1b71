"""A partner simulator that misbehaves on purpose: errors, hangs, dropped connections.

Faults happen before the partner processes anything, so a request that failed was not
received: the tests can then demand "delivered or dead, never both". `ack_delay` delays the
answer after processing (a window in which a killed hub has sent but not recorded), and
`gate` holds every request until the test opens it (a partner that hangs, without timers).
"""

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from wijkhub.hub.demo.simulator import PartnerSimulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
FAULTS = ("error", "timeout", "drop")


@dataclass
class ChaosSimulator(PartnerSimulator):
    chaos: float = 0.0  # probability that a request meets one of `faults`
    faults: tuple[str, ...] = FAULTS
    hang_seconds: float = 2.0  # a "timeout" answers 503 after this long (beyond the hub's limit)
    ack_delay: float = 0.0
    gate: asyncio.Event | None = None
    seed: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    waiting: int = 0  # requests held at the gate right now

    def __post_init__(self) -> None:
        super().__post_init__()
        self._rng = random.Random(self.seed)

    def app(self) -> web.Application:
        app = super().app()
        app.middlewares.append(self._misbehave)
        return app

    @web.middleware
    async def _misbehave(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.gate is not None and not self.gate.is_set():
            self.waiting += 1
            self._notify()
            try:
                await self.gate.wait()
            finally:
                self.waiting -= 1
        if self.chaos and self._rng.random() < self.chaos:
            fault = self._rng.choice(self.faults)
            self.injected[fault] += 1
            self.requests += 1
            self._notify()
            if fault == "timeout":
                await asyncio.sleep(self.hang_seconds)
                return web.json_response({"fout": "te laat"}, status=503)
            if fault == "drop":
                assert request.transport is not None
                request.transport.abort()  # the connection dies without an answer
                return web.Response(status=500)  # never reaches the hub
            return web.json_response({"fout": "interne fout"}, status=500)
        response = await handler(request)
        if self.ack_delay:
            await asyncio.sleep(self.ack_delay)
        return response
