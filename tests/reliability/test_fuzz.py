"""Fuzzing (hypothesis): whatever bytes or JSON a hub sends, only our typed errors come out.

Targets: the SSE decoder, the stream event decoding on top of it, the error-body parser
(``error_from_response`` / ``error_from_payload``), the tool-call delta merger, and the chat-chunk
readers both adapters feed streamed chunks through. Pure functions, so no emulator is needed.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub_core.chat import ToolCallMerger, finish_reason_of, partial_text
from hub_core.errors import (
    HubAPIError,
    HubError,
    InvalidResponseError,
    StreamError,
    error_from_payload,
    error_from_response,
)
from hub_core.sse import SSEDecoder
from hub_core.transport import Transport
from langchain_hub import ChatHub
from langchain_hub._chat_results import chat_result
from langchain_hub._messages import StreamState as LCStreamState
from llamaindex_hub import HubLLM
from llamaindex_hub._stream import StreamState as LIStreamState

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# JSON values of every shape, with the keys hubs use so the parsers' branches are reached.
KEYS = st.sampled_from([
    "error", "message", "detail", "code", "type", "msg", "description", "status", "data",
    "choices", "delta", "content", "tool_calls", "index", "id", "function", "name", "arguments",
    "finish_reason", "usage", "reasoning", "reasoning_content", "heartbeat", "balance", "param",
])
SCALARS = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(
    allow_nan=False) | st.text(max_size=30)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(KEYS | st.text(max_size=8), inner, max_size=5),
    max_leaves=25,
)
HEADERS = st.dictionaries(
    st.sampled_from(["retry-after", "retry-after-ms", "x-ratelimit-reset", "content-type",
                     "x-request-id", "authorization"]),
    st.text(max_size=20),
    max_size=4,
)


def _splits(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(raw) + 1) for c in cuts})
    pieces, start = [], 0
    for point in points:
        pieces.append(raw[start:point])
        start = point
    pieces.append(raw[start:])
    return pieces


# -- SSE decoder -----------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=10), st.booleans())
def test_sse_decoder_takes_any_bytes_in_any_split(
    raw: bytes, cuts: list[int], json_lines: bool
) -> None:
    whole = SSEDecoder(json_lines=json_lines)
    expected = whole.feed_data(raw) + whole.flush_data()
    split = SSEDecoder(json_lines=json_lines)
    got: list[str] = []
    for piece in _splits(raw, cuts):
        got += split.feed_data(piece)
    got += split.flush_data()
    assert got == expected
    assert all(isinstance(d, str) for d in got)


@FUZZ
@given(st.lists(JSON, min_size=1, max_size=6), st.lists(st.integers(0, 2000), max_size=12))
def test_sse_decoder_returns_every_json_event_whatever_the_split(
    objs: list[Any], cuts: list[int]
) -> None:
    texts = [json.dumps(o) for o in objs]
    raw = b"".join(f"data: {t}\r\n\r\n".encode() for t in texts) + b"data: [DONE]\n\n"
    dec = SSEDecoder()
    got: list[str] = []
    for piece in _splits(raw, cuts):
        got += dec.feed_data(piece)
    got += dec.flush_data()
    assert got == [*texts, "[DONE]"]


# -- stream event decoding (what JSONEventStream does with each event's data) ---------------


def _stream() -> Any:
    t = Transport(hub="tokenhub", base_url="http://127.0.0.1:9/api/v1", api_key="th-fuzz")
    return t.stream_json("POST", "chat/completions", json={"model": "m"})


@FUZZ
@given(st.lists(JSON.map(json.dumps) | st.text(max_size=40), max_size=8))
def test_stream_decoding_yields_dicts_or_one_typed_error(datas: list[str]) -> None:
    stream = _stream()
    stream._decode(datas)
    events = list(stream._pending)
    deferred = stream._take_deferred()
    assert all(type(e) is dict for e in events)
    if deferred is not None:
        assert isinstance(deferred, StreamError)
        assert deferred.chunks == len(events)
        assert isinstance(deferred.error, HubAPIError)
    objects = [d for d in datas if d.strip().startswith("{")]
    assert len(events) <= len(objects)  # blank data and non-objects are never events
    stream.close()


@FUZZ
@given(st.text(max_size=60).filter(lambda s: s.strip() and not s.startswith("[DONE]")))
def test_non_json_event_data_is_a_stream_error_never_skipped(data: str) -> None:
    try:
        json.loads(data)
    except ValueError:
        stream = _stream()
        stream._decode([json.dumps({"choices": []}), data, json.dumps({"choices": []})])
        deferred = stream._take_deferred()
        assert isinstance(deferred, StreamError) and deferred.chunks == 1
        assert isinstance(deferred.error, InvalidResponseError)
        stream.close()


# -- error bodies ----------------------------------------------------------------------------


@FUZZ
@given(st.integers(100, 599), JSON | st.binary(max_size=200) | st.text(max_size=200), HEADERS)
def test_error_from_response_always_returns_a_typed_error(
    status: int, body: Any, headers: dict[str, str]
) -> None:
    if not isinstance(body, bytes | str):
        body = json.dumps(body).encode() if status % 2 else body
    err = error_from_response(status, body, headers, hub="fuzz", model="m")
    assert isinstance(err, HubAPIError)
    assert err.status_code == status
    assert isinstance(str(err), str) and isinstance(repr(err), str)
    assert "authorization" not in err.headers


@FUZZ
@given(JSON, HEADERS)
def test_error_from_payload_is_none_or_a_typed_error(payload: Any, headers: dict[str, str]) -> None:
    err = error_from_payload(payload, hub="fuzz", headers=headers)
    assert err is None or isinstance(err, HubAPIError)


# -- tool-call delta merger ------------------------------------------------------------------


@FUZZ
@given(st.lists(st.lists(JSON, max_size=3) | JSON, max_size=8))
def test_tool_call_merger_takes_any_json(chunks: list[Any]) -> None:
    merger = ToolCallMerger()
    for deltas in chunks:
        try:
            fragments = merger.feed(deltas)
        except HubError:
            continue
        assert all(isinstance(f.args, str) for f in fragments)
    for call in merger.calls():
        assert isinstance(call.id, str) and call.id
        assert isinstance(call.name, str) and isinstance(call.arguments, str)


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(["get_weather", "get_time"]), JSON), min_size=1,
             max_size=3),
    st.lists(st.integers(1, 30), min_size=1, max_size=10),
)
def test_tool_call_merger_rebuilds_split_arguments(
    calls: list[tuple[str, Any]], sizes: list[int]
) -> None:
    """Standard deltas (index, id and name first, arguments in random pieces) merge back."""
    merger = ToolCallMerger()
    for index, (name, args) in enumerate(calls):
        text = json.dumps({"value": args})
        merger.feed([{"index": index, "id": f"call_{index}", "type": "function",
                      "function": {"name": name, "arguments": ""}}])
        pos = 0
        for size in sizes * (len(text) // max(sum(sizes), 1) + 1):
            if pos >= len(text):
                break
            merger.feed([{"index": index, "function": {"arguments": text[pos:pos + size]}}])
            pos += size
    merged = merger.calls()
    assert [(c.id, c.name) for c in merged] == [(f"call_{i}", n) for i, (n, _) in enumerate(calls)]
    assert [json.loads(c.arguments)["value"] for c in merged] == [a for _, a in calls]


# -- chat chunks as both adapters read them ---------------------------------------------------


@FUZZ
@given(st.lists(st.dictionaries(KEYS, JSON, max_size=4), max_size=6))
def test_chat_chunk_readers_take_any_json_object(chunks: list[dict[str, Any]]) -> None:
    """What a hub streams after the transport (JSON objects of any shape) never crashes the
    readers: unknown shapes are ignored, bad ones are typed errors."""
    lc = LCStreamState(hub="fuzz", v1=False)
    li = LIStreamState()
    for chunk in chunks:
        try:
            finish_reason_of(chunk)
            list(lc.feed(chunk))
            li.feed(chunk)
        except HubError:
            pass
    assert isinstance(partial_text(chunks), str)
    lc.finish()
    li.finish()


MESSAGES = st.dictionaries(
    st.sampled_from(["role", "content", "tool_calls", "reasoning_content", "reasoning",
                     "reasoning_details", "refusal", "function_call"]), JSON, max_size=4)
CHOICES = st.lists(
    st.fixed_dictionaries({}, optional={"message": MESSAGES | JSON, "finish_reason": JSON,
                                        "index": JSON, "logprobs": JSON}) | JSON,
    max_size=3,
)
BODIES = st.fixed_dictionaries(
    {}, optional={"choices": CHOICES | JSON, "usage": JSON, "id": JSON, "model": JSON}
)


@FUZZ
@given(BODIES)
def test_whole_replies_become_a_message_or_a_typed_error(body: dict[str, Any]) -> None:
    """A non-streamed 200 body of any shape (the transport already refused non-JSON and error
    bodies) becomes a message in both frameworks, or a typed error saying what was missing."""
    lc = ChatHub(hub="tokenhub", model="m", api_key="th-fuzz", rpm=0)
    li = HubLLM(model="m", hub="tokenhub", api_key="th-fuzz", rpm=0)
    for convert in (lambda: chat_result(body, {}, "m", profile=lc.profile_hub,
                                        include_headers=False),
                    lambda: li._to_chat_response(body)):
        try:
            convert()
        except HubError:
            pass
