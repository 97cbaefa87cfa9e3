"""Sliding-window limiter math with a fake clock (no sleeping, no timing assertions)."""

from __future__ import annotations

import asyncio
import pickle
from uuid import uuid4

import pytest
from pydantic import SecretStr

from hub_core.ratelimit import SlidingWindowLimiter, limiter_for


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
