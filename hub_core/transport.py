"""The only module that speaks HTTP: pooled clients, auth, timeouts, retries, RPM limit, SSE.

Design (research/transport.md §2, §7): one shared ``httpx.Client`` per (base_url, key, proxy) in a
process and one ``httpx.AsyncClient`` per running event loop (async clients are loop-bound, so a
second ``asyncio.run()`` gets a fresh one). One retry layer (``hub_core.retry``), applied only
before the first byte of a body. Every attempt takes a slot from the key's shared RPM limiter.
No error raised here chains an httpx exception, because those hold the request and its key.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json as _json
import logging
import threading
import time
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from pydantic import SecretStr

from hub_core._version import __version__
from hub_core.errors import (
    HubAPIError,
    HubConnectionError,
    HubError,
    HubTimeoutError,
    InsufficientCreditsError,
    RateLimitError,
    ServerError,
    StreamError,
    UpstreamError,
    error_from_payload,
    error_from_response,
    redact,
)
from hub_core.ratelimit import SlidingWindowLimiter, key_fingerprint, limiter_for
from hub_core.retry import Decision, Failure, RequestKind, RetryPolicy, decide, parse_retry_after
from hub_core.sse import SSEDecoder

__all__ = [
    "AsyncJSONEventStream",
    "HubResponse",
    "JSONEventStream",
    "Timeouts",
    "Transport",
]

log = logging.getLogger("hub_core.transport")

_loads = _json.loads
_UNSET: Any = object()


@dataclass(frozen=True)
class Timeouts:
    """Per-phase timeouts in seconds. ``read`` is per socket read (inactivity), not a deadline."""

    connect: float = 5.0
    read: float = 120.0
    write: float = 30.0
    pool: float = 10.0

    @classmethod
    def of(cls, value: Timeouts | float | None) -> Timeouts:
        """``None`` -> defaults; a number -> that many seconds for every phase."""
        if value is None:
            return cls()
        if isinstance(value, Timeouts):
            return value
        seconds = float(value)
        return cls(connect=seconds, read=seconds, write=seconds, pool=seconds)

    def to_httpx(self) -> httpx.Timeout:
        """The httpx form (kept private to this module's callers)."""
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


class HubResponse:
    """What adapters see instead of ``httpx.Response``: status, headers, body, request id."""

    __slots__ = ("_json", "content", "headers", "request_id", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive; iterates lower-case keys
        self.content = content
        self.request_id: str | None = headers.get("x-request-id") or headers.get("request-id")
        self._json: Any = _UNSET

    def json(self) -> Any:
        """The body decoded as JSON (decoded once, then cached)."""
        if self._json is _UNSET:
            self._json = _loads(self.content)
        return self._json

    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    @property
    def rate_limit(self) -> dict[str, str]:
        """The ``x-ratelimit-*`` headers the hub sent (limit, remaining, reset)."""
        return {k: v for k, v in self.headers.items() if k.lower().startswith("x-ratelimit-")}

    def __getstate__(self) -> dict[str, Any]:
        return {
            "status_code": self.status_code,
            "headers": dict(self.headers.items()),
            "content": self.content,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["status_code"], state["headers"], state["content"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"HubResponse(status_code={self.status_code}, request_id={self.request_id!r})"


# -------------------------------------------------------------------------------------------
# Shared client pools

_PoolKey = tuple[str, str, str | None]
# Many concurrent streams to one hub are normal (agents, batch jobs): allow 1,000 open
# connections like the openai SDK, keep 100 warm for reuse.
_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=5.0)
_DRAIN_LIMIT = 65536
"""Bytes read after ``[DONE]`` so the connection goes back to the pool instead of closing."""


class _Shared:
    """A pooled client and how many transports use it (closed when the last one lets go)."""

    __slots__ = ("client", "refs")

    def __init__(self, client: Any) -> None:
        self.client = client
        self.refs = 0


_LOCK = threading.Lock()
_SYNC: dict[_PoolKey, _Shared] = {}
_ASYNC: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_PoolKey, _Shared]] = (
    weakref.WeakKeyDictionary()
)


_CLOSERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncGenerator[None, None]] = (
    weakref.WeakKeyDictionary()
)


