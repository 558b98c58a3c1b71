"""A partner backoffice double: a real aiohttp server that speaks one plugin's format.

It accepts the hub's requests (validating them as the partner would), acknowledges them,
drops repeats of an idempotency key, and then posts the plugin's scripted status updates
back to the hub in the partner's own format. It also reads the coach's consultation messages
(`received`, kind "consultation") and can consult the hub itself (`consult`). The demo and the
end-to-end tests use it.
"""

import asyncio
import contextlib
import logging
import secrets
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from wijkhub.hub.core.clock import SystemClock
from wijkhub.hub.core.signatures import (
    INBOUND_HEADER,
    SignatureError,
    public_keys_from_jwks,
    sign_inbound,
    verify_outbound,
)
from wijkhub.hub.plugin_api.types import PartnerType, PayloadError, ReceivedRequest
from wijkhub.schemas.consultation import PartnerConsultation
from wijkhub.schemas.status import (
    PARTNER_STATUS_LABELS_NL,
    PartnerStatus,
    RejectionReason,
    StatusUpdate,
)

log = logging.getLogger(__name__)

NEEDS_REASON = {PartnerStatus.rejected, PartnerStatus.partly_adopted}
# The hub's push transport names the item of every message in this header (path/delivery.py).
ITEM_HEADER = "X-Wijkhub-Item"


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    request: ReceivedRequest


