"""Client-side per-key RPM limit: a strict sliding window, shared by everything using one key.

Plans are "N requests in any 60 s" (Electron Hub uses a sliding window), so a log of timestamps
gives an exact guarantee where a token bucket would allow bursts of 2N. The transport takes one
slot per HTTP attempt (retries and polls count). Framework rate-limiter adapters only *wait*
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
from collections import deque
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

__all__ = ["LOG_WAIT_OVER", "SlidingWindowLimiter", "key_fingerprint", "limiter_for"]

log = logging.getLogger("hub_core.ratelimit")

LOG_WAIT_OVER = 1.0
"""Waits longer than this many seconds are logged."""


class _Window:
    """The shared state of one key: request timestamps and a freeze deadline."""

    __slots__ = ("frozen_until", "lock", "stamps", "warned")

    def __init__(self) -> None:
        self.stamps: deque[float] = deque()
        self.frozen_until = 0.0
        self.lock = threading.Lock()
        self.warned = False
        """Whether a long wait was already logged at WARNING for this key."""


class SlidingWindowLimiter:
    """At most ``rpm`` requests in any ``window`` seconds; frozen after a 429.

    Objects for the same key share one window (``limiter_for``); each enforces its own ``rpm``
    against the shared log, so every request made with the key is counted.
    """

    def __init__(
        self,
        rpm: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        plan: str | None = None,
        _state: _Window | None = None,
        _registry_key: tuple[str, str] | None = None,
    ) -> None:
        if rpm <= 0:
            raise ValueError("rpm must be positive")
        self.rpm = rpm
        self.window = window
        self.plan = plan
        """The plan name ``rpm`` comes from, for log lines (None: an explicit ``rpm=``)."""
        self._clock = clock
        self._sleep = sleep
        self._state = _state or _Window()
        self._registry_key = _registry_key

    def __repr__(self) -> str:
        return f"SlidingWindowLimiter(rpm={self.rpm}, window={self.window})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles by registry key, so the copy shares the key's window in its new process."""
        if self._registry_key is not None:
            return (_rebuild, (self._registry_key, self.rpm, self.window, self.plan))
        return (_unpickle_plain, (self.rpm, self.window, self.plan))

    def _delay(self, now: float) -> float:
        """Seconds until a slot is free (0 if one is free now). Caller holds the lock."""
        state = self._state
        stamps = state.stamps
        horizon = now - self.window
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        wait = state.frozen_until - now
        if len(stamps) >= self.rpm:
            # the slot frees when the oldest stamp that keeps us at the limit leaves the window
            wait = max(wait, stamps[len(stamps) - self.rpm] + self.window - now)
        return max(wait, 0.0)

    def try_acquire(self) -> float:
        """Take a slot if one is free and return 0.0; otherwise return the seconds to wait."""
        with self._state.lock:
            now = self._clock()
            wait = self._delay(now)
            if wait <= 0.0:
                self._state.stamps.append(now)
            return wait

    def delay(self) -> float:
        """Seconds until a slot is free, without taking it."""
        with self._state.lock:
            return self._delay(self._clock())

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
        told = False
        while True:
            wait = self.try_acquire()
            if wait <= 0.0:
                return
            told = told or self._tell(wait)
            await asyncio.sleep(wait)

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
        state = self._state
        with state.lock:
            first = not state.warned
            state.warned = True
            frozen = state.frozen_until - self._clock() >= wait - 0.001
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
        limit = (
            f"plan={self.plan!r}: {self.rpm} requests per minute"
            if self.plan
            else f"rpm={self.rpm} requests per minute"
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
        if seconds <= 0:
            return
        with self._state.lock:
            until = self._clock() + seconds
            if until > self._state.frozen_until:
                self._state.frozen_until = until

    @property
    def in_window(self) -> int:
        """Requests counted in the current window (for tests and diagnostics)."""
        with self._state.lock:
            self._delay(self._clock())
            return len(self._state.stamps)


_REGISTRY: dict[tuple[str, str], _Window] = {}
_REGISTRY_LOCK = threading.Lock()


def key_fingerprint(api_key: SecretStr | str | None) -> str:
    """A stable, non-reversible id for a key, so registries never hold the key itself."""
    if api_key is None:
        return "anonymous"
    raw = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
    return hashlib.sha256(b"ai-hubs-key:" + raw.encode()).hexdigest()[:32]


def _window_for(key: tuple[str, str]) -> _Window:
    with _REGISTRY_LOCK:
        state = _REGISTRY.get(key)
        if state is None:
            state = _REGISTRY[key] = _Window()
        return state


def _rebuild(
    key: tuple[str, str], rpm: int, window: float, plan: str | None = None
) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(rpm, window, plan=plan, _state=_window_for(key), _registry_key=key)


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
    hub: str, api_key: SecretStr | str | None, rpm: int | None, *, plan: str | None = None
) -> SlidingWindowLimiter | None:
    """The shared limiter for (hub, key) at ``rpm`` requests/minute; None when rpm is None/0.

    ``plan`` names where ``rpm`` came from, for the wait log line (None for an explicit rpm).
    """
    if not rpm:
        return None
    key = (hub, key_fingerprint(api_key))
    return _rebuild(key, rpm, 60.0, plan)
