"""JSON event streams: SSE (chat) and JSON lines (Electron Hub video), sync and async.

Retries happen only before the body starts. An ``error`` event or a broken connection raises
:class:`~hub_core.errors.StreamError` once the events before it were read, so partial output is
never lost to how the bytes happened to be split.
"""

from __future__ import annotations

import asyncio
import contextlib
import json as _json
import logging
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from hub_core.error_bodies import error_from_payload, invalid_response
from hub_core.errors import HubAPIError, HubError, StreamError
from hub_core.ratelimit import atake_slot, take_slot
from hub_core.retry import Failure, RequestKind
from hub_core.sse import SSEDecoder
from hub_core.transport.pools import PoolGate, gate_for
from hub_core.transport.types import Timeouts

if TYPE_CHECKING:
    from hub_core.transport.core import Transport

__all__ = ["AsyncJSONEventStream", "JSONEventStream"]

log = logging.getLogger("hub_core.transport")

_loads = _json.loads
_DRAIN_LIMIT = 65536
"""Bytes read after ``[DONE]`` so the connection goes back to the pool instead of closing."""


def stream_headers(transport: Transport, headers: Mapping[str, str] | None) -> dict[str, str]:
    """The transport's headers plus ``Accept: text/event-stream`` and the call's own."""
    return {**transport._headers, "Accept": "text/event-stream", **(headers or {})}


def not_sse(transport: Transport, resp: httpx.Response, body: bytes, model: str | None) -> HubError:
    """The error for a stream request answered without a stream.

    An error status or a JSON error body maps to that error; a body that is not JSON (a proxy's
    page, a cut reply) is an ``InvalidResponseError`` (retried like a 502); any other JSON (a hub
    that ignored ``stream``) is a ``StreamError``.
    """
    if not 200 <= resp.status_code < 300:
        return transport._status_error(resp, model, body)
    try:
        payload = _loads(body) if body.strip() else None
    except ValueError:
        return invalid_response(
            resp.status_code,
            body,
            resp.headers,
            hub=transport.hub,
            model=model,
            secrets=transport._secrets,
        )
    err = error_from_payload(
        payload,
        hub=transport.hub,
        status_code=resp.status_code,
        headers=resp.headers,
        model=model,
        secrets=transport._secrets,
    )
    if err is not None:
        return err
    ctype = resp.headers.get("content-type", "") or "no content type"
    return StreamError(
        f"asked for a stream but the hub answered {resp.status_code} {ctype}", hub=transport.hub
    )


def _is_sse(resp: httpx.Response, json_lines: bool) -> bool:
    if not 200 <= resp.status_code < 300:
        return False
    ctype = resp.headers.get("content-type", "")
    # JSON-lines streams (Electron Hub video) come with any content type but a web page (a
    # proxy's HTML is read whole and raised as InvalidResponseError, not skipped line by line
    # into "the stream ended"); error lines in them are still mapped, as StreamError(error=...)
    if json_lines:
        return "text/html" not in ctype
    return "text/event-stream" in ctype


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
        self._headers = stream_headers(transport, headers)
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
        """Events whose data was not valid JSON (the first one ends the stream with an error)."""
        self.ignored = 0
        """Well-formed events skipped because they were not JSON objects."""
        self.status_code: int | None = None
        self.headers: Mapping[str, str] = {}
        self.request_id: str | None = None

    def _accept(self, resp: httpx.Response) -> None:
        self.status_code = resp.status_code
        self.headers = resp.headers
        self.request_id = resp.headers.get("x-request-id") or resp.headers.get("request-id")

    def _decode(self, datas: list[str]) -> None:
        """JSON-decode event data once; ``[DONE]`` ends; an error event or an event that is not
        valid JSON raises StreamError once the events before it are read.

        Well-formed events that are not JSON objects (``data: 1``) are not ours to interpret:
        they are skipped and counted in ``ignored``.
        """
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
                self._defer_malformed(data, len(pending))
                break
            if type(obj) is not dict:
                self.ignored += 1
                log.debug("%s: ignored a stream event that is not a JSON object", self._t.hub)
                continue
            if obj.get("error") and self._defer_event_error(obj, len(pending)):
                break
            if self._skip_heartbeats and obj.get("heartbeat"):
                continue
            pending.append(obj)
        self.chunks += len(pending)
        self._pending = pending
        self._pos = 0

    def _defer_malformed(self, data: str, before: int) -> None:
        """An event that is not valid JSON: the reply is incomplete, so it must not look whole."""
        self.malformed += 1
        err = invalid_response(
            self.status_code or 200,
            data.encode(),
            self.headers,
            hub=self._t.hub,
            model=self._model,
            secrets=self._t._secrets,
        )
        what = f"is not valid JSON ({err.excerpt[:80]!r}); the reply is incomplete"
        self._defer(err, before, what)

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
        self._defer(err, before, f"is an error: {err}")
        return True

    def _defer(self, err: HubAPIError, before: int, what: str) -> None:
        """End the stream; ``StreamError`` (cause ``err``) is raised after the events before it."""
        chunks = self.chunks + before
        stream_error = StreamError(
            f"the stream event after {chunks} chunks {what}",
            hub=self._t.hub,
            chunks=chunks,
            error=err,
        )
        stream_error.__cause__ = err
        self._deferred = stream_error
        self._finished = True

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
            slot = take_slot(limiter)
            failure: Failure | None = None
            try:
                req = client.build_request(
                    self._method,
                    self._url,
                    json=self._json,
                    headers=self._headers,
                    timeout=self._timeout,
                )
                with slot:  # settled once the headers are in: see hub_core.ratelimit
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
                    err = not_sse(t, resp, body, self._model)
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
    _gate: PoolGate | None = None
    """The pool gate while this stream holds a place in it (given back by ``aclose``)."""

    async def _open(self) -> None:
        t = self._t
        client = t._aclient()
        gate = gate_for(client)
        limiter = t.limiter
        retries = 0
        self._opened = True
        while True:
            slot = await atake_slot(limiter)
            failure: Failure | None = None
            try:
                req = client.build_request(
                    self._method,
                    self._url,
                    json=self._json,
                    headers=self._headers,
                    timeout=self._timeout,
                )
                with slot:
                    await gate.enter(self._timeout.pool)
                    try:
                        resp = await client.send(req, stream=True)
                    except BaseException:
                        gate.leave()
                        raise
            except httpx.TransportError as exc:
                err, failure = t._transport_error(exc, self._method, self._url)
            else:
                if _is_sse(resp, self._json_lines):
                    self._resp = resp
                    self._gate = gate
                    self._accept(resp)
                    self._bytes = resp.aiter_bytes()
                    return
                try:
                    body = await resp.aread()
                except httpx.TransportError as exc:
                    err, failure = t._transport_error(exc, self._method, self._url)
                else:
                    self._accept(resp)
                    err = not_sse(t, resp, body, self._model)
                finally:
                    await resp.aclose()
                    gate.leave()
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
            try:
                await resp.aclose()
            finally:
                gate, self._gate = self._gate, None
                if gate is not None:
                    gate.leave()

    async def __aenter__(self) -> AsyncJSONEventStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
