"""Shared pooled httpx clients and their lifecycle.

One ``httpx.Client`` per (base_url, key, proxy) in a process and one ``httpx.AsyncClient`` per
(running event loop, base_url, key, proxy): async clients are loop-bound, so a second
``asyncio.run()`` gets a fresh one. A client closes when the last transport using it lets go,
when its event loop shuts down, or at interpreter exit, so no socket is left to the GC.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import weakref
from collections.abc import AsyncGenerator, AsyncIterator

import httpx
from pydantic import SecretStr

__all__ = [
    "LIMITS",
    "PoolGate",
    "PoolKey",
    "acquire_async",
    "acquire_sync",
    "gate_for",
    "release_async",
    "release_sync",
]

PoolKey = tuple[str, str, str | None]
"""(base_url or pool name, key fingerprint, proxy)."""

# Many concurrent streams to one hub are normal (agents, batch jobs): allow 1,000 open
# connections like the openai SDK, keep 100 warm for reuse.
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=5.0)


class PoolGate:
    """Lets at most ``LIMITS.max_connections`` requests into one async pool at a time.

    Why not let httpx queue them: once requests wait inside httpcore's pool, every state change
    re-scans each queued request against each connection, so with 1,000 connections a burst
    of 1,200 calls took 30-40 s instead of 6 (tests/reliability/test_load_*.py). Waiting here is
    FIFO and costs nothing per connection. The pool timeout still bounds the wait, raised as
    httpx's own ``PoolTimeout`` so it maps and retries like before.
    """

    __slots__ = ("_free", "_sem", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._sem = asyncio.Semaphore(size)
        self._free = size

    @property
    def in_use(self) -> int:
        """Requests inside the pool now (for tests and diagnostics)."""
        return self.size - self._free

    async def enter(self, timeout: float | None) -> None:
        """Wait for room (at most ``timeout`` seconds; None waits as long as it takes)."""
        sem = self._sem
        if not sem.locked():  # room now: no task, no timer
            await sem.acquire()
        else:
            try:
                await asyncio.wait_for(sem.acquire(), timeout)
            except asyncio.TimeoutError:
                raise httpx.PoolTimeout(
                    f"no free connection within {timeout} s ({self.size} in use)"
                ) from None
        self._free -= 1

    def leave(self) -> None:
        """Give the room back (once per ``enter``)."""
        self._free += 1
        self._sem.release()

    @contextlib.asynccontextmanager
    async def admit(self, timeout: float | None) -> AsyncIterator[None]:
        """``enter`` ... ``leave`` around a request whose response is read before the block ends."""
        await self.enter(timeout)
        try:
            yield
        finally:
            self.leave()


class _Shared:
    """A pooled client and how many transports use it (closed when the last one lets go)."""

    __slots__ = ("client", "refs")

    def __init__(self, client: httpx.Client | httpx.AsyncClient) -> None:
        self.client = client
        self.refs = 0


_LOCK = threading.Lock()
_SYNC: dict[PoolKey, _Shared] = {}
_ASYNC: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[PoolKey, _Shared]] = (
    weakref.WeakKeyDictionary()
)
_CLOSERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncGenerator[None, None]] = (
    weakref.WeakKeyDictionary()
)


_GATES: weakref.WeakKeyDictionary[httpx.AsyncClient, PoolGate] = weakref.WeakKeyDictionary()


def gate_for(client: httpx.AsyncClient) -> PoolGate:
    """The gate in front of ``client``'s pool (one per pooled client, made on first use)."""
    gate = _GATES.get(client)
    if gate is None:
        with _LOCK:
            gate = _GATES.get(client)
            if gate is None:
                max_connections = LIMITS.max_connections or 1_000_000
                gate = _GATES[client] = PoolGate(max_connections)
    return gate


async def _close_at_loop_shutdown(per_loop: dict[PoolKey, _Shared]) -> AsyncGenerator[None, None]:
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
            if isinstance(client, httpx.AsyncClient):
                with contextlib.suppress(Exception):
                    await client.aclose()


def _watch_loop(loop: asyncio.AbstractEventLoop, per_loop: dict[PoolKey, _Shared]) -> None:
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
        if isinstance(entry.client, httpx.Client):
            with contextlib.suppress(Exception):
                entry.client.close()


def _auth_headers(api_key: SecretStr | None) -> dict[str, str]:
    if api_key is None:
        return {}
    return {"Authorization": f"Bearer {api_key.get_secret_value()}"}


def acquire_sync(
    key: PoolKey, api_key: SecretStr | None, timeout: httpx.Timeout, proxy: str | None
) -> httpx.Client:
    """The process-wide client for ``key`` (made on first use); the caller holds one reference."""
    with _LOCK:
        shared = _SYNC.get(key)
        if shared is None or shared.client.is_closed:
            shared = _SYNC[key] = _Shared(
                httpx.Client(
                    headers=_auth_headers(api_key),
                    timeout=timeout,
                    limits=LIMITS,
                    proxy=proxy,
                    follow_redirects=False,
                )
            )
        shared.refs += 1
        client = shared.client
        assert isinstance(client, httpx.Client)
        return client


def release_sync(key: PoolKey, client: httpx.Client) -> None:
    """Drop one reference; the last one closes the client."""
    with _LOCK:
        shared = _SYNC.get(key)
        if shared is None or shared.client is not client:
            return
        shared.refs -= 1
        if shared.refs > 0:
            return
        del _SYNC[key]
    client.close()


def acquire_async(
    loop: asyncio.AbstractEventLoop,
    key: PoolKey,
    api_key: SecretStr | None,
    timeout: httpx.Timeout,
    proxy: str | None,
) -> httpx.AsyncClient:
    """The client for ``key`` on ``loop`` (made on first use); the caller holds one reference."""
    with _LOCK:
        per_loop = _ASYNC.get(loop)
        if per_loop is None:
            per_loop = _ASYNC[loop] = {}
            _watch_loop(loop, per_loop)
        shared = per_loop.get(key)
        if shared is None or shared.client.is_closed:
            shared = per_loop[key] = _Shared(
                httpx.AsyncClient(
                    headers=_auth_headers(api_key),
                    timeout=timeout,
                    limits=LIMITS,
                    proxy=proxy,
                    follow_redirects=False,
                )
            )
        shared.refs += 1
        client = shared.client
        assert isinstance(client, httpx.AsyncClient)
        return client


async def release_async(
    loop: asyncio.AbstractEventLoop, key: PoolKey, client: httpx.AsyncClient
) -> None:
    """Drop one reference on ``loop``; the last one closes the client."""
    with _LOCK:
        per_loop = _ASYNC.get(loop)
        if per_loop is None:
            return
        shared = per_loop.get(key)
        if shared is None or shared.client is not client:
            return
        shared.refs -= 1
        if shared.refs > 0:
            return
        del per_loop[key]
    await client.aclose()
