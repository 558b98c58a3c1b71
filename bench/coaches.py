"""The coach clients in their own process: the load never shares the hub's event loop.

`python -m wijkhub.bench.coaches` prints "ready", then reads one JSON job per line from stdin
({"urls": [...], "tokens": [...], "body": {...}, "advices": n}) and answers each with one JSON
line {"latencies": [ms, ...], "failed": n}: `advices` submissions spread over one keep-alive
client per token, all at once (coach i talks to urls[i % len(urls)]).
"""

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp


async def submit_load(job: dict[str, Any]) -> dict[str, Any]:
    tokens: list[str] = job["tokens"]
    urls: list[str] = job["urls"]
    advices: int = job["advices"]
    latencies: list[float] = []
    failed = 0
    per = [advices // len(tokens) + (i < advices % len(tokens)) for i in range(len(tokens))]

    async def coach(i: int, n: int) -> None:
        nonlocal failed
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        async with aiohttp.ClientSession(base_url=urls[i % len(urls)], headers=headers) as http:
            for _ in range(n):
                t0 = time.perf_counter()
                async with http.post("/api/v1/advices", json=job["body"]) as r:
                    await r.read()
                    if r.status != 201:
                        failed += 1
                        continue
                latencies.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(coach(i, n) for i, n in enumerate(per) if n))
    return {"latencies": latencies, "failed": failed}


async def main() -> None:
    print("ready", flush=True)
    while line := await asyncio.to_thread(sys.stdin.readline):
        print(json.dumps(await submit_load(json.loads(line))), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
