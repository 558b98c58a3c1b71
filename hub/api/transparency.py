"""The processing log's public face: the newest signed checkpoint and the log's public keys,
at well-known URLs outside /api/v1 (listed in hub/api/routes.py).

Public on purpose: a checkpoint names only the log, a tree size and a root hash; the keys are
what partners and witnesses verify with. Anyone may fetch and keep checkpoints; the more
copies exist outside the hub, the less a rewritten database can hide.
"""

from aiohttp import web

from wijkhub.hub.core import checkpoints
from wijkhub.hub.core.context import CTX
from wijkhub.hub.core.sequencer import log_keys, newest_checkpoint

NO_CHECKPOINT_YET = "Er is nog geen ondertekende checkpoint."
CACHE = "no-cache"  # always the newest; intermediaries may keep it but must ask again


async def checkpoint(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    async with ctx.db.read() as conn:
        note = await newest_checkpoint(conn)
    if note is None:
        return web.json_response(
            {"error": {"code": "not_found", "message": NO_CHECKPOINT_YET}}, status=404
        )
    return web.Response(
        text=note, content_type="text/plain", charset="utf-8", headers={"Cache-Control": CACHE}
    )


async def keys(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    ctx.keyring.refresh()  # after `wijkhub log rotate-key` in another process
    origin = ctx.settings.log_origin
    return web.json_response(
        {
            "origin": origin,
            "keys": [
                {
                    "id": k.kid,
                    "vkey": checkpoints.vkey(origin, k.public),
                    "status": "active" if k.retired_at is None else "retired",
                    "retired_at_size": k.retired_at,
                }
                for k in log_keys(ctx.keyring)
            ],
        },
        headers={"Cache-Control": CACHE},
    )