async def _close_at_loop_shutdown(per_loop: dict[_PoolKey, _Shared]) -> AsyncGenerator[None, None]:
    """Closes a loop's pooled clients when ``asyncio.run`` shuts the loop down.

    ``asyncio.run`` (and pytest-asyncio's runners) finalise every started async generator before
    closing the loop; this one's ``finally`` then closes the clients inside that loop, so no
    socket outlives it.
    """
    try:
        yield
    finally:
        clients = [shared.client for shared in per_loop.values()]
        per_loop.clear()
        for client in clients:
            with contextlib.suppress(Exception):
                await client.aclose()


def _watch_loop(loop: asyncio.AbstractEventLoop, per_loop: dict[_PoolKey, _Shared]) -> None:
    closer = _close_at_loop_shutdown(per_loop)
    step = closer.asend(None)  # registers with the running loop's async-generator hooks
    try:
        step.send(None)  # runs to the ``yield``
    except StopIteration:
        _CLOSERS[loop] = closer


@atexit.register
def _close_sync_clients() -> None:
    """Close the process-wide sync pools at exit, so sockets are not left to the GC."""
    with _LOCK:
        shared = list(_SYNC.values())
        _SYNC.clear()
    for entry in shared:
        with contextlib.suppress(Exception):
            entry.client.close()


def _client_headers(api_key: SecretStr | None) -> dict[str, str]:
    if api_key is None:
        return {}
    return {"Authorization": f"Bearer {api_key.get_secret_value()}"}


# -------------------------------------------------------------------------------------------
# Failure mapping (shared by request and stream paths)

_PHASES: tuple[tuple[type[httpx.TimeoutException], str], ...] = (
    (httpx.ConnectTimeout, "connect"),
    (httpx.PoolTimeout, "pool"),
    (httpx.WriteTimeout, "write"),
    (httpx.ReadTimeout, "read"),
)


def _phase(exc: httpx.TimeoutException) -> str:
    for cls, phase in _PHASES:
        if isinstance(exc, cls):
            return phase
    return "read"


_HTTP_LIKE = ((RateLimitError, 429), (UpstreamError, 503), (ServerError, 500))


