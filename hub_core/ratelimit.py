"""Client-side per-key RPM limit: a strict sliding window, shared by everything using one key.

Plans are "N requests in any 60 s" (Electron Hub uses a sliding window), so a log of timestamps
gives an exact guarantee where a token bucket would allow bursts of 2N. The transport takes one
slot per HTTP attempt (retries and polls count). Framework rate-limiter adapters only *wait*
(``wait_until_available``/``await_available``) so a call is never counted twice.

The hub counts a request when it arrives, somewhere between sending and the reply, and latencies
differ: a burst's first request can reach the hub later than a request sent one window after it.
So the transport *settles* each slot when the reply's headers arrive (:class:`Slot`): its stamp
moves to that moment, and the request that needs the slot next waits a full window after the hub
could have counted the earlier one, however uneven the latencies.

The window of a key lives in this process (:class:`WindowLog`) unless :func:`route_window` sends it
to a shared backend: ``ai_hubs_ray`` puts one window in a Ray actor so every worker of a cluster
keeps the plan's rpm together.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol

from pydantic import SecretStr

from hub_core.errors import HubInputError

__all__ = [
    "DEFAULT_WINDOW",
    "SlidingWindowLimiter",
    "Slot",
    "WindowBackend",
    "WindowLog",
    "atake_slot",
    "key_fingerprint",
    "limiter_for",
    "route_window",
    "take_slot",
    "window_seconds",
]

DEFAULT_WINDOW = 60.0
"""Seconds a plan's rpm counts over: a minute."""


class WindowBackend(Protocol):
    """Where a key's request log lives: :class:`WindowLog` here, or a proxy to a shared one.

    ``take`` returns ``(wait, stamp)``: ``wait`` is 0.0 when a slot was taken (``stamp`` is its
    time on the backend's clock, for ``settle``), else the seconds until one frees.
    """

    def take(self, rpm: int, window: float) -> tuple[float, float]: ...

    def settle(self, stamp: float) -> None: ...

    def delay(self, rpm: int, window: float) -> float: ...

    def freeze(self, seconds: float) -> None: ...

    def count(self, window: float) -> int: ...


class WindowLog:
    """One key's request stamps (sorted) and freeze deadline, on one clock; thread-safe.

    Each caller passes its own ``rpm`` and ``window``, so limiters with different settings on the
    same key all see every request made with it.
    """

    __slots__ = ("_clock", "_frozen_until", "_lock", "_stamps")

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._stamps: list[float] = []
        self._frozen_until = 0.0
        self._lock = threading.Lock()

    def _delay(self, rpm: int, window: float, now: float) -> float:
        """Seconds until a slot is free (0 if one is free now). Caller holds the lock."""
        stamps = self._stamps
        old = bisect.bisect_right(stamps, now - window)
        if old:
            del stamps[:old]
        wait = self._frozen_until - now
        if len(stamps) >= rpm:
            # the slot frees when the oldest stamp that keeps us at the limit leaves the window
            wait = max(wait, stamps[len(stamps) - rpm] + window - now)
        return max(wait, 0.0)

    def take(self, rpm: int, window: float) -> tuple[float, float]:
        """Take a slot if one is free: ``(0.0, stamp)``; else ``(seconds to wait, 0.0)``."""
        with self._lock:
            now = self._clock()
            wait = self._delay(rpm, window, now)
            if wait > 0.0:
                return wait, 0.0
            self._stamps.append(now)  # now >= every stamp: the list stays sorted
            return 0.0, now

    def settle(self, stamp: float) -> None:
        """Move a taken slot's stamp to now (the reply came; the hub has counted the request).

        A stamp no longer in the log (older than the window) is still re-added at now: the hub
        may have seen the request at any moment up to now.
        """
        with self._lock:
            stamps = self._stamps
            at = bisect.bisect_left(stamps, stamp)
            if at < len(stamps) and stamps[at] == stamp:
                del stamps[at]
            bisect.insort(stamps, self._clock())

    def delay(self, rpm: int, window: float) -> float:
        """Seconds until a slot is free, without taking it."""
        with self._lock:
            return self._delay(rpm, window, self._clock())

    def freeze(self, seconds: float) -> None:
        """Hold every user of the key for ``seconds`` (a shorter freeze never shortens one)."""
        if seconds <= 0:
            return
        with self._lock:
            self._frozen_until = max(self._frozen_until, self._clock() + seconds)

    def count(self, window: float) -> int:
        """Requests in the last ``window`` seconds."""
        with self._lock:
            now = self._clock()
            return len(self._stamps) - bisect.bisect_right(self._stamps, now - window)


class _Route:
    """A key's window as every limiter of it in this process sees it: local, or routed away."""

    __slots__ = ("backend", "local")

    def __init__(self, local: WindowLog) -> None:
        self.local = local
        self.backend: WindowBackend = local


class Slot:
    """One request's place in the window, taken before it is sent.

    ``settle()`` (idempotent; also on leaving a ``with`` block) moves the stamp to the moment the
    reply's headers arrived or the attempt failed. A slot without a limiter does nothing.
    """

    __slots__ = ("_route", "_stamp")

    def __init__(self, route: _Route | None = None, stamp: float = 0.0) -> None:
        self._route = route
        self._stamp = stamp

    def settle(self) -> None:
        """The reply came (or the attempt ended): restart this slot's window from now."""
        route, self._route = self._route, None
        if route is not None:
            route.backend.settle(self._stamp)

    def __enter__(self) -> Slot:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.settle()


NO_SLOT = Slot()


