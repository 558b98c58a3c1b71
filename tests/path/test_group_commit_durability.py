"""Group commit must not change what is durable when: a `wijkhub serve` process takes a
stream of partner status updates, many at once (so its group commit holds several in one
transaction), and is killed with SIGKILL in the middle. Every update it answered with
success is in the database afterwards; what it had not answered may be missing, never the
other way round."""

import asyncio
import re
import signal
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from tests.support.harness import status_body
from tests.support.outside import REAL_CLOCK
from tests.support.scale import processes, wait_until, write_config
from wijkhub.hub.demo import household
from wijkhub.hub.demo.run import start_demo_hub
from wijkhub.hub.store.tables import STATUS

UPDATES = 400
IN_FLIGHT = 40  # concurrent senders: the server has this many messages open at once
KILL_AFTER = 80  # answered updates before the kill


async def test_nothing_answered_is_lost_when_the_process_is_killed(
    tmp_path: Path, db_url: str | None
) -> None:
    hub, sims = await start_demo_hub(tmp_path, run_worker=False, database_url=db_url)
    try:
        client_id = await _household(hub.url, await hub.token("coach", "c", team="team-a"))
        advice = await _advice(hub.url, await hub.token("coach", "c", team="team-a"), client_id)
        corp = household.CORPORATIE
        items = [i["id"] for i in advice["items"] if i["partner_id"] == corp]
        assert items and all(
            i["decision"]["allowed"] for i in advice["items"] if i["partner_id"] == corp
        )
        sim = sims[corp]
        config = write_config(tmp_path, hub.ctx.settings.db_url)
        answered: set[str] = set()
        sent: set[str] = set()
        with processes(config) as ps:
            proc = ps.start("serve", "--port", "0", "--no-worker")
            url = await _url_of(config.parent / "proc-0.log")
            queue: asyncio.Queue[str] = asyncio.Queue()
            for _ in range(UPDATES):
                queue.put_nowait(f"dur-{uuid.uuid4().hex[:12]}")
            killed = asyncio.Event()

            async def sender(session: aiohttp.ClientSession) -> None:
                while not killed.is_set() and not queue.empty():
                    msg = queue.get_nowait()
                    body = status_body(
                        "corporatie",
                        items[len(sent) % len(items)],
                        "received",
                        msg,
                        occurred_at=REAL_CLOCK.now().isoformat(),
                    )
                    sent.add(msg)
                    try:
                        async with session.post(
                            f"/api/v1/partners/{corp}/status",
                            data=body,
                            headers={
                                "Authorization": f"Bearer {sim.token}",
                                "Content-Type": "application/json",
                                **sim.signed(body),
                            },
                        ) as r:
                            await r.read()
                            if r.status in (200, 201, 202):
                                answered.add(msg)
                                if len(answered) == KILL_AFTER:
                                    # At once, from here: the batches after this answer are
                                    # still open in the server.
                                    proc.send_signal(signal.SIGKILL)
                                    killed.set()
                            else:
                                raise AssertionError(f"{r.status}: {await r.text()}")
                    except aiohttp.ClientError:
                        return  # the process is gone

            async with aiohttp.ClientSession(base_url=url) as session:
                await asyncio.gather(*(sender(session) for _ in range(IN_FLIGHT)))
            proc.wait()
        assert killed.is_set(), f"only {len(answered)} answered"
        assert proc.returncode == -signal.SIGKILL
        async with hub.ctx.db.read() as conn:
            stored = set(
                (
                    await conn.execute(
                        select(STATUS.c.partner_message_id).where(
                            STATUS.c.partner_message_id.like("dur-%")
                        )
                    )
                ).scalars()
            )
        assert answered, "nothing was answered before the kill"
        assert len(sent) > len(answered)  # the kill came with messages still open
        assert answered - stored == set(), "answered, then lost"
        assert stored <= sent
    finally:
        await hub.close()
        for s in sims.values():
            await s.close()


async def _url_of(log: Path) -> str:
    found: list[str] = []

    async def listening() -> bool:
        text = await asyncio.to_thread(lambda: log.read_text() if log.exists() else "")
        m = re.search(r"http://127\.0\.0\.1:\d+", text)
        if m:
            found.append(m.group(0))
        return bool(m)

    await wait_until(listening, 60, "the hub process to listen", poll=0.05)
    return found[0]


async def _household(url: str, token: str) -> str:
    async with aiohttp.ClientSession(base_url=url) as s:
        head = {"Authorization": f"Bearer {token}"}
        async with s.post("/api/v1/clients", json=household.CLIENT, headers=head) as r:
            assert r.status == 201, await r.text()
            client_id: str = (await r.json())["id"]
        today = REAL_CLOCK.now().date()
        for c in household.consents(today):
            async with s.post(f"/api/v1/clients/{client_id}/consents", json=c, headers=head) as r:
                assert r.status == 201, await r.text()
        return client_id


async def _advice(url: str, token: str, client_id: str) -> dict[str, Any]:
    async with aiohttp.ClientSession(base_url=url) as s:
        body = household.advice(client_id, REAL_CLOCK.now().date())
        head = {"Authorization": f"Bearer {token}"}
        async with s.post("/api/v1/advices", json=body, headers=head) as r:
            assert r.status == 201, await r.text()
            advice: dict[str, Any] = await r.json()
            return advice
