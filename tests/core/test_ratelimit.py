"""Sliding-window limiter math with a fake clock (no sleeping, no timing assertions)."""

from __future__ import annotations

import asyncio
import pickle
from uuid import uuid4

import pytest
from pydantic import SecretStr

from hub_core.errors import HubInputError
from hub_core.ratelimit import (
    SlidingWindowLimiter,
    WindowLog,
    key_fingerprint,
    limiter_for,
    route_window,
    window_seconds,
)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_strict_window() -> None:
    clock = Clock()
    lim = SlidingWindowLimiter(3, clock=clock)
    assert [lim.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert lim.try_acquire() == 60.0
    assert not lim.acquire(blocking=False)
    clock.t += 59.0
    assert lim.delay() == pytest.approx(1.0)
    clock.t += 1.0
    assert lim.try_acquire() == 0.0
    assert lim.in_window == 1  # the three old stamps left the window together


def test_wait_until_available_does_not_take_a_slot() -> None:
    clock = Clock()
    lim = SlidingWindowLimiter(1, clock=clock)
    assert lim.wait_until_available(blocking=False)
    assert lim.wait_until_available()
    assert lim.in_window == 0
    assert lim.acquire()
    assert not lim.wait_until_available(blocking=False)


def test_freeze_blocks_until_deadline() -> None:
    clock = Clock()
    lim = SlidingWindowLimiter(100, clock=clock)
    lim.freeze(30.0)
    assert lim.try_acquire() == pytest.approx(30.0)
    lim.freeze(5.0)  # a shorter freeze never shortens the current one
    clock.t += 30.0
    assert lim.try_acquire() == 0.0


def test_limiter_for_shares_per_key_and_hub() -> None:
    key = f"ek-test-{uuid4().hex}"
    assert limiter_for("electronhub", key, None) is None
    assert limiter_for("electronhub", key, 0) is None
    a = limiter_for("electronhub", SecretStr(key), 2)
    b = limiter_for("electronhub", key, 2)
    other = limiter_for("chainhub", key, 2)
    assert a is not None
    assert b is not None
    assert other is not None
    assert a.acquire()
    assert b.acquire()
    assert not a.acquire(blocking=False)
    assert not b.acquire(blocking=False)
    assert other.acquire(blocking=False)
    # a looser limit on the same key still sees the shared log
    loose = limiter_for("electronhub", key, 3)
    assert loose is not None
    assert loose.in_window == 2
    assert loose.acquire(blocking=False)
    assert not loose.acquire(blocking=False)


def test_pickle_keeps_sharing_and_hides_key() -> None:
    key = f"ek-test-{uuid4().hex}"
    lim = limiter_for("electronhub", key, 1)
    assert lim is not None
    data = pickle.dumps(lim)
    assert key.encode() not in data
    copy = pickle.loads(data)
    assert lim.acquire()
    assert not copy.acquire(blocking=False)
    assert key not in repr(lim)


def test_async_paths() -> None:
    clock = Clock()
    lim = SlidingWindowLimiter(2, clock=clock)

    async def run() -> int:
        await lim.await_available()
        await lim.aacquire()
        await lim.aacquire()
        return lim.in_window

    assert asyncio.run(run()) == 2


def test_settle_restarts_the_slot_from_the_reply() -> None:
    """A slow reply: the hub may have counted the request late, so its slot frees later."""
    clock = Clock()
    lim = SlidingWindowLimiter(1, 10.0, clock=clock)
    slot = lim.take()
    clock.t += 3.0  # the reply arrives 3 s after sending
    slot.settle()
    slot.settle()  # idempotent: one request, one stamp
    clock.t += 7.0  # ten seconds after sending, but only seven after the reply
    assert lim.delay() == pytest.approx(3.0)
    assert lim.in_window == 1
    clock.t += 3.0
    assert lim.delay() == 0.0


def test_slot_settles_on_leaving_with_even_on_error() -> None:
    clock = Clock()
    lim = SlidingWindowLimiter(2, 10.0, clock=clock)
    with pytest.raises(ConnectionError), lim.take():
        clock.t += 4.0
        raise ConnectionError("the attempt failed; the hub may still have seen it")
    clock.t += 6.0
    assert lim.in_window == 1  # counted from the failure, not from the send


def test_settle_after_the_stamp_left_the_window_still_counts_it() -> None:
    clock = Clock()
    lim = SlidingWindowLimiter(1, 10.0, clock=clock)
    slot = lim.take()
    clock.t += 12.0  # a reply slower than the window
    assert lim.in_window == 0
    slot.settle()
    assert lim.in_window == 1
    assert lim.delay() == pytest.approx(10.0)


def test_window_is_a_parameter_and_is_checked() -> None:
    key = f"ek-test-{uuid4().hex}"
    lim = limiter_for("electronhub", key, 5, 3.0)
    assert lim is not None and lim.window == 3.0
    default = limiter_for("electronhub", key, 5)
    assert default is not None and default.window == 60.0
    with pytest.raises(ValueError, match="window"):
        SlidingWindowLimiter(5, 0.0)
    assert window_seconds(None) == 60.0
    assert window_seconds(2) == 2.0
    for bad in (0, -1.0, True, "3"):
        with pytest.raises(HubInputError, match="rate_window must be a positive number") as info:
            window_seconds(bad)  # type: ignore[arg-type]
        assert info.value.field == "rate_window"


class Recorder:
    """A stand-in shared backend: a WindowLog of its own that records the calls."""

    def __init__(self) -> None:
        self.log = WindowLog()
        self.calls: list[str] = []

    def take(self, rpm: int, window: float) -> tuple[float, float]:
        self.calls.append("take")
        return self.log.take(rpm, window)

    def settle(self, stamp: float) -> None:
        self.calls.append("settle")
        self.log.settle(stamp)

    def delay(self, rpm: int, window: float) -> float:
        self.calls.append("delay")
        return self.log.delay(rpm, window)

    def freeze(self, seconds: float) -> None:
        self.calls.append("freeze")
        self.log.freeze(seconds)

    def count(self, window: float) -> int:
        return self.log.count(window)


def test_route_window_moves_existing_limiters_and_back() -> None:
    key = f"ek-test-{uuid4().hex}"
    before = limiter_for("electronhub", key, 1)
    assert before is not None and before.acquire()  # one request in the local window
    shared = Recorder()
    route_window("electronhub", key_fingerprint(key), shared)
    after = limiter_for("electronhub", SecretStr(key), 1)
    assert after is not None
    assert before.in_window == 0  # the shared window is empty: the local one is not consulted
    with before.take():
        pass
    assert not after.acquire(blocking=False)
    assert shared.calls == ["take", "settle", "take"]
    route_window("electronhub", key_fingerprint(key), None)
    assert after.in_window == 1  # back on the local window, which kept its request
    assert limiter_for("electronhub", key, 1) is not None
