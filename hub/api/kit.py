"""One declaration per endpoint gives routing, role checks, body validation and OpenAPI.

Keeping the three together means the served OpenAPI document cannot drift from what the
handlers actually enforce.
"""

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.json_schema import models_json_schema

from wijkhub.hub.core import read_log
from wijkhub.hub.core.access_log import anonymous, refused, require_role
from wijkhub.hub.core.auth import Principal, authenticate, team_scope
from wijkhub.hub.core.conflicts import retry_on_conflict
from wijkhub.hub.core.context import CTX, HubContext
from wijkhub.hub.core.db import MSG_STORAGE_UNAVAILABLE, RETRY_AFTER_SECONDS, storage_fault
from wijkhub.hub.core.errors import ApiError, validation_error
from wijkhub.hub.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from wijkhub.hub.core.idempotency import REPLAY_HEADER, Answer, fingerprint, once, valid_key

log = logging.getLogger(__name__)


@dataclass
class Call:
    ctx: HubContext
    who: Principal
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    raw: bytes
    content_type: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def reader(self) -> read_log.Reader:
        """Who reads personal data through this call, with the caller's trace if it sent one."""
        return read_log.Reader(
            self.who.actor, read_log.foreign_operation(self.headers.get("traceparent"))
        )


@dataclass
class Route:
    method: str
    path: str
    handler: Callable[[Call], Awaitable[Any]]
    roles: frozenset[str]
    summary: str
    body: type[BaseModel] | None = None
    raw_body: bool = False  # the partner's own format, passed through as bytes
    response: Any = None  # a model, or a TypeAdapter for lists
    status: int = 200
    partner_scoped: bool = False  # path {partner_id} must be the caller's own
    produces: str = "application/json"  # e.g. text/csv, text/html: the handler's own response
    query: dict[str, str] = field(default_factory=dict)
    # A creating POST: an `Idempotency-Key` header makes a repeat answer as the first did.
    idempotent: bool = False


def _adapter(response: Any) -> TypeAdapter[Any] | None:
    if isinstance(response, TypeAdapter):
        return response
    if isinstance(response, type) and issubclass(response, BaseModel):
        return TypeAdapter(response)
    return None


def _dump(value: Any, response: Any = None) -> bytes:
    adapter = _adapter(response)
    if adapter is not None and isinstance(value, dict | list):
        # Plain results go out through their declared model: the OpenAPI document is the
        # contract, enforced here (and datetimes come out in RFC 3339).
        return adapter.dump_json(adapter.validate_python(value))
    if isinstance(value, BaseModel):
        return value.model_dump_json().encode()
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return ("[" + ",".join(v.model_dump_json() for v in value) + "]").encode()
    return json.dumps(value, default=str).encode()


@dataclass(frozen=True)
class Endpoint:
    """What a handler declares about itself; its method and path are in the URL table."""

    handler: Callable[[Call], Awaitable[Any]]
    options: dict[str, Any]


def endpoint(
    *, roles: frozenset[str] | set[str], summary: str, **kw: Any
) -> Callable[[Callable[[Call], Awaitable[Any]]], Endpoint]:
    def deco(fn: Callable[[Call], Awaitable[Any]]) -> Endpoint:
        return Endpoint(fn, {"roles": frozenset(roles), "summary": summary, **kw})

    return deco


