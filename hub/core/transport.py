"""HTTP push to a partner's endpoint. The transport knows nothing of formats or policy."""

import time
from dataclasses import dataclass

import aiohttp

from wijkhub.hub.plugin_api.types import PartnerMessage

# 4xx answers that may succeed on a later try; every other 4xx means the message itself is
# wrong, so retrying would only hammer the partner.
RETRYABLE_4XX = frozenset({408, 425, 429})


@dataclass(frozen=True)
class SendResult:
    ok: bool
    retryable: bool
    http_status: int | None
    error: str | None
    response_excerpt: str | None
    duration_ms: float


class HttpPushTransport:
    def __init__(self, session: aiohttp.ClientSession, timeout: float) -> None:
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(
        self, endpoint: str, message: PartnerMessage, headers: dict[str, str]
    ) -> SendResult:
        start = time.perf_counter()
        try:
            async with self._session.post(
                endpoint,
                # A redirect would send personal data to an address nobody configured.
                allow_redirects=False,
                data=message.body,
                timeout=self._timeout,
                headers={"Content-Type": message.content_type, **headers},
            ) as resp:
                excerpt = (await resp.content.read(500)).decode("utf-8", "replace")
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            return SendResult(
                False,
                True,
                None,
                f"{type(exc).__name__}: {exc}"[:300],
                None,
                (time.perf_counter() - start) * 1000,
            )
        ms = (time.perf_counter() - start) * 1000
        # 409: the partner already holds this idempotency key, i.e. an earlier try arrived.
        if 200 <= status < 300 or status == 409:
            return SendResult(True, False, status, None, excerpt, ms)
        # 3xx: we never follow a redirect, and asking again gets the same one.
        retryable = status >= 500 or status in RETRYABLE_4XX
        return SendResult(False, retryable, status, f"HTTP {status}", excerpt, ms)
