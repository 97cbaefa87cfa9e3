"""JSON event streams against the emulator: faults mid-stream, non-SSE replies, async twin."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import pytest

from hub_core.errors import (
    BadRequestError,
    HubConnectionError,
    InsufficientCreditsError,
    InvalidResponseError,
    ServerError,
    StreamError,
    UpstreamError,
)
from hub_core.transport import Transport

HUB = "tokenhub"
CHAT = {
    "model": "openai/gpt-4.1",
    "messages": [{"role": "user", "content": "hello there"}],
    "stream": True,
}


def _transport(emu: Any, **kw: Any) -> tuple[Transport, str]:
    key = f"th-test-{uuid4().hex}"
    return Transport(hub=HUB, base_url=emu.base_url(HUB), api_key=key, **kw), key


def _text(chunks: list[dict[str, Any]]) -> str:
    return "".join(
        (c["choices"][0]["delta"].get("content") or "") for c in chunks if c.get("choices")
    )


def _fault(emu: Any, **rule: Any) -> None:
    emu.admin.fault(hub=HUB, path="chat/completions", count=1, **rule)


def test_clean_stream_sets_done_seen(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    stream = t.stream_json("POST", "chat/completions", json=CHAT)
    chunks = list(stream)
    assert stream.done_seen
    assert stream.chunks == len(chunks)
    assert _text(chunks).startswith('You said: "hello there"')
    assert stream.request_id


def test_heartbeats_do_not_change_events(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    plain = list(t.stream_json("POST", "chat/completions", json=CHAT))
    _fault(hub_emulator, sse="heartbeats")
    with t.stream_json("POST", "chat/completions", json=CHAT) as stream:
        beats = list(stream)
    assert [c["choices"] for c in beats] == [c["choices"] for c in plain]
    assert stream.done_seen


def test_missing_done_is_reported_not_raised(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    _fault(hub_emulator, sse="missing_done")
    stream = t.stream_json("POST", "chat/completions", json=CHAT)
    chunks = list(stream)
    assert chunks
    assert not stream.done_seen


def test_malformed_event_raises_after_the_events_before_it(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    _fault(hub_emulator, sse="malformed_line", after_chunks=2)
    stream = t.stream_json("POST", "chat/completions", json=CHAT)
    got: list[dict[str, Any]] = []
    with pytest.raises(StreamError) as info:
        for chunk in stream:
            got.append(chunk)
    assert len(got) == 2 and info.value.chunks == 2
    assert stream.malformed == 1
    assert not stream.done_seen
    assert isinstance(info.value.error, InvalidResponseError)
    assert "chatcmpl-broken" in info.value.error.excerpt


def test_error_event_raises_stream_error_with_cause(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    _fault(hub_emulator, sse="error_event", status=502, after_chunks=2)
    got: list[dict[str, Any]] = []
    with pytest.raises(StreamError) as info:
        for chunk in t.stream_json("POST", "chat/completions", json=CHAT):
            got.append(chunk)
    assert len(got) == 2
    assert info.value.chunks == 2
    assert isinstance(info.value.error, UpstreamError)
    assert info.value.__cause__ is info.value.error
    assert info.value.status_code == 200


def test_connection_drop_mid_body_raises_stream_error(hub_emulator: Any) -> None:
    t, key = _transport(hub_emulator)
    _fault(hub_emulator, drop="after_chunks", after_chunks=3)
    got: list[dict[str, Any]] = []
    with pytest.raises(StreamError) as info:
        for chunk in t.stream_json("POST", "chat/completions", json=CHAT):
            got.append(chunk)
    assert len(got) == 3
    assert isinstance(info.value.error, HubConnectionError)
    # never retried once the body started
    assert len(hub_emulator.admin.ledger(HUB, key)["requests"]) == 1


def test_retry_before_first_byte(hub_emulator: Any) -> None:
    t, key = _transport(hub_emulator)
    _fault(hub_emulator, status=503, headers={"retry-after-ms": "5"})
    chunks = list(t.stream_json("POST", "chat/completions", json=CHAT))
    assert _text(chunks).startswith("You said")
    assert [r["status"] for r in hub_emulator.admin.ledger(HUB, key)["requests"]] == [503, 200]


def test_error_status_reply_to_stream_is_mapped(hub_emulator: Any) -> None:
    t, key = _transport(hub_emulator)
    hub_emulator.admin.set_account(HUB, key, balance=0)
    with pytest.raises(InsufficientCreditsError):
        list(t.stream_json("POST", "chat/completions", json=CHAT))


def test_error_200_json_reply_to_stream_is_mapped(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    _fault(hub_emulator, error_200=400)
    with pytest.raises(BadRequestError):
        list(t.stream_json("POST", "chat/completions", json=CHAT))


def test_non_sse_success_reply_is_a_stream_error(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    with pytest.raises(StreamError) as info:
        list(t.stream_json("GET", "models"))
    assert "application/json" in info.value.message


def test_early_close_releases_connection(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    stream = t.stream_json("POST", "chat/completions", json=CHAT)
    first = next(stream)
    assert first["choices"]
    stream.close()
    stream.close()  # idempotent
    assert list(stream) == []
    # the pool is usable afterwards (the connection went back or was dropped cleanly)
    assert t.request("GET", "models").status_code == 200


def test_async_stream_matches_sync(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    sync_chunks = list(t.stream_json("POST", "chat/completions", json=CHAT))

    async def run() -> tuple[list[dict[str, Any]], bool]:
        async with t.astream_json("POST", "chat/completions", json=CHAT) as stream:
            chunks = [c async for c in stream]
        await t.aclose()
        return chunks, stream.done_seen

    chunks, done = asyncio.run(run())
    assert done
    assert _text(chunks) == _text(sync_chunks)


def test_async_error_event(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    _fault(hub_emulator, sse="error_event", status=500)

    async def run() -> None:
        async for _ in t.astream_json("POST", "chat/completions", json=CHAT):
            pass

    with pytest.raises(StreamError) as info:
        asyncio.run(run())
    assert isinstance(info.value.error, ServerError)


def _pool_connections(t: Transport) -> list[Any]:
    return list(t._client()._transport._pool.connections)  # httpx's own pool, read only


def test_sequential_streams_reuse_one_connection(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)
    seen_ids = set()
    for _ in range(5):
        with t.stream_json("POST", "chat/completions", json=CHAT) as stream:
            assert list(stream)
            assert stream.done_seen
        connections = _pool_connections(t)
        assert len(connections) == 1
        seen_ids.add(id(connections[0]))
    assert len(seen_ids) == 1  # the same connection every time: [DONE] handed it back


def test_async_sequential_streams_reuse_one_connection(hub_emulator: Any) -> None:
    t, _ = _transport(hub_emulator)

    async def run() -> set[int]:
        ids = set()
        for _ in range(5):
            async with t.astream_json("POST", "chat/completions", json=CHAT) as stream:
                assert [c async for c in stream]
            pool = t._aclient()._transport._pool
            assert len(pool.connections) == 1
            ids.add(id(pool.connections[0]))
        return ids

    assert len(asyncio.run(run())) == 1