class Api:
    prefix = "/api/v1"

    def __init__(self, table: list[tuple[str, str, Endpoint]]) -> None:
        self.routes = [Route(m, p, e.handler, **e.options) for m, p, e in table]
        self._spec: dict[str, Any] | None = None

    def install(self, app: web.Application) -> None:
        for r in self.routes:
            app.router.add_route(r.method, self.prefix + r.path, self._wrap(r))

    def _wrap(self, r: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            ctx = request.app[CTX]
            who = await self._authenticate(ctx, request)
            params = dict(request.match_info)
            await require_role(ctx, who, r.roles, f"{r.method} {r.path}")
            if r.partner_scoped and params.get("partner_id") != who.partner_id:
                await refused(ctx, who.actor, "other_partner", f"{r.method} {r.path}")
                raise ApiError(403, "forbidden", "Dit is niet de inbox van deze partner.")
            raw = await request.read() if (r.body or r.raw_body) else b""
            body = None
            if r.body is not None:
                try:
                    body = r.body.model_validate_json(raw or b"null")
                except ValidationError as exc:
                    raise validation_error(exc) from None
            call = Call(
                ctx,
                who,
                params,
                dict(request.query),
                body,
                raw,
                request.content_type,
                request.headers,
            )
            key = request.headers.get(IDEMPOTENCY_HEADER)
            if r.idempotent and key is not None:
                return await self._once(r, call, request.path, valid_key(key.strip()))
            result = await retry_on_conflict(r.handler, call)
            if isinstance(result, web.Response):  # CSV, HTML, FHIR: the handler's own type
                return result
            return web.Response(
                body=_dump(result, r.response), status=r.status, content_type="application/json"
            )

        return handler

    @staticmethod
    async def _once(r: Route, call: Call, path: str, key: str) -> web.Response:
        caller = f"{call.who.role}:{call.who.token_id}"
        request_hash = fingerprint(r.method, path, caller, call.raw)

        async def run() -> Answer:
            result = await r.handler(call)
            return Answer(r.status, _dump(result, r.response), "application/json")

        async def attempt() -> Answer:
            return await once(
                call.ctx,
                caller=caller,
                key=key,
                request_hash=request_hash,
                run=run,
                error_answer=_error_answer,
            )

        answer = await retry_on_conflict(attempt)
        headers = {REPLAY_HEADER: "true"} if answer.replayed else None
        return web.Response(
            body=answer.body,
            status=answer.status,
            content_type=answer.content_type,
            headers=headers,
        )

    async def _authenticate(self, ctx: HubContext, request: web.Request) -> Principal:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            anonymous(ctx, "no_token")
            raise ApiError(401, "unauthenticated", "Bearer-token ontbreekt.")
        async with ctx.db.read() as conn:
            who = await authenticate(conn, token.strip(), ctx.clock.now())
        if who is None:
            anonymous(ctx, "unknown_token")
            raise ApiError(401, "unauthenticated", "Onbekend, verlopen of ingetrokken token.")
        return who

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document of the route table. The table is fixed when the module is
        imported, so the document is built once per process (building it costs about as much
        as starting the rest of a hub) and shared: treat it as read-only."""
        if self._spec is None:
            self._spec = self._build_openapi()
        return self._spec

    def _build_openapi(self) -> dict[str, Any]:
        models: set[type[BaseModel]] = set()
        for r in self.routes:
            for m in (r.body, r.response):
                if isinstance(m, type) and issubclass(m, BaseModel):
                    models.add(m)
        keyed = sorted(((m, "validation") for m in models), key=lambda x: x[0].__name__)
        refs, defs = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
        paths: dict[str, dict[str, Any]] = {}
        extra_defs: dict[str, Any] = {}
        error = {
            "description": "Fout",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for r in self.routes:
            op: dict[str, Any] = {
                "summary": r.summary,
                "security": [{"bearer": []}],
                "x-roles": sorted(r.roles),
                "parameters": [
                    {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                    for p in _path_params(r.path)
                ]
                + [
                    {
                        "name": q,
                        "in": "query",
                        "required": False,
                        "description": d,
                        "schema": {"type": "string"},
                    }
                    for q, d in r.query.items()
                ],
                "responses": {
                    str(r.status): {
                        "description": "OK",
                        "content": {
                            r.produces: {
                                "schema": self._schema_of(r.response, refs, extra_defs)
                                if r.produces.endswith("json")
                                else {"type": "string"}
                            }
                        },
                    },
                    "400": error,
                    "401": error,
                    "403": error,
                    "404": error,
                    "422": error,
                },
            }
            if r.idempotent:
                op["parameters"].append(
                    {
                        "name": IDEMPOTENCY_HEADER,
                        "in": "header",
                        "required": False,
                        "description": "Eigen sleutel van dit verzoek: opnieuw verstuurd met "
                        "dezelfde sleutel wordt het niet nog eens uitgevoerd, maar komt het "
                        "eerste antwoord terug (met Idempotent-Replayed: true).",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                    }
                )
                op["responses"]["409"] = error
            if r.body is not None:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": refs[(r.body, "validation")]}},
                }
            elif r.raw_body:
                op["requestBody"] = {
                    "required": True,
                    "description": "Het bericht in het eigen formaat van de partner",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                }
            paths.setdefault(self.prefix + r.path, {})[r.method.lower()] = op
        components = {**extra_defs, **defs.get("$defs", {})}
        components["Error"] = ERROR_SCHEMA
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "Wijkhub API",
                "version": "1.0.0",
                "description": "Deskundigenadvies van wijkteam naar partners.",
            },
            "paths": paths,
            "components": {
                "schemas": components,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }

    @staticmethod
    def _schema_of(
        response: Any, refs: dict[Any, Any], extra_defs: dict[str, Any]
    ) -> dict[str, Any]:
        if isinstance(response, type) and issubclass(response, BaseModel):
            return refs[(response, "validation")]
        if isinstance(response, TypeAdapter):
            schema = response.json_schema(ref_template="#/components/schemas/{model}")
            extra_defs.update(schema.pop("$defs", {}))
            return schema
        return response or {}


def _error_answer(exc: ApiError) -> Answer:
    return Answer(exc.status, json.dumps(exc.body()).encode(), "application/json")


def _path_params(path: str) -> list[str]:
    return [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        }
    },
}


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return web.json_response(exc.body(), status=exc.status, headers=headers)
    except web.HTTPRequestEntityTooLarge:
        return web.json_response(
            ApiError(413, "too_large", "Het verzoek is te groot.").body(), status=413
        )
    except web.HTTPException as exc:
        if exc.status >= 400:
            return web.json_response(
                ApiError(exc.status, "http_error", exc.reason).body(), status=exc.status
            )
        raise
    except Exception as exc:
        if storage_fault(exc):
            # The transaction rolled back as a whole: the same request may simply be sent again.
            log.warning("storage unavailable on %s %s: %s", request.method, request.path, exc)
            return storage_unavailable()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response(
            ApiError(500, "internal_error", "Interne fout; niets is half opgeslagen.").body(),
            status=500,
        )


def storage_unavailable() -> web.Response:
    return web.json_response(
        ApiError(503, "storage_unavailable", MSG_STORAGE_UNAVAILABLE).body(),
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    resp = await handler(request)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Cache-Control", "no-store")
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    if resp.content_type == "application/json":
        # JSON is never a document to render: no scripts, no framing, no sniffing.
        resp.headers.setdefault(
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"
        )
    if request.secure:
        resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return resp


def scope(call: Call) -> str | None:
    """A coach is limited to the own team's clients; other roles that may reach a route are
    not team-bound (the privacy officer reads across teams)."""
    return team_scope(call.who) if call.who.role == "coach" else None