class SlidingWindowLimiter:
    """At most ``rpm`` requests in any ``window`` seconds; frozen after a 429.

    Objects for the same key share one window (``limiter_for``); each enforces its own ``rpm``
    against the shared log, so every request made with the key is counted.
    """

    def __init__(
        self,
        rpm: int,
        window: float = DEFAULT_WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
        _state: _Route | None = None,
        _registry_key: tuple[str, str] | None = None,
    ) -> None:
        if rpm <= 0:
            raise ValueError("rpm must be positive")
        if not window > 0:
            raise ValueError("window must be a positive number of seconds")
        self.rpm = rpm
        self.window = window
        self._state = _state or _Route(WindowLog(clock))
        self._registry_key = _registry_key

    def __repr__(self) -> str:
        return f"SlidingWindowLimiter(rpm={self.rpm}, window={self.window})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles by registry key, so the copy shares the key's window in its new process."""
        if self._registry_key is not None:
            return (_rebuild, (self._registry_key, self.rpm, self.window))
        return (SlidingWindowLimiter, (self.rpm, self.window))

    def try_acquire(self) -> float:
        """Take a slot if one is free and return 0.0; otherwise return the seconds to wait."""
        return self._state.backend.take(self.rpm, self.window)[0]

    def delay(self) -> float:
        """Seconds until a slot is free, without taking it."""
        return self._state.backend.delay(self.rpm, self.window)

    def _try_take(self) -> tuple[float, Slot]:
        route = self._state
        wait, stamp = route.backend.take(self.rpm, self.window)
        return wait, (Slot(route, stamp) if wait <= 0.0 else NO_SLOT)

    def take(self) -> Slot:
        """Wait for a slot and take it; settle the returned :class:`Slot` when the reply comes."""
        while True:
            wait, slot = self._try_take()
            if wait <= 0.0:
                return slot
            time.sleep(wait)

    async def atake(self) -> Slot:
        """Async :meth:`take` (sleeps on the event loop)."""
        while True:
            wait, slot = self._try_take()
            if wait <= 0.0:
                return slot
            await asyncio.sleep(wait)

    def acquire(self, blocking: bool = True) -> bool:
        """Take a slot, sleeping until one is free (or return False at once if not blocking)."""
        while True:
            wait = self.try_acquire()
            if wait <= 0.0:
                return True
            if not blocking:
                return False
            time.sleep(wait)

    async def aacquire(self) -> None:
        """``acquire`` for async code (sleeps on the event loop)."""
        await self.atake()

    def wait_until_available(self, blocking: bool = True) -> bool:
        """Wait until a slot is free WITHOUT taking it (the transport takes it when it sends)."""
        while True:
            wait = self.delay()
            if wait <= 0.0:
                return True
            if not blocking:
                return False
            time.sleep(wait)

    async def await_available(self) -> None:
        """Async ``wait_until_available``."""
        while True:
            wait = self.delay()
            if wait <= 0.0:
                return
            await asyncio.sleep(wait)

    def freeze(self, seconds: float) -> None:
        """Hold every user of this key for ``seconds`` (after a 429 with a server-given delay)."""
        self._state.backend.freeze(seconds)

    @property
    def in_window(self) -> int:
        """Requests counted in the current window (for tests and diagnostics)."""
        return self._state.backend.count(self.window)


def window_seconds(value: float | None, *, hub: str | None = None) -> float:
    """``rate_window`` checked: a positive number of seconds; None means a minute.

    Raises:
        HubInputError: (a ``ValueError``) naming ``rate_window``, before any request.
    """
    if value is None:
        return DEFAULT_WINDOW
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise HubInputError.invalid(
            "rate_window", "must be a positive number of seconds", value,
            fix="leave it unset for the plans' 60 s, or e.g. rate_window=3 for a test server",
            hub=hub,
        )
    return float(value)


def take_slot(limiter: SlidingWindowLimiter | None) -> Slot:
    """``limiter.take()``, or a slot that does nothing when there is no limiter."""
    return NO_SLOT if limiter is None else limiter.take()


async def atake_slot(limiter: SlidingWindowLimiter | None) -> Slot:
    """Async :func:`take_slot`."""
    return NO_SLOT if limiter is None else await limiter.atake()


_REGISTRY: dict[tuple[str, str], _Route] = {}
_REGISTRY_LOCK = threading.Lock()


def key_fingerprint(api_key: SecretStr | str | None) -> str:
    """A stable, non-reversible id for a key, so registries never hold the key itself."""
    if api_key is None:
        return "anonymous"
    raw = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
    return hashlib.sha256(b"ai-hubs-key:" + raw.encode()).hexdigest()[:32]


def _route_for(key: tuple[str, str]) -> _Route:
    with _REGISTRY_LOCK:
        route = _REGISTRY.get(key)
        if route is None:
            route = _REGISTRY[key] = _Route(WindowLog())
        return route


def _rebuild(key: tuple[str, str], rpm: int, window: float) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(rpm, window, _state=_route_for(key), _registry_key=key)


def limiter_for(
    hub: str,
    api_key: SecretStr | str | None,
    rpm: int | None,
    window: float | None = None,
) -> SlidingWindowLimiter | None:
    """The shared limiter for (hub, key): ``rpm`` requests in any ``window`` seconds (default
    60, the plans' minute); None when rpm is None/0."""
    if not rpm:
        return None
    key = (hub, key_fingerprint(api_key))
    return _rebuild(key, rpm, DEFAULT_WINDOW if window is None else window)


def route_window(hub: str, fingerprint: str, backend: WindowBackend | None) -> None:
    """Send every limiter of (hub, key) in this process to ``backend``, existing ones included.

    ``fingerprint`` is :func:`key_fingerprint` of the key. ``backend=None`` goes back to this
    process's own window. ``ai_hubs_ray.SharedRateLimit`` uses it for a cluster-wide window.
    """
    route = _route_for((hub, fingerprint))
    with _REGISTRY_LOCK:
        route.backend = route.local if backend is None else backend
