"""One key's request window: the log of stamps, where it lives, and a request's slot in it.

The hub counts a request when it arrives, somewhere between sending and the reply, and latencies
differ: a burst's first request can reach the hub later than a request sent one window after it.
So the transport *settles* each slot when the reply's headers arrive (:class:`Slot`): its stamp
moves to that moment, and the request that needs the slot next waits a full window after the hub
could have counted the earlier one, however uneven the latencies.

The window of a key lives in this process (:class:`WindowLog`) unless
:func:`hub_core.ratelimit.route_window` sends it to a shared backend: ``ai_hubs_ray`` puts one
window in a Ray actor so every worker of a cluster keeps the plan's rpm together.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Protocol

__all__ = ["NO_SLOT", "Slot", "WindowBackend", "WindowLog"]


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

    __slots__ = ("backend", "frozen_until", "local", "warned")

    def __init__(self, local: WindowLog) -> None:
        self.local = local
        self.backend: WindowBackend = local
        self.warned = False
        """Whether a long wait was already logged at WARNING for this key in this process."""
        self.frozen_until = 0.0
        """When this process's last 429 freeze ends (monotonic), to say why a call waits."""


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
