"""Client-side per-key RPM limit: a strict sliding window, shared by everything using one key.

Plans are "N requests in any 60 s" (Electron Hub uses a sliding window), so a log of timestamps
gives an exact guarantee where a token bucket would allow bursts of 2N. The transport takes one
slot per HTTP attempt (retries and polls count). Framework rate-limiter adapters only *wait*
(``wait_until_available``/``await_available``) so a call is never counted twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

__all__ = ["SlidingWindowLimiter", "key_fingerprint", "limiter_for"]


class _Window:
    """The shared state of one key: request timestamps and a freeze deadline."""

    __slots__ = ("frozen_until", "lock", "stamps")

    def __init__(self) -> None:
        self.stamps: deque[float] = deque()
        self.frozen_until = 0.0
        self.lock = threading.Lock()


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
        _state: _Window | None = None,
        _registry_key: tuple[str, str] | None = None,
    ) -> None:
        if rpm <= 0:
            raise ValueError("rpm must be positive")
        self.rpm = rpm
        self.window = window
        self._clock = clock
        self._state = _state or _Window()
        self._registry_key = _registry_key

    def __repr__(self) -> str:
        return f"SlidingWindowLimiter(rpm={self.rpm}, window={self.window})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles by registry key, so the copy shares the key's window in its new process."""
        if self._registry_key is not None:
            return (_rebuild, (self._registry_key, self.rpm, self.window))
        return (SlidingWindowLimiter, (self.rpm, self.window))

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
        while True:
            wait = self.try_acquire()
            if wait <= 0.0:
                return True
            if not blocking:
                return False
            time.sleep(wait)

    async def aacquire(self) -> None:
        """``acquire`` for async code (sleeps on the event loop)."""
        while True:
            wait = self.try_acquire()
            if wait <= 0.0:
                return
            await asyncio.sleep(wait)

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


def _rebuild(key: tuple[str, str], rpm: int, window: float) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(rpm, window, _state=_window_for(key), _registry_key=key)


def limiter_for(
    hub: str, api_key: SecretStr | str | None, rpm: int | None
) -> SlidingWindowLimiter | None:
    """The shared limiter for (hub, key) at ``rpm`` requests/minute; None when rpm is None/0."""
    if not rpm:
        return None
    key = (hub, key_fingerprint(api_key))
    return _rebuild(key, rpm, 60.0)