class Transport:
    """HTTP for one hub and key: ``request``/``arequest``, ``stream_json``/``astream_json``.

    ``url`` may be relative to ``base_url`` or absolute. Pickles without its clients; they are
    rebuilt lazily in the new process.
    """

    def __init__(
        self,
        *,
        hub: str,
        base_url: str,
        api_key: SecretStr | str | None,
        timeout: Timeouts | float | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        rpm: int | None = None,
        max_retry_wait: float = 60.0,
        user_agent: str = f"ai-hubs/{__version__}",
    ) -> None:
        self.hub = hub
        self.base_url = base_url.rstrip("/")
        self.api_key: SecretStr | None = SecretStr(api_key) if isinstance(api_key, str) else api_key
        self.timeouts = Timeouts.of(timeout)
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.proxy = proxy
        self.rpm = rpm
        self.max_retry_wait = max_retry_wait
        self.user_agent = user_agent
        self._setup()

    def _setup(self) -> None:
        """Derived state; also run after unpickling."""
        self.policy = RetryPolicy(max_retries=self.max_retries, max_retry_wait=self.max_retry_wait)
        self._httpx_timeout = self.timeouts.to_httpx()
        self._headers = {"User-Agent": self.user_agent, **self.default_headers}
        self._secrets = (self.api_key.get_secret_value(),) if self.api_key is not None else ()
        self._pool_key: _PoolKey = (self.base_url, key_fingerprint(self.api_key), self.proxy)
        self.limiter: SlidingWindowLimiter | None = limiter_for(self.hub, self.api_key, self.rpm)
        self._lock = threading.Lock()
        self._sync: httpx.Client | None = None
        self._async: dict[int, tuple[weakref.ref[asyncio.AbstractEventLoop], httpx.AsyncClient]]
        self._async = {}
        # (loop, client) read and written as one tuple, so threads with their own loops never
        # see another loop's client
        self._last: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None

    # -- pickling / repr ------------------------------------------------------------------

    _CONFIG = (
        "hub",
        "base_url",
        "api_key",
        "timeouts",
        "max_retries",
        "default_headers",
        "proxy",
        "rpm",
        "max_retry_wait",
        "user_agent",
    )

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._CONFIG}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __repr__(self) -> str:
        key = "set" if self.api_key is not None else "missing"
        return f"Transport(hub={self.hub!r}, base_url={self.base_url!r}, api_key={key})"

    # -- clients --------------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        client = self._sync
        if client is not None and not client.is_closed:
            return client
        with _LOCK:
            shared = _SYNC.get(self._pool_key)
            if shared is None or shared.client.is_closed:
                shared = _SYNC[self._pool_key] = _Shared(
                    httpx.Client(
                        headers=_client_headers(self.api_key),
                        timeout=self._httpx_timeout,
                        limits=_LIMITS,
                        proxy=self.proxy,
                        follow_redirects=False,
                    )
                )
            shared.refs += 1
            sync: httpx.Client = shared.client
            self._sync = sync
            return sync

    def _aclient(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        last = self._last
        if last is not None and last[0] is loop:
            return last[1]
        with _LOCK:
            held = self._async.get(id(loop))
            if held is not None and held[0]() is loop and not held[1].is_closed:
                client = held[1]
            else:
                per_loop = _ASYNC.get(loop)
                if per_loop is None:
                    per_loop = _ASYNC[loop] = {}
                    _watch_loop(loop, per_loop)
                shared = per_loop.get(self._pool_key)
                if shared is None or shared.client.is_closed:
                    shared = per_loop[self._pool_key] = _Shared(
                        httpx.AsyncClient(
                            headers=_client_headers(self.api_key),
                            timeout=self._httpx_timeout,
                            limits=_LIMITS,
                            proxy=self.proxy,
                            follow_redirects=False,
                        )
                    )
                shared.refs += 1
                client = shared.client
                self._async = {k: v for k, v in self._async.items() if v[0]() is not None}
                self._async[id(loop)] = (weakref.ref(loop), client)
            self._last = (loop, client)
            return client

    def close(self) -> None:
        """Let go of the sync client (closed when no other transport uses it)."""
        with _LOCK:
            client, self._sync = self._sync, None
            if client is None:
                return
            shared = _SYNC.get(self._pool_key)
            if shared is None or shared.client is not client:
                return
            shared.refs -= 1
            if shared.refs > 0:
                return
            del _SYNC[self._pool_key]
        client.close()

    async def aclose(self) -> None:
        """Let go of this loop's async client and the sync client."""
        loop = asyncio.get_running_loop()
        to_close: httpx.AsyncClient | None = None
        with _LOCK:
            held = self._async.pop(id(loop), None)
            last = self._last
            if last is not None and last[0] is loop:
                self._last = None
            per_loop = _ASYNC.get(loop)
            if held is not None and per_loop is not None:
                shared = per_loop.get(self._pool_key)
                if shared is not None and shared.client is held[1]:
                    shared.refs -= 1
                    if shared.refs <= 0:
                        del per_loop[self._pool_key]
                        to_close = held[1]
        if to_close is not None:
            await to_close.aclose()
        self.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # -- helpers --------------------------------------------------------------------------

    def url(self, url: str) -> str:
        """Absolute URL: ``url`` as is when absolute, else joined to ``base_url``."""
        if url.startswith(("http://", "https://")):
            return url
        return f"{self.base_url}/{url.lstrip('/')}"

    def _call_headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        if not headers:
            return self._headers
        return {**self._headers, **headers}

    def _timeout(self, timeout: Timeouts | float | None) -> httpx.Timeout:
        return self._httpx_timeout if timeout is None else Timeouts.of(timeout).to_httpx()

    def _where(self, method: str, url: str) -> str:
        return redact(f"{method} {url.split('?', 1)[0]}", self._secrets)

    def _transport_error(
        self, exc: httpx.TransportError, method: str, url: str
    ) -> tuple[HubError, Failure | None]:
        """Map an httpx failure to our error (never chained) and whether it may have been sent."""
        where = self._where(method, url)
        detail = redact(str(exc) or type(exc).__name__, self._secrets)
        if isinstance(exc, httpx.TimeoutException):
            phase = _phase(exc)
            failure: Failure = "not_sent" if phase in ("connect", "pool") else "sent"
            return HubTimeoutError(
                f"{phase} timeout on {where}", hub=self.hub, phase=phase
            ), failure
        if isinstance(exc, httpx.ConnectError | httpx.ProxyError):
            msg = f"cannot connect for {where}: {detail}"
            return HubConnectionError(msg, hub=self.hub, sent=False), "not_sent"
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
            return HubConnectionError(f"bad request {where}: {detail}", hub=self.hub), None
        msg = f"connection broke during {where}: {detail}"
        return HubConnectionError(msg, hub=self.hub, sent=True), "sent"

    def _status_error(
        self, resp: httpx.Response, model: str | None, content: bytes | None = None
    ) -> HubAPIError:
        return error_from_response(
            resp.status_code,
            resp.content if content is None else content,
            resp.headers,
            hub=self.hub,
            model=model,
            secrets=self._secrets,
        )

    def _finish(
        self, resp: httpx.Response, model: str | None, expect_json: bool
    ) -> HubResponse | HubAPIError:
        """A success as ``HubResponse``, or the mapped error (error status or error body)."""
        status = resp.status_code
        if not 200 <= status < 300:
            return self._status_error(resp, model)
        out = HubResponse(status, resp.headers, resp.content)
        content = out.content
        looks_json = content[:1] == b"{" or (
            content[:1].isspace() and content[:64].lstrip()[:1] == b"{"
        )
        if looks_json and (expect_json or "json" in resp.headers.get("content-type", "")):
            try:
                payload = out.json()
            except ValueError:
                return out
            err = error_from_payload(
                payload,
                hub=self.hub,
                status_code=status,
                headers=resp.headers,
                model=model,
                secrets=self._secrets,
            )
            if err is not None:
                return err
        return out

    def _decide(
        self, kind: RequestKind, retries: int, err: HubError, failure: Failure | None
    ) -> Decision:
        """Apply the retry table; a 429 with a delay freezes the key's limiter either way."""
        if not isinstance(err, HubAPIError):
            if failure is None:
                return Decision(False, reason="not retryable")
            return decide(self.policy, kind, retries, failure=failure)
        status = err.status_code
        if 200 <= status < 300:  # an error body on a 2xx: retry as the error says
            status = next((code for cls, code in _HTTP_LIKE if isinstance(err, cls)), status)
        if isinstance(err, RateLimitError):
            retry_after = err.retry_after
            if retry_after and self.limiter is not None:
                self.limiter.freeze(retry_after)
        else:
            retry_after = (
                parse_retry_after(err.headers, reset_headers=False) if status >= 500 else None
            )
        quota = isinstance(err, InsufficientCreditsError)
        return decide(
            self.policy, kind, retries, status=status, retry_after=retry_after, quota=quota
        )

    def _log_retry(self, method: str, url: str, err: HubError, decision: Decision) -> None:
        log.info(
            "%s: retrying %s in %.2fs (%s): %s",
            self.hub,
            self._where(method, url),
            decision.delay,
            decision.reason,
            type(err).__name__,
        )

    # -- plain requests -------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        kind: RequestKind = "call",
        timeout: Timeouts | float | None = None,
        expect_json: bool = True,
    ) -> HubResponse:
        """Send with retries (``kind`` picks the table row); return the response or raise.

        A 2xx body that is really an error (``{"error":...}``, a failed task code, ...) raises
        too. ``expect_json=False`` is for binary replies (speech); JSON errors are still mapped.
        """
        client = self._client()
        full = self.url(url)
        hdrs = self._call_headers(headers)
        to = self._timeout(timeout)
        model = json.get("model") if isinstance(json, Mapping) else None
        limiter = self.limiter
        retries = 0
        while True:
            if limiter is not None:
                limiter.acquire()
            failure: Failure | None = None
            try:
                resp = client.request(
                    method,
                    full,
                    json=json,
                    params=params,
                    data=data,
                    files=files,
                    content=content,
                    headers=hdrs,
                    timeout=to,
                )
            except httpx.TransportError as exc:
                err, failure = self._transport_error(exc, method, full)
            else:
                result = self._finish(resp, model, expect_json)
                if isinstance(result, HubResponse):
                    return result
                err = result
            decision = self._decide(kind, retries, err, failure)
            if not decision.retry:
                raise err
            self._log_retry(method, full, err, decision)
            time.sleep(decision.delay)
            retries += 1

    async def arequest(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        kind: RequestKind = "call",
        timeout: Timeouts | float | None = None,
        expect_json: bool = True,
    ) -> HubResponse:
        """Async twin of :meth:`request`."""
        client = self._aclient()
        full = self.url(url)
        hdrs = self._call_headers(headers)
        to = self._timeout(timeout)
        model = json.get("model") if isinstance(json, Mapping) else None
        limiter = self.limiter
        retries = 0
        while True:
            if limiter is not None:
                await limiter.aacquire()
            failure: Failure | None = None
            try:
                resp = await client.request(
                    method,
                    full,
                    json=json,
                    params=params,
                    data=data,
                    files=files,
                    content=content,
                    headers=hdrs,
                    timeout=to,
                )
            except httpx.TransportError as exc:
                err, failure = self._transport_error(exc, method, full)
            else:
                result = self._finish(resp, model, expect_json)
                if isinstance(result, HubResponse):
                    return result
                err = result
            decision = self._decide(kind, retries, err, failure)
            if not decision.retry:
                raise err
            self._log_retry(method, full, err, decision)
            await asyncio.sleep(decision.delay)
            retries += 1

    # -- streams --------------------------------------------------------------------------

    def stream_json(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeouts | float | None = None,
        json_lines: bool = False,
        kind: RequestKind = "call",
        skip_heartbeats: bool = True,
    ) -> JSONEventStream:
        """A lazily opened stream of JSON events (one dict per SSE ``data:``; see the class)."""
        return JSONEventStream(
            self, method, url, json, headers, timeout, json_lines, kind, skip_heartbeats
        )

    def astream_json(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeouts | float | None = None,
        json_lines: bool = False,
        kind: RequestKind = "call",
        skip_heartbeats: bool = True,
    ) -> AsyncJSONEventStream:
        """Async twin of :meth:`stream_json`."""
        return AsyncJSONEventStream(
            self, method, url, json, headers, timeout, json_lines, kind, skip_heartbeats
        )

    def _stream_headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        return {**self._headers, "Accept": "text/event-stream", **(headers or {})}

    def _not_sse(
        self, resp: httpx.Response, body: bytes, model: str | None, json_lines: bool
    ) -> HubError:
        """Check an opened stream's status and content type; the error to raise, if any."""
        if not 200 <= resp.status_code < 300:
            return self._status_error(resp, model, body)
        try:
            payload = _loads(body) if body.strip()[:1] == b"{" else None
        except ValueError:
            payload = None
        err = error_from_payload(
            payload,
            hub=self.hub,
            status_code=resp.status_code,
            headers=resp.headers,
            model=model,
            secrets=self._secrets,
        )
        if err is not None:
            return err
        ctype = resp.headers.get("content-type", "") or "no content type"
        return StreamError(
            f"asked for a stream but the hub answered {resp.status_code} {ctype}", hub=self.hub
        )


