"""The test harness: an API client and the running environment tests talk to."""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import aiohttp

from wijkhub.hub.core.clock import FakeClock, local_date
from wijkhub.hub.demo import household
from wijkhub.hub.demo.simulator import PartnerSimulator
from wijkhub.hub.path.delivery import DeliveryWorker
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.server.app import WORKER
from wijkhub.hub.server.runtime import RunningHub
from wijkhub.schemas.status import PartnerStatus, StatusUpdate


def status_body(
    partner_type: str,
    item_id: str,
    status: str,
    msg_id: str,
    *,
    reason: str | None = None,
    occurred_at: str = "2026-11-23T09:00:00+00:00",  # the FakeClock's start
    reason_code: str | None = None,
) -> bytes:
    """A status update in the partner type's own format, as its backoffice writes it."""
    backoffice = load_registry().partner_types[partner_type].backoffice
    assert backoffice is not None
    return backoffice.render_status(
        StatusUpdate(
            item_ref=uuid.UUID(item_id),
            status=PartnerStatus(status),
            partner_message_id=msg_id,
            occurred_at=occurred_at,
            reason=reason,
            # A rejection carries a reason code; "other" unless the test says.
            reason_code=reason_code or ("other" if status == "rejected" else None),
        )
    ).body


def corp_status(item_id: str, status: str, msg_id: str, reason: str | None = None) -> bytes:
    """A status update from the corporatie, in its own JSON format."""
    return status_body("corporatie", item_id, status, msg_id, reason=reason)


@dataclass
class Response:
    status: int
    body: Any


class ApiClient:
    def __init__(self, session: aiohttp.ClientSession, token: str | None) -> None:
        self.session = session
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        async with self.session.request(
            method, path, json=json, data=data, headers={**self.headers, **(headers or {})}
        ) as r:
            body = await r.json() if r.content_type == "application/json" else await r.read()
            return Response(r.status, body)

    async def get(self, path: str, **kw: Any) -> Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> Response:
        return await self.request("POST", path, **kw)


@dataclass
class Env:
    hub: RunningHub
    sims: dict[str, PartnerSimulator]
    clock: FakeClock
    coach: ApiClient
    privacy: ApiClient
    admin: ApiClient
    anonymous: ApiClient
    partner: dict[str, ApiClient]
    session: aiohttp.ClientSession

    @property
    def worker(self) -> DeliveryWorker:
        return self.hub.app[WORKER]

    @property
    def today(self) -> date:
        return local_date(self.clock.now())

    async def deliver(self, rounds: int = 10) -> None:
        """Run the worker until nothing is due (at the current fake time)."""
        for _ in range(rounds):
            if await self.worker.run_once() == 0:
                return

    async def household(self, with_consents: bool = True) -> str:
        r = await self.coach.post("/api/v1/clients", json=household.CLIENT)
        assert r.status == 201, r.body
        if with_consents:
            for c in household.consents(self.today):
                rc = await self.coach.post(f"/api/v1/clients/{r.body['id']}/consents", json=c)
                assert rc.status == 201, rc.body
        return r.body["id"]

    async def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        r = await self.coach.post("/api/v1/advices", json=body)
        assert r.status == 201, r.body
        return r.body

    async def advice(self, advice_id: str) -> dict[str, Any]:
        r = await self.coach.get(f"/api/v1/advices/{advice_id}")
        assert r.status == 200, r.body
        return r.body

    async def answered(self, advice: dict[str, Any]) -> dict[str, Any]:
        """Wait until every simulator has posted its whole script for the allowed items."""
        async with asyncio.timeout(10):
            for it in advice["items"]:
                if it["decision"]["allowed"]:
                    sim = self.sims[it["partner_id"]]
                    await sim.wait_for(lambda s, ref=it["id"]: ref in s.answered)
        return await self.advice(advice["id"])

    async def post_status(
        self,
        partner_id: str,
        body: bytes,
        *,
        path_partner: str | None = None,
        content_type: str = "application/json",
        signed: bool = True,
    ) -> Response:
        """POST a status update as `partner_id` would: its token, signed with its secret."""
        sim = self.sims.get(partner_id)
        headers = {"Content-Type": content_type}
        if signed and sim is not None:
            headers.update(sim.signed(body))
        return await self.partner[partner_id].post(
            f"/api/v1/partners/{path_partner or partner_id}/status", data=body, headers=headers
        )

    async def log(self, **filters: str) -> list[dict[str, Any]]:
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        r = await self.privacy.get(f"/api/v1/processing-log?{query}")
        assert r.status == 200, r.body
        return r.body
