"""Pure conversion tests: LangChain messages <-> wire dicts and stream accumulation."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.tool import tool_call_chunk

from hub_core.chat import ThinkSplitter, ToolCallMerger, split_think
from hub_core.chat import extract_reasoning as reasoning_of
from langchain_hub._messages import (
    StreamState,
    ai_message_from_choice,
    fragment_tool_calls,
    message_to_wire,
    messages_to_wire,
    usage_from_wire,
)


def test_roles_and_names() -> None:
    wire = messages_to_wire(
        [SystemMessage("sys"), HumanMessage("hi", name="bob"), AIMessage("yo")]
    )
    assert wire == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi", "name": "bob"},
        {"role": "assistant", "content": "yo"},
    ]


def test_image_blocks_become_image_url_parts() -> None:
    msg = HumanMessage(
        content=[
            {"type": "text", "text": "what is this"},
            {"type": "image", "url": "https://x/cat.png"},
            {"type": "image", "base64": "AAAA", "mime_type": "image/png"},
            {"type": "image_url", "image_url": {"url": "https://x/dog.png", "detail": "low"}},
            {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "B"}},
        ]
    )
    parts = message_to_wire(msg)["content"]
    assert parts[0] == {"type": "text", "text": "what is this"}
    assert parts[1] == {"type": "image_url", "image_url": {"url": "https://x/cat.png"}}
    assert parts[2]["image_url"]["url"] == "data:image/png;base64,AAAA"
    assert parts[3]["image_url"] == {"url": "https://x/dog.png", "detail": "low"}
    assert parts[4]["image_url"]["url"] == "data:image/jpeg;base64,B"


def test_assistant_tool_calls_and_anthropic_content() -> None:
    msg = AIMessage(
        content=[
            {"type": "text", "text": "calling"},
            {"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}},
        ],
        tool_calls=[{"name": "f", "args": {"a": 1}, "id": "t1"}],
        additional_kwargs={"reasoning_content": "because"},
    )
    wire = message_to_wire(msg)
    assert wire["content"] == "calling"
    assert wire["tool_calls"] == [
        {"id": "t1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    ]
    assert "reasoning_content" not in wire
    assert message_to_wire(msg, replay="require")["reasoning_content"] == "because"
    # reasoning is only replayed on tool-call turns
    plain = AIMessage("x", additional_kwargs={"reasoning_content": "r"})
    assert "reasoning_content" not in message_to_wire(plain, replay="require")


def test_empty_assistant_content_with_tool_calls_is_null() -> None:
    msg = AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "c"}])
    assert message_to_wire(msg)["content"] is None


def test_tool_message_list_content_flattens_text() -> None:
    msg = ToolMessage(content=[{"type": "text", "text": "42"}], tool_call_id="c1")
    assert message_to_wire(msg) == {"role": "tool", "tool_call_id": "c1", "content": "42"}


def test_reasoning_dialects() -> None:
    assert reasoning_of({"reasoning_content": "a"}) == "a"
    assert reasoning_of({"reasoning": "b"}) == "b"
    assert reasoning_of({"reasoning_details": [{"type": "x", "text": "c"}, {"summary": "d"}]}) == "cd"
    assert reasoning_of({"content": "no"}) is None


def test_split_think_whole_reply() -> None:
    assert split_think("<think>hmm</think>\nAnswer") == ("hmm", "Answer")
    assert split_think("I like <think> tags") == (None, "I like <think> tags")


def test_think_splitter_across_chunk_edges() -> None:
    text = "<think>deep thought</think>\nThe answer is 4."
    for size in (1, 2, 3, 5, 8):
        splitter = ThinkSplitter()
        reasoning, content = "", ""
        for i in range(0, len(text), size):
            r, c = splitter.feed(text[i : i + size])
            reasoning += r
            content += c
        r, c = splitter.flush()
        assert (reasoning + r, content + c) == ("deep thought", "The answer is 4."), size


def test_think_splitter_leaves_plain_text() -> None:
    splitter = ThinkSplitter()
    out = [splitter.feed(p) for p in ("<", "b>bold</b>")]
    out.append(splitter.flush())
    assert "".join(c for _, c in out) == "<b>bold</b>"
    assert "".join(r for r, _ in out) == ""


def _merge(pieces: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    acc = ToolCallMerger()
    chunk = AIMessageChunk(content="")
    next_index = 0
    for deltas in pieces:
        tcs = [
            tool_call_chunk(name=c.name, args=c.args, id=c.id, index=c.index)
            for c in acc.feed(deltas, next_index)
        ]
        next_index = max([next_index] + [tc["index"] + 1 for tc in tcs])  # type: ignore[operator]
        chunk = chunk + AIMessageChunk(content="", tool_call_chunks=tcs)  # type: ignore[assignment]
    return [{"name": c["name"], "args": c["args"], "id": c["id"]} for c in chunk.tool_calls]


def _fn(name: str | None = None, args: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if name is not None:
        out["name"] = name
    if args is not None:
        out["arguments"] = args
    return out


def test_tool_calls_without_index() -> None:
    calls = _merge(
        [
            [{"id": "a", "function": _fn("f", "")}],
            [{"function": _fn(None, '{"x": ')}],
            [{"function": _fn(None, "1}")}],
        ]
    )
    assert calls == [{"name": "f", "args": {"x": 1}, "id": "a"}]


def test_repeated_index_with_new_id_is_a_new_call() -> None:
    calls = _merge(
        [
            [{"index": 0, "id": "a", "function": _fn("f", '{"x": 1}')}],
            [{"index": 0, "id": "b", "function": _fn("g", "")}],
            [{"index": 0, "function": _fn(None, '{"y": 2}')}],
        ]
    )
    assert calls == [
        {"name": "f", "args": {"x": 1}, "id": "a"},
        {"name": "g", "args": {"y": 2}, "id": "b"},
    ]


def test_empty_continuation_ids() -> None:
    calls = _merge(
        [
            [{"index": 0, "id": "a", "function": _fn("f", "")}],
            [{"index": 0, "id": "", "function": _fn("", '{"x"')}],
            [{"index": 0, "id": "", "function": _fn(None, ': "y"}')}],
        ]
    )
    assert calls == [{"name": "f", "args": {"x": "y"}, "id": "a"}]


def test_object_arguments() -> None:
    calls = _merge([[{"index": 0, "id": "a", "function": _fn("f", {"x": [1, 2]})}]])
    assert calls == [{"name": "f", "args": {"x": [1, 2]}, "id": "a"}]


def test_two_calls_in_one_chunk_and_missing_ids() -> None:
    calls = _merge(
        [
            [
                {"index": 0, "id": "a", "function": _fn("f", '{"x": 1}')},
                {"index": 1, "function": _fn("g", '{"y": ')},
            ],
            [{"index": 1, "function": _fn(None, "2}")}],
        ]
    )
    assert [c["name"] for c in calls] == ["f", "g"]
    assert calls[1]["args"] == {"y": 2}
    assert calls[1]["id"]  # a generated id, so a ToolMessage can answer it


def _event(delta: dict[str, Any], finish: str | None = None, **top: Any) -> dict[str, Any]:
    return {
        "id": "cmpl-1",
        "model": "m-1",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **top,
    }


def _run(state: StreamState, events: list[dict[str, Any]]) -> list[AIMessageChunk]:
    out: list[AIMessageChunk] = []
    for ev in events:
        out.extend(state.feed(ev))
    out.extend(state.finish())
    return out


def test_stream_state_reasoning_text_tools_and_usage() -> None:
    events = [
        _event({"role": "assistant", "content": ""}),
        _event({"reasoning_content": "think "}),
        _event({"reasoning_content": "more"}),
        _event({"content": "Hi"}),
        _event({"tool_calls": [{"index": 0, "id": "c", "function": _fn("f", '{"a":1}')}]}),
        _event({}, finish="tool_calls"),
        {"id": "cmpl-1", "model": "m-1", "choices": [], "usage": {"prompt_tokens": 3,
                                                               "completion_tokens": 4,
                                                               "total_tokens": 7}},
    ]
    chunks = _run(StreamState(hub="apihub"), events)
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert chunks[-1].chunk_position == "last"
    merged = chunks[0]
    for c in chunks[1:]:
        merged = merged + c  # type: ignore[assignment]
    assert merged.content == "Hi"
    assert merged.additional_kwargs["reasoning_content"] == "think more"
    assert merged.tool_calls[0]["args"] == {"a": 1}
    assert merged.usage_metadata is not None
    assert merged.usage_metadata["total_tokens"] == 7
    assert merged.response_metadata["model_name"] == "m-1"
    assert merged.response_metadata["finish_reason"] == "tool_calls"
    assert merged.response_metadata["model_provider"] == "apihub"


def test_stream_state_v1_block_indices_never_collide() -> None:
    events = [
        _event({"reasoning": "r1"}),
        _event({"reasoning": "r2"}),
        _event({"content": "t"}),
        _event({"tool_calls": [{"index": 0, "id": "c", "function": _fn("f", '{"a":')}]}),
        _event({"tool_calls": [{"index": 0, "function": _fn(None, "1}")}]}),
        _event({}, finish="tool_calls"),
    ]
    chunks = _run(StreamState(hub="electronhub", v1=True), events)
    merged = chunks[0]
    for c in chunks[1:]:
        merged = merged + c  # type: ignore[assignment]
    types = [b["type"] for b in merged.content if isinstance(b, dict)]
    assert types == ["reasoning", "text", "tool_call"]
    indices = [b["index"] for b in merged.content if isinstance(b, dict) and "index" in b]
    assert len(indices) == len(set(indices))
    assert merged.content[0]["reasoning"] == "r1r2"  # type: ignore[index]
    assert merged.tool_calls[0]["args"] == {"a": 1}


def test_stream_state_think_tags() -> None:
    events = [_event({"content": p}) for p in ("<thi", "nk>why", "</think>", "\n\nBecause.")]
    chunks = _run(StreamState(hub="chainhub"), events)
    merged = chunks[0]
    for c in chunks[1:]:
        merged = merged + c  # type: ignore[assignment]
    assert merged.content == "Because."
    assert merged.additional_kwargs["reasoning_content"] == "why"


def test_invoke_choice_parsing() -> None:
    body = {
        "id": "x",
        "model": "deepseek-r1",
        "system_fingerprint": "fp",
        "provider": "DeepSeek",
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3,
                  "prompt_tokens_details": {"cached_tokens": 1},
                  "completion_tokens_details": {"reasoning_tokens": 1}},
    }
    choice = {
        "message": {
            "role": "assistant",
            "content": "<think>hm</think>ok",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"q": 1}}},
                {"id": "c2", "type": "function", "function": {"name": "g", "arguments": "{bad"}},
            ],
        },
        "finish_reason": "tool_calls",
    }
    msg = ai_message_from_choice(choice, body, hub="electronhub")
    assert msg.content == "ok"
    assert msg.additional_kwargs["reasoning_content"] == "hm"
    assert msg.tool_calls[0]["args"] == {"q": 1}
    assert msg.invalid_tool_calls[0]["name"] == "g"
    assert msg.response_metadata["upstream_provider"] == "DeepSeek"
    assert msg.response_metadata["finish_reason"] == "tool_calls"
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["input_token_details"] == {"cache_read": 1}
    assert msg.usage_metadata["output_token_details"] == {"reasoning": 1}


def test_usage_none() -> None:
    assert usage_from_wire(None) is None
    assert usage_from_wire({"prompt_tokens": 2, "completion_tokens": 1}) == {
        "input_tokens": 2, "output_tokens": 1, "total_tokens": 3,
    }


def test_wire_is_json_serialisable() -> None:
    wire = messages_to_wire([HumanMessage("x"), AIMessage("", tool_calls=[
        {"name": "f", "args": {"k": "ü"}, "id": "c"}])])
    assert json.loads(json.dumps(wire))[1]["tool_calls"][0]["function"]["arguments"] == '{"k": "ü"}'


_FRAGMENT = st.one_of(
    st.just(""),
    st.text(alphabet='{}[]":, abc019-.tnrufl\\\\', max_size=24),
    st.sampled_from(['{"', '{"city', '{"city": "Pa', 'ris"}', "}", "{}", '{"a": 1}', " {", "null", "5"]),
)


@given(st.lists(st.tuples(_FRAGMENT, st.sampled_from([None, "f"]), st.sampled_from([None, "c1"])),
                min_size=1, max_size=3))
def test_fragment_tool_calls_match_the_core_validator(parts: list[tuple[str, Any, Any]]) -> None:
    chunks = [tool_call_chunk(name=n, args=a, id=i, index=k) for k, (a, n, i) in enumerate(parts)]
    reference = AIMessageChunk(content="", tool_call_chunks=chunks)
    calls, invalid = fragment_tool_calls(chunks)
    assert calls == reference.tool_calls
    assert invalid == reference.invalid_tool_calls