def _is_sse(resp: httpx.Response, json_lines: bool) -> bool:
    if not 200 <= resp.status_code < 300:
        return False
    # JSON-lines streams (Electron Hub video) come with any content type; error lines in them
    # are still mapped, as StreamError(error=...)
    return json_lines or "text/event-stream" in resp.headers.get("content-type", "")


class _EventStreamBase:
    """State and per-event logic shared by the sync and async JSON event streams."""

    def __init__(
        self,
        transport: Transport,
        method: str,
        url: str,
        json: Any,
        headers: Mapping[str, str] | None,
        timeout: Timeouts | float | None,
        json_lines: bool,
        kind: RequestKind,
        skip_heartbeats: bool,
    ) -> None:
        self._t = transport
        self._method = method
        self._url = transport.url(url)
        self._json = json
        self._headers = transport._stream_headers(headers)
        self._timeout = transport._timeout(timeout)
        self._json_lines = json_lines
        self._kind = kind
        self._skip_heartbeats = skip_heartbeats
        self._model = json.get("model") if isinstance(json, Mapping) else None
        self._decoder = SSEDecoder(json_lines=json_lines)
        self._pending: list[dict[str, Any]] = []
        self._pos = 0
        self._opened = False
        self._finished = False
        self._deferred: StreamError | None = None
        self._closed = False
        self.done_seen = False
        """True once ``[DONE]`` arrived (set before the iterator stops)."""
        self.chunks = 0
        """Events yielded so far."""
        self.malformed = 0
        """Events skipped because their data was not JSON."""
        self.status_code: int | None = None
        self.headers: Mapping[str, str] = {}
        self.request_id: str | None = None

    def _accept(self, resp: httpx.Response) -> None:
        self.status_code = resp.status_code
        self.headers = resp.headers
        self.request_id = resp.headers.get("x-request-id") or resp.headers.get("request-id")

    def _decode(self, datas: list[str]) -> None:
        """JSON-decode event data once; ``[DONE]`` ends; an error event raises StreamError."""
        pending: list[dict[str, Any]] = []
        for data in datas:
            if data[:6] == "[DONE]":
                self.done_seen = True
                self._finished = True
                break
            try:
                obj = _loads(data)
            except ValueError:
                if not data.strip():
                    continue
                self.malformed += 1
                log.warning("%s: skipped a malformed stream event", self._t.hub)
                continue
            if type(obj) is dict:
                if obj.get("error") and self._defer_event_error(obj, len(pending)):
                    break
                if self._skip_heartbeats and obj.get("heartbeat"):
                    continue
            pending.append(obj)
        self.chunks += len(pending)
        self._pending = pending
        self._pos = 0

    def _defer_event_error(self, obj: dict[str, Any], before: int) -> bool:
        """Turn an error event into the StreamError raised once the events before it are read.

        Events that arrived in the same read as the error still reach the caller first, so the
        partial output is never shortened by how the bytes happened to be split.
        """
        err = error_from_payload(
            obj,
            hub=self._t.hub,
            status_code=self.status_code or 200,
            headers=self.headers,
            model=self._model,
            secrets=self._t._secrets,
        )
        if err is None:  # e.g. a job object reporting failure: not ours to judge
            return False
        chunks = self.chunks + before
        stream_error = StreamError(
            f"error event after {chunks} chunks: {err}",
            hub=self._t.hub,
            chunks=chunks,
            error=err,
        )
        stream_error.__cause__ = err
        self._deferred = stream_error
        self._finished = True
        return True

    def _take_deferred(self) -> StreamError | None:
        deferred, self._deferred = self._deferred, None
        return deferred

    def _broken(self, exc: httpx.TransportError) -> StreamError:
        err, _ = self._t._transport_error(exc, self._method, self._url)
        msg = f"stream broke after {self.chunks} chunks: {err.message}"
        return StreamError(msg, hub=self._t.hub, chunks=self.chunks, error=err)


