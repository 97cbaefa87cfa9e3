"""Client-side per-key RPM limit: a strict sliding window, shared by everything using one key.

Plans are "N requests in any 60 s" (Electron Hub uses a sliding window), so a log of timestamps
gives an exact guarantee where a token bucket would allow bursts of 2N. The transport takes one
slot per HTTP attempt (retries and polls count) and settles it when the reply arrives
(``hub_core.ratewindow``). Framework rate-limiter adapters only *wait*
(``wait_until_available``/``await_available``) so a call is never counted twice.

A wait longer than ``LOG_WAIT_OVER`` seconds is logged (logger ``hub_core.ratelimit``): INFO each
time, WARNING the first time for each key, naming the plan, the rpm and how to change them, so a
user on a paid plan does not mistake the client's own pacing for a slow hub. Records name the hub,
never the key.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from hub_core.errors import HubInputError
from hub_core.ratewindow import NO_SLOT, Slot, WindowBackend, WindowLog, _Route

__all__ = [
    "DEFAULT_WINDOW",
    "LOG_WAIT_OVER",
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

log = logging.getLogger("hub_core.ratelimit")

DEFAULT_WINDOW = 60.0
"""Seconds a plan's rpm counts over: a minute."""
LOG_WAIT_OVER = 1.0
"""Waits longer than this many seconds are logged."""


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
        sleep: Callable[[float], None] = time.sleep,
        plan: str | None = None,
        _state: _Route | None = None,
        _registry_key: tuple[str, str] | None = None,
    ) -> None:
        if rpm <= 0:
            raise ValueError("rpm must be positive")
        if not window > 0:
            raise ValueError("window must be a positive number of seconds")
        self.rpm = rpm
        self.window = window
        self.plan = plan
        """The plan name ``rpm`` comes from, for log lines (None: an explicit ``rpm=``)."""
        self._clock = clock
        self._sleep = sleep
        self._state = _state or _Route(WindowLog(clock))
        self._registry_key = _registry_key

    def __repr__(self) -> str:
        return f"SlidingWindowLimiter(rpm={self.rpm}, window={self.window})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles by registry key, so the copy shares the key's window in its new process."""
        if self._registry_key is not None:
            return (_rebuild, (self._registry_key, self.rpm, self.window, self.plan))
        return (_unpickle_plain, (self.rpm, self.window, self.plan))

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
        told = False
        while True:
            wait, slot = self._try_take()
            if wait <= 0.0:
                return slot
            told = told or self._tell(wait)
            self._sleep(wait)

    async def atake(self) -> Slot:
        """Async :meth:`take` (sleeps on the event loop)."""
        told = False
        while True:
            wait, slot = self._try_take()
            if wait <= 0.0:
                return slot
            told = told or self._tell(wait)
            await asyncio.sleep(wait)

    def acquire(self, blocking: bool = True) -> bool:
        """Take a slot, sleeping until one is free (or return False at once if not blocking)."""
        told = False
        while True:
            wait = self.try_acquire()
            if wait <= 0.0:
                return True
            if not blocking:
                return False
            told = told or self._tell(wait)
            self._sleep(wait)

    async def aacquire(self) -> None:
        """``acquire`` for async code (sleeps on the event loop)."""
        await self.atake()

    def wait_until_available(self, blocking: bool = True) -> bool:
        """Wait until a slot is free WITHOUT taking it (the transport takes it when it sends)."""
        told = False
        while True:
            wait = self.delay()
            if wait <= 0.0:
                return True
            if not blocking:
                return False
            told = told or self._tell(wait)
            self._sleep(wait)

    async def await_available(self) -> None:
        """Async ``wait_until_available``."""
        told = False
        while True:
            wait = self.delay()
            if wait <= 0.0:
                return
            told = told or self._tell(wait)
            await asyncio.sleep(wait)

    def _tell(self, wait: float) -> bool:
        """Log a wait over ``LOG_WAIT_OVER`` s (WARNING the first time for this key); True if
        logged, so one call logs once however many times it loops."""
        if wait <= LOG_WAIT_OVER:
            return False
        route = self._state
        with _REGISTRY_LOCK:
            first = not route.warned
            route.warned = True
        frozen = route.frozen_until - self._clock() >= wait - 0.001
        hub = self._registry_key[0] if self._registry_key is not None else None
        log.log(logging.WARNING if first else logging.INFO, "%s", self._wait_message(
            wait, hub, frozen))
        return True

    def _wait_message(self, wait: float, hub: str | None, frozen: bool) -> str:
        who = f"{hub}: " if hub else ""
        why = (
            "the hub answered 429 and asked every client using this key to pause"
            if frozen
            else "the client-side rate limit is reached"
        )
        per = "per minute" if self.window == DEFAULT_WINDOW else f"per {self.window:g} s"
        limit = (
            f"plan={self.plan!r}: {self.rpm} requests {per}"
            if self.plan
            else f"rpm={self.rpm} requests {per}"
        )
        plans = _plan_names(hub)
        choices = f" (one of: {', '.join(plans)})" if plans else ""
        return (
            f"{who}waiting {wait:.1f} s before this call: {why} ({limit}). If your account "
            f"allows more, pass plan='<your plan>'{choices} or rpm=<requests per minute>; "
            "rpm=0 turns the client-side limit off."
        )

    def freeze(self, seconds: float) -> None:
        """Hold every user of this key for ``seconds`` (after a 429 with a server-given delay)."""
        if seconds > 0:
            route = self._state
            route.frozen_until = max(route.frozen_until, self._clock() + seconds)
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


def _rebuild(
    key: tuple[str, str], rpm: int, window: float, plan: str | None = None
) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(rpm, window, plan=plan, _state=_route_for(key), _registry_key=key)


def _unpickle_plain(rpm: int, window: float, plan: str | None) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(rpm, window, plan=plan)


def _plan_names(hub: str | None) -> list[str]:
    """The hub's plan names, for the hint in a wait message ([] when unknown)."""
    if hub is None:
        return []
    from hub_core.hubs import get_hub  # not at import time: hubs is the bigger module

    try:
        return sorted(get_hub(hub).plans)
    except ValueError:
        return []


def limiter_for(
    hub: str,
    api_key: SecretStr | str | None,
    rpm: int | None,
    window: float | None = None,
    *,
    plan: str | None = None,
) -> SlidingWindowLimiter | None:
    """The shared limiter for (hub, key): ``rpm`` requests in any ``window`` seconds (default
    60, the plans' minute); None when rpm is None/0.

    ``plan`` names where ``rpm`` came from, for the wait log line (None for an explicit rpm).
    """
    if not rpm:
        return None
    key = (hub, key_fingerprint(api_key))
    return _rebuild(key, rpm, DEFAULT_WINDOW if window is None else window, plan)


def route_window(hub: str, fingerprint: str, backend: WindowBackend | None) -> None:
    """Send every limiter of (hub, key) in this process to ``backend``, existing ones included.

    ``fingerprint`` is :func:`key_fingerprint` of the key. ``backend=None`` goes back to this
    process's own window. ``ai_hubs_ray.SharedRateLimit`` uses it for a cluster-wide window.
    """
    route = _route_for((hub, fingerprint))
    with _REGISTRY_LOCK:
        route.backend = route.local if backend is None else backend
