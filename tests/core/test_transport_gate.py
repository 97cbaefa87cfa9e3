"""The async pool gate: at most ``max_connections`` requests inside httpx's pool, the rest wait
in FIFO order, and every path (replies, errors, retries, streams read, abandoned or broken) gives
its place back. Load through it: tests/reliability/test_load_*.py."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import httpx
import pytest

from hub_core.errors import BadRequestError, HubTimeoutError, StreamError
from hub_core.transport import Timeouts, Transport
from hub_core.transport.pools import LIMITS, PoolGate, gate_for

HUB = "tokenhub"
CHAT = {"model": "openai/gpt-4.1", "messages": [{"role": "user", "content": "hello gate"}]}


def _transport(emu: Any, **kw: Any) -> Transport:
    return Transport(hub=HUB, base_url=emu.base_url(HUB), api_key=f"th-test-{uuid4().hex}", **kw)


def _fault(emu: Any, **rule: Any) -> None:
    emu.admin.fault(hub=HUB, path="chat/completions", count=1, **rule)


def test_gate_admits_in_order_and_times_out() -> None:
    async def run() -> list[str]:
        gate = PoolGate(2)
        await gate.enter(None)
        await gate.enter(None)
        assert gate.in_use == 2
        with pytest.raises(httpx.PoolTimeout, match="no free connection within 0.01 s"):
            await gate.enter(0.01)
        order: list[str] = []

        async def wait(name: str) -> None:
            await gate.enter(5.0)
            order.append(name)

        waiters = [asyncio.create_task(wait(n)) for n in ("first", "second")]
        await asyncio.sleep(0)
        gate.leave()
        gate.leave()
        await asyncio.gather(*waiters)
        assert gate.in_use == 2
        gate.leave()
        gate.leave()
        assert gate.in_use == 0
        return order

    assert asyncio.run(run()) == ["first", "second"]


def test_every_path_gives_its_place_back(hub_emulator: Any) -> None:
    t = _transport(hub_emulator, max_retries=1)

    async def run() -> None:
        gate = gate_for(t._aclient())
        assert gate.size == LIMITS.max_connections
        assert (await t.arequest("POST", "chat/completions", json=CHAT)).status_code == 200
        _fault(hub_emulator, status=400)
        with pytest.raises(BadRequestError):
            await t.arequest("POST", "chat/completions", json=CHAT)
        _fault(hub_emulator, status=503)  # retried once, then fine
        assert (await t.arequest("POST", "chat/completions", json=CHAT)).status_code == 200
        body = {**CHAT, "stream": True}
        async with t.astream_json("POST", "chat/completions", json=body) as stream:
            assert [c async for c in stream]
        stream = t.astream_json("POST", "chat/completions", json=body)
        async for _ in stream:
            assert gate.in_use == 1  # an open stream holds its place
            break
        await stream.aclose()  # abandoned after one event
        _fault(hub_emulator, status=400)  # a stream answered with an error, not a stream
        with pytest.raises(BadRequestError):
            async with t.astream_json("POST", "chat/completions", json=body) as stream:
                [c async for c in stream]
        _fault(hub_emulator, drop="after_chunks", after_chunks=2)
        with pytest.raises(StreamError):
            async with t.astream_json("POST", "chat/completions", json=body) as stream:
                [c async for c in stream]
        assert gate.in_use == 0
        await t.aclose()

    asyncio.run(run())


def test_a_full_gate_times_out_as_a_pool_timeout(hub_emulator: Any) -> None:
    t = _transport(hub_emulator, max_retries=0, timeout=Timeouts(pool=0.05))

    async def run() -> None:
        gate = gate_for(t._aclient())
        for _ in range(gate.size):  # every place taken, as by 1,000 calls in flight
            await gate.enter(None)
        try:
            with pytest.raises(HubTimeoutError) as info:
                await t.arequest("POST", "chat/completions", json=CHAT)
            assert info.value.phase == "pool"
            with pytest.raises(HubTimeoutError):
                await t.astream_json("POST", "chat/completions", json={**CHAT, "stream": True}
                                     ).__anext__()
        finally:
            for _ in range(gate.size):
                gate.leave()
        assert (await t.arequest("POST", "chat/completions", json=CHAT)).status_code == 200
        await t.aclose()

    asyncio.run(run())
