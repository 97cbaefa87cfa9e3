"""The ASGI app: hub prefixes, auth, rate limits, faults, ledger, and the wire (JSON or SSE)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette

from . import (  # noqa: F401  (importing registers the routes)
    accounts,
    admin,
    api,
    media_audio,
    media_files,
    media_images,
    media_tasks,
    media_video,
)
from .dialects import DIALECTS
from .faults import Fault
from .routes import Ctx, HTTPError, Out, allowed_methods, lookup
from .state import Account, EmulatorState

Scope = dict[str, Any]
MAX_LEDGER = 10_000
SSE_BATCH = 8
_BOOT = os.urandom(3).hex()
PROXY_PAGE = (b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
              b"<body><h1>Bad Gateway</h1><p>The proxy could not reach the upstream server."
              b"</p><hr><address>nginx</address></body></html>\n")


def parse_path(path: str) -> tuple[str, str, str, str] | None:
    """``(hub, surface, variant, sub)`` of a request path, or ``None`` if no hub owns it."""
    _, _, rest = path.partition("/")
    hub, _, sub = rest.partition("/")
    if hub not in DIALECTS:
        return None
    if hub == "tokenhub":
        if sub.startswith("api/v1/"):
            return hub, "api", "v1", sub[7:]
        return None
    head, _, tail = sub.partition("/")
    if hub == "electronhub":
        if head in ("v1", "v1legacy", "v1thinking"):
            return hub, "api", head, tail
        return hub, "api", "root", sub
    if head == "v1":
        return hub, "api", "v1", tail
    return hub, "root", "root", sub


class EmulatorApp:
    """Hub traffic is dispatched here directly (fast path); ``/_emulator`` goes to Starlette."""

    def __init__(self, state: EmulatorState | None = None) -> None:
        self.state = state or EmulatorState()
        self.admin = Starlette(routes=admin.ROUTES)
        self.admin.state.emulator = self.state

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """ASGI entry point."""
        if scope["type"] != "http" or scope["path"].startswith("/_emulator"):
            await self.admin(scope, receive, send)
            return
        # uvicorn's send is a bound method of the cycle that owns the socket: faults need it
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        parsed = parse_path(scope["path"])
        if parsed is None and scope["path"].startswith("/_files/"):
            # result files sit off every hub prefix (like a vendor CDN) but belong to a hub
            hub = self.state.media.hub_of_file(scope["path"]) or "electronhub"
            parsed = (hub, "files", "files", scope["path"][1:])
        if parsed is None:
            body = b'{"error":{"message":"No hub serves this path","type":"invalid_request_error"}}'
            await _send_plain(send, 404, body, [])
            return
        ctx = await self._context(scope, receive, parsed)
        try:
            out = await self._handle(ctx)
        except HTTPError as exc:
            out = Out(exc.status, ctx.dialect.error_body(
                exc.status, exc.message, exc.code, task=ctx.surface == "root"
                and ctx.hub == "chainhub"), headers=exc.headers)
        self._record(ctx, out)
        await self._send(ctx, out, transport, receive, send)

    async def _context(self, scope: Scope, receive: Any,
                       parsed: tuple[str, str, str, str]) -> Ctx:
        hub, surface, variant, sub = parsed
        state = self.state
        state.request_seq += 1
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        auth = headers.get("authorization", "")
        key = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        method = scope["method"]
        return Ctx(
            state=state, hub=hub, dialect=DIALECTS[hub], surface=surface, variant=variant,
            sub=sub, path=scope["path"], method=method, headers=headers,
            query=dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))),
            raw_body=b"".join(chunks), key=key, account=self._account(hub, key),
            request_id=f"req_{_BOOT}{state.request_seq:08x}",
            fault=state.faults.take(hub, scope["path"], method),
        )

    def _account(self, hub: str, key: str | None) -> Account | None:
        if not key:
            return None
        state = self.state
        if hub == "apihub":
            user = state.tokens.get(key)
            if user is not None:
                return user.account
            if key in state.revoked:
                return None
        prefix = DIALECTS[hub].key_prefix
        if not key.startswith(prefix) or len(key) <= len(prefix):
            return None
        return state.account(hub, key)

    async def _handle(self, ctx: Ctx) -> Out:
        fault = ctx.fault
        if fault is not None:
            early = await _early_fault(ctx, fault)
            if early is not None:
                return early
        route, params = lookup(ctx.hub, ctx.surface, ctx.method, ctx.sub)
        if route is None:
            if allowed_methods(ctx.hub, ctx.surface, ctx.sub):
                raise HTTPError(405, f"Method {ctx.method} not allowed", "method_not_allowed")
            raise HTTPError(404, f"Unknown route {ctx.path}", "not_found")
        ctx.params = params
        if route.auth != "none":
            self._authorize(ctx, route.auth)
        if ctx.account is not None and route.auth != "none":
            self._rate_limit(ctx, ctx.account)
        return await route.handler(ctx)

    def _authorize(self, ctx: Ctx, mode: str) -> None:
        is_jwt = ctx.key is not None and ctx.key in self.state.tokens
        if mode == "jwt" and not is_jwt:
            raise HTTPError(401, "Could not validate credentials", "invalid_token")
        if ctx.account is None:
            if ctx.key is None:
                raise HTTPError(401, "Missing API key. Send Authorization: Bearer "
                                f"{ctx.dialect.key_prefix}...", "invalid_api_key")
            raise HTTPError(401, "Invalid API key", "invalid_api_key")

    def _rate_limit(self, ctx: Ctx, acct: Account) -> None:
        ok, wait = acct.admit(time.monotonic())
        if ok:
            return
        seconds = max(1, math.ceil(wait))
        if ctx.hub == "electronhub":
            raise HTTPError(429, f"Rate limit exceeded. Try again in {seconds} seconds.",
                            "rate_limit_exceeded")
        raise HTTPError(429, f"Rate limit exceeded: {acct.rpm} requests per minute. "
                        f"Retry after {seconds} seconds.", "rate_limit_exceeded",
                        {"Retry-After": str(seconds)})

    def _record(self, ctx: Ctx, out: Out) -> None:
        acct = ctx.account
        if acct is None:
            return
        body: Any = None
        if ctx.raw_body:
            try:
                body = ctx.json()
            except HTTPError:
                body = None
        headers = {k: v for k, v in ctx.headers.items() if k not in ("authorization", "cookie")}
        reqs = acct.requests
        reqs.append({"method": ctx.method, "path": ctx.path, "status": out.status,
                     "model": out.model or (body.get("model") if isinstance(body, dict) else None),
                     "credits": out.credits, "body": body, "headers": headers,
                     "request_id": ctx.request_id, "time": time.time()})
        if len(reqs) > MAX_LEDGER:
            del reqs[: len(reqs) - MAX_LEDGER]

    def _headers(self, ctx: Ctx, out: Out) -> list[tuple[bytes, bytes]]:
        hdrs = [(b"x-request-id", ctx.request_id.encode())]
        if ctx.hub == "electronhub":
            acct = ctx.account
            limit, remaining, reset = (acct.remaining(time.monotonic()) if acct is not None
                                       else (1_000_000, 1_000_000, int(time.time()) + 60))
            hdrs += [(b"x-ratelimit-limit", str(limit).encode()),
                     (b"x-ratelimit-remaining", str(remaining).encode()),
                     (b"x-ratelimit-reset", str(reset).encode())]
        hdrs += [(k.lower().encode("latin-1"), str(v).encode("latin-1"))
                 for k, v in out.headers.items()]
        return hdrs

    async def _send(self, ctx: Ctx, out: Out, transport: Any, receive: Any, send: Any) -> None:
        fault = ctx.fault
        drop = fault.drop if fault is not None else None
        hdrs = self._headers(ctx, out)
        if drop in ("before_response", "after_accept"):
            await _drop(transport, receive)
            return
        if fault is not None and fault.invalid_body == "truncated_json":
            await _send_plain(send, out.status, await _cut_json(out), hdrs)
            return
        if out.stream is not None:
            await _send_stream(out, hdrs, fault, transport, receive, send)
            return
        if out.events is None:
            if drop == "after_chunks":
                half = out.body[: max(1, len(out.body) // 2)]
                hdrs += [(b"content-type", out.content_type.encode()),
                         (b"content-length", str(len(out.body)).encode())]
                await send({"type": "http.response.start", "status": out.status, "headers": hdrs})
                await send({"type": "http.response.body", "body": half, "more_body": True})
                await _drop(transport, receive)
                return
            await _send_plain(send, out.status, out.body, hdrs, out.content_type)
            return
        hdrs += [(b"content-type", b"text/event-stream; charset=utf-8"),
                 (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": out.status, "headers": hdrs})
        events = out.events
        if drop == "after_chunks":
            assert fault is not None
            for event in events[: fault.after_chunks]:
                await send({"type": "http.response.body", "body": event, "more_body": True})
            await _drop(transport, receive)
            return
        # the first event goes alone (time to first token), the rest in small batches: same
        # bytes and events for the client, far fewer writes for the server
        await send({"type": "http.response.body", "body": events[0], "more_body": True})
        for i in range(1, len(events), SSE_BATCH):
            await send({"type": "http.response.body", "body": b"".join(events[i:i + SSE_BATCH]),
                        "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _early_fault(ctx: Ctx, fault: Fault) -> Out | None:
    """Faults that replace the whole response (delay is applied and then the request goes on)."""
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if fault.drop == "before_response":
        return Out(status=0)
    if fault.invalid_body == "html":
        page = fault.body.encode() if isinstance(fault.body, str) else PROXY_PAGE
        return Out(fault.status or 200, page, "text/html; charset=utf-8",
                   headers=dict(fault.headers))
    task = ctx.hub == "chainhub" and ctx.surface == "root"
    if fault.status and not fault.sse:
        return Out(fault.status, _fault_body(ctx, fault, fault.status, task),
                   headers=dict(fault.headers))
    if fault.error_200:
        status = fault.error_200 if type(fault.error_200) is int else 500
        return Out(200, _fault_body(ctx, fault, status, task), headers=dict(fault.headers))
    return None


def _fault_body(ctx: Ctx, fault: Fault, status: int, task: bool) -> bytes:
    from . import jsonutil

    if isinstance(fault.body, (dict, list)):
        return jsonutil.dumps(fault.body)
    message = fault.body if isinstance(fault.body, str) else f"Injected fault: HTTP {status}"
    return ctx.dialect.error_body(status, message, task=task)


async def _cut_json(out: Out) -> bytes:
    """The JSON reply (a stream's first event data) cut in half: a complete HTTP reply whose
    body is not complete JSON, as a proxy that truncates bodies sends it. A streamed body
    (Electron Hub video) gives its first chunk; the handler has run (the job is charged)."""
    whole = out.body
    if out.events:
        whole = out.events[0]
    elif out.stream is not None:
        whole = b""
        async for chunk in out.stream:
            whole = chunk
            break
        aclose = getattr(out.stream, "aclose", None)
        if aclose is not None:
            await aclose()
    if out.events or out.stream is not None:
        whole = whole.strip().split(b"\n", 1)[0].removeprefix(b"data: ")
    return whole[: max(1, len(whole) // 2)]


async def _send_stream(out: Out, hdrs: list[tuple[bytes, bytes]], fault: Fault | None,
                       transport: Any, receive: Any, send: Any) -> None:
    """Send chunks as the handler produces them (uvicorn's flow control keeps memory flat);
    ``drop="after_chunks"`` cuts after K chunks, or half the body when K is 0."""
    assert out.stream is not None
    hdrs = [*hdrs, (b"content-type", out.content_type.encode())]
    if out.length is not None:
        hdrs.append((b"content-length", str(out.length).encode()))
    await send({"type": "http.response.start", "status": out.status, "headers": hdrs})
    cut = fault is not None and fault.drop == "after_chunks"
    limit_chunks = fault.after_chunks if fault is not None and cut else 0
    limit_bytes = (out.length or 1) // 2 if cut and not limit_chunks else 0
    sent = chunks = 0
    try:
        async for chunk in out.stream:
            if transport is not None and transport.is_closing():
                return  # the client went away: stop producing
            if cut and limit_bytes and sent + len(chunk) > limit_bytes:
                chunk = chunk[: max(0, limit_bytes - sent)]
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent += len(chunk)
            chunks += 1
            if cut and (chunks >= limit_chunks if limit_chunks else sent >= limit_bytes):
                await _drop(transport, receive)
                return
    finally:
        aclose = getattr(out.stream, "aclose", None)
        if aclose is not None:
            await aclose()
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _send_plain(send: Any, status: int, body: bytes, hdrs: list[tuple[bytes, bytes]],
                      content_type: str = "application/json") -> None:
    hdrs = [*hdrs, (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": body})


async def _drop(transport: Any, receive: Any) -> None:
    """Close the socket (after flushing what was sent) and wait until the server notices."""
    if transport is None:  # not under uvicorn: make the server abort the response instead
        raise ConnectionAbortedError("hub_emulator: injected connection drop")
    transport.close()
    with contextlib.suppress(asyncio.TimeoutError):
        async with asyncio.timeout(2.0):
            while (await receive())["type"] != "http.disconnect":
                pass


def create_app(state: EmulatorState | None = None) -> EmulatorApp:
    """A fresh emulator ASGI app (its own state)."""
    return EmulatorApp(state)
