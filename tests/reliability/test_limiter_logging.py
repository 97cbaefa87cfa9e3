"""The client-side plan limiter says when it makes a call wait more than a second.

Before the fix the sixth call in a minute on Electron Hub's free plan (5 RPM) slept about 12 s
without a word. Now: INFO each time, WARNING the first time per key, naming the plan, the rpm and
how to change them (``plan=``, ``rpm=``), never the key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from hub_core.errors import RateLimitError
from hub_core.ratelimit import SlidingWindowLimiter, limiter_for
from hub_core.ratewindow import WindowLog, _Route
from langchain_hub import ChatElectronHub, ChatHub
from llamaindex_hub import ElectronHubLLM

LOGGER = "hub_core.ratelimit"


class FakeTime:
    """A clock and a sleep that advances it, so a 60 s window costs no real time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


def test_sixth_call_on_the_free_plan_logs_plan_rpm_and_fix(
    caplog: pytest.LogCaptureFixture, hub_key: Callable[[str], str]
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    key = hub_key("electronhub")
    fake = FakeTime()
    shared = limiter_for("electronhub", key, 5, plan="free")
    assert shared is not None
    # the key's registry entry (so the log names the hub), with a window on the fake clock
    lim = SlidingWindowLimiter(
        5, clock=fake.clock, sleep=fake.sleep, _state=_Route(WindowLog(fake.clock)),
        _registry_key=shared._registry_key, plan="free",
    )
    for _ in range(5):
        lim.acquire()
    assert _records(caplog) == []  # no wait, no noise
    lim.acquire()  # the sixth call waits for the window
    for _ in range(4):
        lim.acquire()  # the window is full again...
    lim.wait_until_available()  # ...and the adapters' path (waits, takes no slot) says so too
    fake.now += 61
    lim.acquire()  # a slot is free again: nothing to say
    records = _records(caplog)
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]
    text = records[0].getMessage()
    for part in ("electronhub", "plan='free'", "5 requests per minute", "plan=", "rpm=",
                 "rpm=0", "60.0 s"):
        assert part in text, (part, text)
    for record in records:
        assert key not in record.getMessage() and key not in repr(record.__dict__)
    assert fake.slept and fake.slept[0] == pytest.approx(60.0)


def test_short_waits_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    fake = FakeTime()
    lim = SlidingWindowLimiter(1, window=0.5, clock=fake.clock, sleep=fake.sleep)
    lim.acquire()
    lim.acquire()
    assert fake.slept == [0.5]
    assert _records(caplog) == []


def test_explicit_rpm_is_named_instead_of_a_plan(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    fake = FakeTime()
    lim = SlidingWindowLimiter(2, clock=fake.clock, sleep=fake.sleep)
    for _ in range(3):
        lim.acquire()
    (record,) = _records(caplog)
    assert "(rpm=2 requests per minute)" in record.getMessage()
    assert "plan='free'" not in record.getMessage()


def test_adapters_carry_the_plan_into_the_log(
    hub_emulator: Any, hub_key: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    """A 429 freezes the key's shared limiter; the next call (another object, same key) waits
    more than a second and says so, through LangChain and LlamaIndex, sync and async."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    key = hub_key("electronhub")
    base = hub_emulator.base_url("electronhub")
    kw = {"api_key": key, "base_url": base, "max_retries": 0}
    hub_emulator.admin.fault(hub="electronhub", path="chat/completions", status=429,
                             headers={"Retry-After": "1.2"})
    lc = ChatElectronHub(model="gpt-4o-mini", **kw)
    assert lc.rate_limiter is not None
    with pytest.raises(RateLimitError):
        lc.invoke("hi")
    li = ElectronHubLLM(model="gpt-4o-mini", plan="starter", **kw)
    assert li.chat([ChatMessage(role="user", content="hi")]).message.content
    hub_emulator.admin.fault(hub="electronhub", path="chat/completions", status=429,
                             headers={"Retry-After": "1.2"})
    with pytest.raises(RateLimitError):
        lc.invoke("hi")
    assert asyncio.run(ChatHub(hub="electronhub", model="gpt-4o-mini", **kw).ainvoke("hi")).content
    records = _records(caplog)
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]
    first, second = (r.getMessage() for r in records)
    assert "plan='starter'" in first and "10 requests per minute" in first
    assert "429" in first  # the wait came from the hub's Retry-After, and it says so
    assert "plan='free'" in second and "5 requests per minute" in second
    assert all(key not in r.getMessage() for r in records)