class JSONEventStream(_EventStreamBase, Iterator[dict[str, Any]]):
    """Iterator of event dicts. Retries only before the body starts; ``close()`` is idempotent.

    After exhaustion ``done_seen`` says whether ``[DONE]`` came. A broken connection or an
    ``error`` event raises :class:`StreamError` (``.error`` holds the mapped hub error).
    """

    _resp: httpx.Response | None = None
    _bytes: Iterator[bytes] | None = None

    def _open(self) -> None:
        t = self._t
        client = t._client()
        limiter = t.limiter
        retries = 0
        self._opened = True
        while True:
            if limiter is not None:
                limiter.acquire()
            failure: Failure | None = None
            try:
                req = client.build_request(
                    self._method,
                    self._url,
                    json=self._json,
                    headers=self._headers,
                    timeout=self._timeout,
                )
                resp = client.send(req, stream=True)
            except httpx.TransportError as exc:
                err, failure = t._transport_error(exc, self._method, self._url)
            else:
                if _is_sse(resp, self._json_lines):
                    self._resp = resp
                    self._accept(resp)
                    self._bytes = resp.iter_bytes()
                    return
                try:
                    body = resp.read()
                except httpx.TransportError as exc:
                    err, failure = t._transport_error(exc, self._method, self._url)
                else:
                    self._accept(resp)
                    err = t._not_sse(resp, body, self._model, self._json_lines)
                finally:
                    resp.close()
            decision = t._decide(self._kind, retries, err, failure)
            if not decision.retry:
                self._finished = True
                self._closed = True
                raise err
            t._log_retry(self._method, self._url, err, decision)
            time.sleep(decision.delay)
            retries += 1

    def __next__(self) -> dict[str, Any]:
        pending = self._pending
        pos = self._pos
        if pos < len(pending):
            self._pos = pos + 1
            return pending[pos]
        return self._advance()

    def _advance(self) -> dict[str, Any]:
        if not self._opened:
            self._open()
        while True:
            if self._pos < len(self._pending):
                item = self._pending[self._pos]
                self._pos += 1
                return item
            if self._finished or self._bytes is None:
                self.close()
                if (deferred := self._take_deferred()) is not None:
                    raise deferred
                raise StopIteration
            broken: StreamError | None = None
            try:
                chunk = next(self._bytes)
            except StopIteration:
                self._finished = True
                datas = self._decoder.flush_data()
            except httpx.TransportError as exc:
                broken = self._broken(exc)
                datas = []
            else:
                datas = self._decoder.feed_data(chunk)
            if broken is not None:
                self._finished = True
                self.close()
                raise broken
            if datas:
                self._decode(datas)

    def close(self) -> None:
        """Release the connection to the pool (safe to call more than once)."""
        self._finished = True
        if self._closed:
            return
        self._closed = True
        resp = self._resp
        if resp is not None:
            if self.done_seen and self._bytes is not None:
                left = _DRAIN_LIMIT  # only the chunked terminator is left after [DONE]
                with contextlib.suppress(httpx.HTTPError):
                    for rest in self._bytes:
                        left -= len(rest)
                        if left < 0:
                            break
            resp.close()

    def __enter__(self) -> JSONEventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


