"""Each media operation is written once, as a generator of I/O requests ("sans-I/O").

A flow ``yield``s what it needs done -- an HTTP call, a download, a pause, a stream event, a
progress callback -- and gets the answer back (or the error thrown in). :func:`run_sync` and
:func:`run_async` carry the requests out with the transport's sync or async methods. So every
public operation has a sync and an async twin that share every rule (journal first, submit
once, poll with backoff) instead of two copies of it drifting apart.

Example:
    >>> def flow():
    ...     yield Sleep(0)
    ...     return "done"
    >>> run_sync(None, flow())  # doctest: +SKIP
    'done'
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Union

from hub_core.retry import RequestKind

if TYPE_CHECKING:
    from hub_core.transport import AsyncJSONEventStream, JSONEventStream, Timeouts, Transport

__all__ = [
    "Call",
    "CloseStream",
    "Effect",
    "Fetch",
    "Flow",
    "NextEvent",
    "Notify",
    "OpenStream",
    "Sleep",
    "run_async",
    "run_sync",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One HTTP request through the transport's retry table; answers a ``HubResponse``."""

    method: str
    url: str
    json: Any = None
    data: Mapping[str, Any] | None = None
    files: Any = None
    headers: Mapping[str, str] | None = None
    kind: RequestKind = "call"
    expect_json: bool = True
    timeout: Timeouts | float | None = None


@dataclass(frozen=True)
class Fetch:
    """Stream ``url`` to ``dest`` (whole or nothing); answers a ``Downloaded``."""

    url: str
    dest: Path
    max_bytes: int | None = None


@dataclass(frozen=True)
class Sleep:
    """Pause (``time.sleep`` or ``asyncio.sleep``); answers None."""

    seconds: float


@dataclass(frozen=True)
class OpenStream:
    """Open a JSON event stream (SSE or JSON lines); answers the stream handle."""

    method: str
    url: str
    json: Any = None
    headers: Mapping[str, str] | None = None
    timeout: Timeouts | float | None = None
    kind: RequestKind = "submit"


@dataclass(frozen=True)
class NextEvent:
    """The stream's next event dict, or None at its end."""

    stream: Any


@dataclass(frozen=True)
class CloseStream:
    """Release a stream's connection; answers None."""

    stream: Any


@dataclass(frozen=True)
class Notify:
    """Call a user callback with ``arg``; an async callback is awaited by :func:`run_async`."""

    callback: Callable[[Any], Any]
    arg: Any


Effect = Union[Call, Fetch, Sleep, OpenStream, NextEvent, CloseStream, Notify]
Flow = Generator[Effect, Any, T]


def _perform(transport: Transport, effect: Effect) -> Any:
    if isinstance(effect, Call):
        return transport.request(
            effect.method, effect.url, json=effect.json, data=effect.data, files=effect.files,
            headers=effect.headers, kind=effect.kind, expect_json=effect.expect_json,
            timeout=effect.timeout,
        )
    if isinstance(effect, Fetch):
        return transport.download(effect.url, effect.dest, max_bytes=effect.max_bytes)
    if isinstance(effect, Sleep):
        if effect.seconds > 0:
            time.sleep(effect.seconds)
        return None
    if isinstance(effect, OpenStream):
        return transport.stream_json(
            effect.method, effect.url, json=effect.json, headers=effect.headers,
            timeout=effect.timeout, json_lines=True, kind=effect.kind, skip_heartbeats=False,
        )
    if isinstance(effect, NextEvent):
        stream: JSONEventStream = effect.stream
        return next(stream, None)
    if isinstance(effect, CloseStream):
        effect.stream.close()
        return None
    result = effect.callback(effect.arg)
    if inspect.isawaitable(result):  # an async callback on a sync call: run it to completion
        asyncio.run(_await(result))
    return None


async def _await(awaitable: Any) -> Any:
    return await awaitable


async def _aperform(transport: Transport, effect: Effect) -> Any:
    if isinstance(effect, Call):
        return await transport.arequest(
            effect.method, effect.url, json=effect.json, data=effect.data, files=effect.files,
            headers=effect.headers, kind=effect.kind, expect_json=effect.expect_json,
            timeout=effect.timeout,
        )
    if isinstance(effect, Fetch):
        return await transport.adownload(effect.url, effect.dest, max_bytes=effect.max_bytes)
    if isinstance(effect, Sleep):
        await asyncio.sleep(max(effect.seconds, 0.0))
        return None
    if isinstance(effect, OpenStream):
        return transport.astream_json(
            effect.method, effect.url, json=effect.json, headers=effect.headers,
            timeout=effect.timeout, json_lines=True, kind=effect.kind, skip_heartbeats=False,
        )
    if isinstance(effect, NextEvent):
        stream: AsyncJSONEventStream = effect.stream
        try:
            return await stream.__anext__()
        except StopAsyncIteration:
            return None
    if isinstance(effect, CloseStream):
        await effect.stream.aclose()
        return None
    result = effect.callback(effect.arg)
    if inspect.isawaitable(result):
        await result
    return None


def run_sync(transport: Transport, flow: Flow[T]) -> T:
    """Drive ``flow`` with blocking I/O and return its value (its errors propagate)."""
    try:
        effect = next(flow)
        while True:
            try:
                answer = _perform(transport, effect)
            except BaseException as exc:  # the flow decides: handle it, or let it out
                effect = flow.throw(exc)
            else:
                effect = flow.send(answer)
    except StopIteration as stop:
        value: T = stop.value
        return value
    finally:
        flow.close()


async def run_async(transport: Transport, flow: Flow[T]) -> T:
    """Async twin of :func:`run_sync`."""
    try:
        effect = next(flow)
        while True:
            try:
                answer = await _aperform(transport, effect)
            except BaseException as exc:
                effect = flow.throw(exc)
            else:
                effect = flow.send(answer)
    except StopIteration as stop:
        value: T = stop.value
        return value
    finally:
        flow.close()
