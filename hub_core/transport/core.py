"""``Transport``: HTTP for one hub and key -- requests with retries, streams, downloads.

Design (research/transport.md §2, §7): clients come from the shared pools (``pools``); one retry
layer (``hub_core.retry``), applied only before the first byte of a body; every attempt takes a
slot from the key's shared RPM limiter. No error raised here chains an httpx exception, because
those hold the request and its key.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from pydantic import SecretStr

from hub_core._version import __version__
from hub_core.error_bodies import error_from_payload, error_from_response, invalid_response
from hub_core.errors import (
    HubAPIError,
    HubConnectionError,
    HubError,
    HubTimeoutError,
    InsufficientCreditsError,
    InvalidResponseError,
    RateLimitError,
    ServerError,
    UpstreamError,
    redact,
)
from hub_core.ratelimit import (
    DEFAULT_WINDOW,
    SlidingWindowLimiter,
    atake_slot,
    key_fingerprint,
    limiter_for,
    take_slot,
)
from hub_core.retry import Decision, Failure, RequestKind, RetryPolicy, decide, parse_retry_after
from hub_core.transport.downloads import Downloaded, adownload, download
from hub_core.transport.logs import install_log_filters
from hub_core.transport.pools import (
    PoolKey,
    acquire_async,
    acquire_sync,
    gate_for,
    release_async,
    release_sync,
)
from hub_core.transport.streams import AsyncJSONEventStream, JSONEventStream
from hub_core.transport.types import HubResponse, Timeouts
from hub_core.validate import check_base_url

__all__ = ["Transport"]

log = logging.getLogger("hub_core.transport")
install_log_filters()  # httpcore's DEBUG traces print response headers: keep keys out of them

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


_HTTP_LIKE = (
    (RateLimitError, 429),
    (UpstreamError, 503),
    (ServerError, 500),
    (InvalidResponseError, 502),  # a broken proxy's page or a cut body: retried as a 502 is
)


class Transport:
    """HTTP for one hub and key: ``request``/``arequest``, ``stream_json``/``astream_json``.

    ``url`` may be relative to ``base_url`` or absolute. Pickles without its clients; they are
    rebuilt lazily in the new process. ``plan`` only names where ``rpm`` comes from (log lines).
    """

    plan: str | None = None

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
        rate_window: float = DEFAULT_WINDOW,
        max_retry_wait: float = 60.0,
        user_agent: str = f"ai-hubs/{__version__}",
        plan: str | None = None,
    ) -> None:
        self.hub = hub
        self.base_url = check_base_url(base_url, hub=hub)
        self.api_key: SecretStr | None = SecretStr(api_key) if isinstance(api_key, str) else api_key
        self.timeouts = Timeouts.of(timeout)
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.proxy = proxy
        self.rpm = rpm
        self.rate_window = rate_window
        self.max_retry_wait = max_retry_wait
        self.user_agent = user_agent
        self.plan = plan
        self._setup()

    def _setup(self) -> None:
        """Derived state; also run after unpickling."""
        self.policy = RetryPolicy(max_retries=self.max_retries, max_retry_wait=self.max_retry_wait)
        self._httpx_timeout = self.timeouts.to_httpx()
        self._headers = {"User-Agent": self.user_agent, **self.default_headers}
        self._secrets = (self.api_key.get_secret_value(),) if self.api_key is not None else ()
        self._pool_key: PoolKey = (self.base_url, key_fingerprint(self.api_key), self.proxy)
        self.limiter: SlidingWindowLimiter | None = limiter_for(
            self.hub, self.api_key, self.rpm, self.rate_window, plan=self.plan
        )
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
        "rate_window",
        "max_retry_wait",
        "user_agent",
        "plan",
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
        with self._lock:
            client = self._sync
            if client is None or client.is_closed:
                client = acquire_sync(
                    self._pool_key, self.api_key, self._httpx_timeout, self.proxy
                )
                self._sync = client
            return client

    def _aclient(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        last = self._last
        if last is not None and last[0] is loop:
            return last[1]
        with self._lock:
            held = self._async.get(id(loop))
            if held is not None and held[0]() is loop and not held[1].is_closed:
                client = held[1]
            else:
                client = acquire_async(
                    loop, self._pool_key, self.api_key, self._httpx_timeout, self.proxy
                )
                self._async = {k: v for k, v in self._async.items() if v[0]() is not None}
                self._async[id(loop)] = (weakref.ref(loop), client)
            self._last = (loop, client)
            return client

    def close(self) -> None:
        """Let go of the sync client (closed when no other transport uses it)."""
        with self._lock:
            client, self._sync = self._sync, None
        if client is not None:
            release_sync(self._pool_key, client)

    async def aclose(self) -> None:
        """Let go of this loop's async client and the sync client."""
        loop = asyncio.get_running_loop()
        with self._lock:
            held = self._async.pop(id(loop), None)
            last = self._last
            if last is not None and last[0] is loop:
                self._last = None
        if held is not None:
            await release_async(loop, self._pool_key, held[1])
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
        """A success as ``HubResponse``, or the mapped error (error status or error body).

        With ``expect_json`` a non-empty body must be valid JSON (else ``InvalidResponseError``);
        it is decoded here once and cached on the response. Without it (binary replies) only a
        body that looks like JSON is checked for an error.
        """
        status = resp.status_code
        if not 200 <= status < 300:
            return self._status_error(resp, model)
        out = HubResponse(status, resp.headers, resp.content, hub=self.hub)
        content = out.content
        if expect_json:
            if not content.strip():
                return out  # 204-style replies; a caller that needs a body gets the error there
        elif not ("json" in resp.headers.get("content-type", "") and content.lstrip()[:1] == b"{"):
            return out
        try:
            payload = out.json()
        except InvalidResponseError:
            if not expect_json:
                return out
            return invalid_response(
                status, content, resp.headers, hub=self.hub, model=model, secrets=self._secrets
            )
        err = error_from_payload(
            payload,
            hub=self.hub,
            status_code=status,
            headers=resp.headers,
            model=model,
            secrets=self._secrets,
        )
        return out if err is None else err

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
            slot = take_slot(limiter)
            failure: Failure | None = None
            try:
                with slot:  # settled when the reply is in: see hub_core.ratelimit
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
        gate = gate_for(client)
        full = self.url(url)
        hdrs = self._call_headers(headers)
        to = self._timeout(timeout)
        model = json.get("model") if isinstance(json, Mapping) else None
        limiter = self.limiter
        retries = 0
        while True:
            slot = await atake_slot(limiter)
            failure: Failure | None = None
            try:
                async with gate.admit(to.pool):
                    with slot:
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

    # -- downloads ------------------------------------------------------------------------

    def download(
        self,
        url: str,
        dest: str | Path,
        *,
        max_bytes: int | None = None,
        timeout: Timeouts | float | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Downloaded:
        """Stream ``url`` to ``dest`` (see :func:`hub_core.transport.downloads.download`)."""
        return download(self, url, dest, max_bytes=max_bytes, timeout=timeout, progress=progress)

    async def adownload(
        self,
        url: str,
        dest: str | Path,
        *,
        max_bytes: int | None = None,
        timeout: Timeouts | float | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Downloaded:
        """Async twin of :meth:`download`."""
        return await adownload(
            self, url, dest, max_bytes=max_bytes, timeout=timeout, progress=progress
        )