class AsyncJSONEventStream(_EventStreamBase, AsyncIterator[dict[str, Any]]):
    """Async twin of :class:`JSONEventStream`; close with ``await aclose()`` or ``async with``."""

    _resp: httpx.Response | None = None
    _bytes: AsyncIterator[bytes] | None = None

    async def _open(self) -> None:
        t = self._t
        client = t._aclient()
        limiter = t.limiter
        retries = 0
        self._opened = True
        while True:
            if limiter is not None:
                await limiter.aacquire()
            failure: Failure | None = None
            try:
                req = client.build_request(
                    self._method,
                    self._url,
                    json=self._json,
                    headers=self._headers,
                    timeout=self._timeout,
                )
                resp = await client.send(req, stream=True)
            except httpx.TransportError as exc:
                err, failure = t._transport_error(exc, self._method, self._url)
            else:
                if _is_sse(resp, self._json_lines):
                    self._resp = resp
                    self._accept(resp)
                    self._bytes = resp.aiter_bytes()
                    return
                try:
                    body = await resp.aread()
                except httpx.TransportError as exc:
                    err, failure = t._transport_error(exc, self._method, self._url)
                else:
                    self._accept(resp)
                    err = t._not_sse(resp, body, self._model, self._json_lines)
                finally:
                    await resp.aclose()
            decision = t._decide(self._kind, retries, err, failure)
            if not decision.retry:
                self._finished = True
                self._closed = True
                raise err
            t._log_retry(self._method, self._url, err, decision)
            await asyncio.sleep(decision.delay)
            retries += 1

    def __aiter__(self) -> AsyncJSONEventStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        pending = self._pending
        pos = self._pos
        if pos < len(pending):
            self._pos = pos + 1
            return pending[pos]
        if not self._opened:
            await self._open()
        while True:
            if self._pos < len(self._pending):
                item = self._pending[self._pos]
                self._pos += 1
                return item
            if self._finished or self._bytes is None:
                await self.aclose()
                if (deferred := self._take_deferred()) is not None:
                    raise deferred
                raise StopAsyncIteration
            broken: StreamError | None = None
            try:
                chunk = await self._bytes.__anext__()
            except StopAsyncIteration:
                self._finished = True
                datas = self._decoder.flush_data()
            except httpx.TransportError as exc:
                broken = self._broken(exc)
                datas = []
            else:
                datas = self._decoder.feed_data(chunk)
            if broken is not None:
                self._finished = True
                await self.aclose()
                raise broken
            if datas:
                self._decode(datas)

    async def aclose(self) -> None:
        """Release the connection to the pool (safe to call more than once)."""
        self._finished = True
        if self._closed:
            return
        self._closed = True
        resp = self._resp
        if resp is not None:
            if self.done_seen and self._bytes is not None:
                left = _DRAIN_LIMIT  # only the chunked terminator is left after [DONE]
                with contextlib.suppress(httpx.HTTPError):
                    async for rest in self._bytes:
                        left -= len(rest)
                        if left < 0:
                            break
            await resp.aclose()

    async def __aenter__(self) -> AsyncJSONEventStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