@dataclass
class PartnerSimulator:
    partner_type: PartnerType
    partner_id: str
    path: str = "/berichten"
    fail_first: int = 0
    always_fail: bool = False
    lose_first_acks: int = 0  # process the message, then answer 500 as if the ack got lost
    answer: bool = True
    hub_url: str | None = None
    token: str | None = None
    secret: bytes | None = None  # signs our status updates (HMAC), as the hub requires
    verify_signatures: bool = True  # check the hub's Ed25519 signature on what we receive
    rejected_signatures: int = 0
    requests: int = 0
    received: list[Received] = field(default_factory=list)
    processed: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    answered: dict[str, PartnerStatus] = field(default_factory=dict)
    now: Callable[[], datetime] = SystemClock().now  # tests and the demo give the hub's clock

    def __post_init__(self) -> None:
        if self.partner_type.backoffice is None:
            raise ValueError(f"partner type {self.partner_type.name} has no backoffice side")
        self.backoffice = self.partner_type.backoffice
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._changed = asyncio.Event()
        self._hub_keys: dict[str, Ed25519PublicKey] = {}
        self.url = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(self.path, self._handle)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._session = aiohttp.ClientSession()
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sock = site._server.sockets[0]  # type: ignore[union-attr]
        self.url = f"http://{host}:{sock.getsockname()[1]}{self.path}"
        return self.url

    async def close(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await t
        if self._runner:
            await self._runner.cleanup()
        if self._session:
            await self._session.close()

    def signed(self, body: bytes) -> dict[str, str]:
        """The signature header for a status update we send (a fresh nonce every time)."""
        if self.secret is None:
            return {}
        ts = int(self.now().timestamp())
        return {INBOUND_HEADER: sign_inbound(self.secret, body, ts, secrets.token_hex(16))}

    @property
    def requests_by_kind(self) -> Counter[str]:
        return Counter(r.request.kind for r in self.received)

    async def wait_for(self, predicate: Callable[["PartnerSimulator"], bool]) -> None:
        """Wait (bound it with `asyncio.timeout`) until `predicate` holds."""
        while not predicate(self):
            self._changed.clear()
            await self._changed.wait()

    def _notify(self) -> None:
        self._changed.set()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        self._notify()
        if self.always_fail or self.requests <= self.fail_first:
            return web.json_response({"fout": "tijdelijk niet beschikbaar"}, status=503)
        body = await request.read()
        if self.verify_signatures:
            try:
                await self._verify(request, body)
            except SignatureError as exc:
                self.rejected_signatures += 1
                self._notify()
                return web.json_response({"fout": exc.message}, status=401)
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            return web.json_response({"fout": "Idempotency-Key ontbreekt"}, status=400)
        if key in self.processed:
            # Same message again (e.g. our earlier answer was lost): acknowledge, do nothing.
            self.duplicates += 1
            return web.json_response({"status": "al ontvangen"}, status=200)
        try:
            parsed = self.backoffice.read_request(body, request.content_type)
            if parsed.item_ref is None:
                # The format names no hub reference (an iWmo toewijzing): the transport does.
                parsed = replace(parsed, item_ref=uuid.UUID(request.headers[ITEM_HEADER]))
        except (PayloadError, KeyError, ValueError) as exc:
            return web.json_response({"fout": str(exc)}, status=400)
        self.processed[key] += 1
        self.received.append(Received(body, dict(request.headers), parsed))
        self._notify()
        if parsed.kind == "advice" and self.answer:
            task = asyncio.create_task(self._answer(parsed))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if self.lose_first_acks > 0:
            self.lose_first_acks -= 1
            return web.json_response({"fout": "verbinding verbroken"}, status=500)
        return web.json_response(
            {"status": "ontvangen", "referentie": str(parsed.item_ref)}, status=200
        )

    async def _verify(self, request: web.Request, body: bytes) -> None:
        """As a partner would: the hub's public keys come from its well-known endpoint."""
        headers = dict(request.headers)
        if not self._hub_keys:
            await self._fetch_keys()
        try:
            verify_outbound(
                self._hub_keys,
                request.raw_path,
                headers,
                body,
                self.now(),
                recipient=self.partner_id,
            )
        except SignatureError as exc:
            if exc.code != "unknown_key":
                raise
            # The hub rotated its key: fetch the key set again (once), as partners are told to.
            await self._fetch_keys()
            verify_outbound(
                self._hub_keys,
                request.raw_path,
                headers,
                body,
                self.now(),
                recipient=self.partner_id,
            )

    async def _fetch_keys(self) -> None:
        if self.hub_url and self._session is not None:
            async with self._session.get(f"{self.hub_url}/.well-known/wijkhub-keys.json") as r:
                self._hub_keys = public_keys_from_jwks(await r.json())

    async def _answer(self, req: ReceivedRequest) -> None:
        if not self.hub_url or not self.token or self._session is None:
            return
        base = self.now()
        for i, status in enumerate(self.backoffice.script):
            update = StatusUpdate(
                item_ref=req.item_ref,
                status=status,
                occurred_at=base + timedelta(milliseconds=i),
                partner_message_id=f"{self.partner_id}-{req.item_ref.hex[:12]}-{i}",
                reason=f"Gesimuleerde toelichting bij '{PARTNER_STATUS_LABELS_NL[status]}'"
                if status in NEEDS_REASON
                else None,
                reason_code=RejectionReason.other if status is PartnerStatus.rejected else None,
            )
            code, text = await self.send(update, req)
            if code >= 300:
                log.error("hub refused status %s: %s", status, text)
                return
        self.answered[str(req.item_ref)] = self.backoffice.script[-1]
        self._notify()

    async def send(
        self, update: StatusUpdate, request: ReceivedRequest | None = None
    ) -> tuple[int, str]:
        """Post one status update to the hub in our format, signed; the hub's answer.
        `request` is the hub message it answers, for formats whose answers repeat it."""
        assert self.hub_url and self.token and self._session is not None
        reply = self.backoffice.render_reply
        msg = (
            reply(request, update)
            if reply is not None and request is not None
            else self.backoffice.render_status(update)
        )
        url = f"{self.hub_url}/api/v1/partners/{self.partner_id}/status"
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(5),
            wait=wait_fixed(0.2),
            retry=retry_if_exception_type(OSError),
            reraise=True,
        ):
            with attempt:
                async with self._session.post(
                    url,
                    data=msg.body,
                    headers={
                        "Authorization": f"Bearer {self.token}",
                        "Content-Type": msg.content_type,
                        **self.signed(msg.body),
                    },
                ) as resp:
                    if resp.status >= 500:
                        raise OSError(f"hub answered {resp.status}")
                    return resp.status, await resp.text()
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    async def consult(
        self,
        item_ref: str,
        consultation: PartnerConsultation,
        *,
        message_id: str,
        status: PartnerStatus = PartnerStatus.in_consultation,
    ) -> tuple[int, str]:
        """Ask, answer or propose something on an item, as the partner's backoffice would."""
        return await self.send(
            StatusUpdate(
                item_ref=item_ref,  # type: ignore[arg-type]
                status=status,
                occurred_at=self.now(),
                partner_message_id=message_id,
                consultation=consultation,
            )
        )

    @property
    def consultations(self) -> list[ReceivedRequest]:
        return [r.request for r in self.received if r.request.kind == "consultation"]
