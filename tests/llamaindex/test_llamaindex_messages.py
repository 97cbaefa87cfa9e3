"""ChatMessage <-> OpenAI wire conversion and stream accumulation (pure, no hub needed)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from llamaindex_hub._messages import (
    from_wire_message,
    parse_arguments,
    resolve_tool_choice,
    to_wire_message,
    to_wire_messages,
    tool_selections,
)
from llamaindex_hub._stream import StreamState, usage_kwargs

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_plain_text_message_is_a_string() -> None:
    wire = to_wire_message(ChatMessage(role="user", content="hello"))
    assert wire == {"role": "user", "content": "hello"}


def test_assistant_tool_calls_have_null_content_and_json_arguments() -> None:
    msg = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[
            ToolCallBlock(tool_call_id="call_1", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
            ToolCallBlock(tool_call_id="call_2", tool_name="echo", tool_kwargs='{"x": "y"}'),
        ],
    )
    wire = to_wire_message(msg)
    assert wire["content"] is None
    assert [c["id"] for c in wire["tool_calls"]] == ["call_1", "call_2"]
    assert json.loads(wire["tool_calls"][0]["function"]["arguments"]) == {"a": 1, "b": 2}
    assert wire["tool_calls"][1]["function"] == {"name": "echo", "arguments": '{"x": "y"}'}
    assert wire["tool_calls"][0]["type"] == "function"


def test_assistant_text_and_tool_call_keeps_text() -> None:
    msg = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[TextBlock(text="Let me check."), ToolCallBlock(tool_name="f", tool_kwargs={})],
    )
    wire = to_wire_message(msg)
    assert wire["content"] == "Let me check."
    assert wire["tool_calls"][0]["function"]["arguments"] == "{}"


def test_tool_result_carries_tool_call_id() -> None:
    msg = ChatMessage(
        role=MessageRole.TOOL, content="42", additional_kwargs={"tool_call_id": "call_9"}
    )
    assert to_wire_message(msg) == {"role": "tool", "content": "42", "tool_call_id": "call_9"}


def test_legacy_additional_kwargs_tool_calls_are_sent() -> None:
    legacy = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]
    msg = ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": legacy})
    wire = to_wire_message(msg)
    assert wire["tool_calls"][0]["function"]["arguments"] == '{"a": 1}'
    assert wire["content"] is None


def test_thinking_is_stripped_unless_replay_required() -> None:
    msg = ChatMessage(
        role="assistant",
        blocks=[ThinkingBlock(content="plan"), ToolCallBlock(tool_call_id="c", tool_name="f")],
    )
    assert "reasoning_content" not in to_wire_messages([msg], replay="strip")[0]
    assert to_wire_messages([msg], replay="require")[0]["reasoning_content"] == "plan"


def test_image_blocks_become_content_parts() -> None:
    msg = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="what is this?"),
            ImageBlock(url="https://example.com/cat.png", detail="low"),
            ImageBlock(image=PNG),
        ],
    )
    wire = to_wire_message(msg)
    parts = wire["content"]
    assert parts[0] == {"type": "text", "text": "what is this?"}
    assert parts[1] == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/cat.png", "detail": "low"},
    }
    assert parts[2]["image_url"]["url"].startswith("data:image/png;base64,")
    assert base64.b64decode(parts[2]["image_url"]["url"].split(",", 1)[1]) == PNG


def test_chatbot_role_maps_to_assistant() -> None:
    assert to_wire_message(ChatMessage(role=MessageRole.CHATBOT, content="x"))["role"] == (
        "assistant"
    )


def test_from_wire_reads_reasoning_and_tool_calls() -> None:
    msg = from_wire_message(
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "think first",
            "tool_calls": [
                {"id": "call_a", "type": "function",
                 "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'}},
                {"id": "call_b", "type": "function",
                 "function": {"name": "mul", "arguments": {"a": 4}}},
            ],
        }
    )
    assert isinstance(msg.blocks[0], ThinkingBlock)
    assert msg.blocks[0].content == "think first"
    calls = [b for b in msg.blocks if isinstance(b, ToolCallBlock)]
    assert [(c.tool_call_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_a", "add", {"a": 2, "b": 3}),
        ("call_b", "mul", {"a": 4}),
    ]
    assert msg.content is None  # no empty text block next to tool calls
    legacy = msg.additional_kwargs["tool_calls"]  # core's structured streaming reads this key
    assert [c["function"]["name"] for c in legacy] == ["add", "mul"]
    assert to_wire_message(msg)["tool_calls"] == legacy  # sent once, from the blocks


@pytest.mark.parametrize("field", ["reasoning", "reasoning_content"])
def test_from_wire_reasoning_field_names(field: str) -> None:
    msg = from_wire_message({"role": "assistant", "content": "4", field: "2+2"})
    assert isinstance(msg.blocks[0], ThinkingBlock)
    assert msg.blocks[0].content == "2+2"
    assert msg.content == "4"


def test_from_wire_splits_think_tags() -> None:
    msg = from_wire_message({"role": "assistant", "content": "<think>hmm</think>\nAnswer"})
    assert msg.blocks[0].content == "hmm"  # type: ignore[union-attr]
    assert msg.content == "Answer"


def test_round_trip_assistant_message() -> None:
    wire = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"q": 1}'}}
        ],
    }
    back = to_wire_message(from_wire_message(wire))
    assert back["content"] is None
    assert back["tool_calls"][0]["id"] == "c1"
    assert json.loads(back["tool_calls"][0]["function"]["arguments"]) == {"q": 1}


def test_tool_selections_and_partial_json() -> None:
    msg = ChatMessage(
        role="assistant",
        blocks=[ToolCallBlock(tool_call_id="c", tool_name="f", tool_kwargs='{"city": "Par')],
    )
    (sel,) = tool_selections(msg)
    assert sel.tool_id == "c"
    assert sel.tool_name == "f"
    assert set(sel.tool_kwargs) == {"city"}  # a streamed prefix still parses to a dict
    assert parse_arguments("not json at all") == {}
    assert parse_arguments("") == {}


def test_resolve_tool_choice() -> None:
    assert resolve_tool_choice(None, False) == "auto"
    assert resolve_tool_choice(None, True) == "required"
    assert resolve_tool_choice("none", True) == "none"
    assert resolve_tool_choice("get_weather", False) == {
        "type": "function",
        "function": {"name": "get_weather"},
    }


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_stream_two_calls_in_one_chunk_and_empty_continuation_ids() -> None:
    state = StreamState()
    state.feed(_chunk({"role": "assistant"}))
    state.feed(
        _chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": "call_1", "function": {"name": "a", "arguments": '{"x"'}},
                    {"index": 1, "id": "call_2", "function": {"name": "b", "arguments": ""}},
                ]
            }
        )
    )
    state.feed(_chunk({"tool_calls": [{"index": 0, "id": "", "function": {"arguments": ": 1}"}}]}))
    state.feed(_chunk({"tool_calls": [{"index": 1, "id": "", "function": {"arguments": "{}"}}]}))
    last = state.feed(_chunk({}, finish="tool_calls"))
    assert last is not None
    calls = [b for b in last.message.blocks if isinstance(b, ToolCallBlock)]
    assert [(c.tool_call_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_1", "a", {"x": 1}),
        ("call_2", "b", {}),
    ]


def test_stream_missing_index() -> None:
    state = StreamState()
    state.feed(_chunk({"tool_calls": [{"id": "c1", "function": {"name": "a", "arguments": "{"}}]}))
    state.feed(_chunk({"tool_calls": [{"function": {"arguments": '"k": "v"}'}}]}))
    state.feed(_chunk({"tool_calls": [{"id": "c2", "function": {"name": "b", "arguments": "{}"}}]}))
    last = state.feed(_chunk({}, finish="tool_calls"))
    assert last is not None
    calls = [b for b in last.message.blocks if isinstance(b, ToolCallBlock)]
    assert [(c.tool_call_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("c1", "a", {"k": "v"}),
        ("c2", "b", {}),
    ]


def test_stream_text_reasoning_and_usage_chunk_repeats_message() -> None:
    state = StreamState()
    r1 = state.feed(_chunk({"reasoning_content": "let me"}))
    r2 = state.feed(_chunk({"content": "Hel"}))
    r3 = state.feed(_chunk({"content": "lo"}, finish="stop"))
    usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    r4 = state.feed({"choices": [], "usage": usage})
    assert r1 is not None and r2 is not None and r3 is not None and r4 is not None
    assert r1.additional_kwargs["thinking_delta"] == "let me"
    assert (r2.delta, r3.delta, r4.delta) == ("Hel", "lo", "")
    assert r3.message.content == "Hello"
    assert r4.message.content == "Hello"
    assert isinstance(r4.message.blocks[0], ThinkingBlock)
    assert r4.raw is not None and r4.raw["usage"] == usage
    assert r4.additional_kwargs["prompt_tokens"] == 11
    assert r4.additional_kwargs["completion_tokens"] == 7
    assert "prompt_tokens" not in r3.additional_kwargs


def test_stream_think_tags_split_across_chunks() -> None:
    state = StreamState()
    for piece in ["<thi", "nk>step one", "</th", "ink>\nThe answer"]:
        state.feed(_chunk({"content": piece}))
    last = state.feed(_chunk({}, finish="stop"))
    assert last is not None
    assert last.message.content == "The answer"
    assert last.message.blocks[0].content == "step one"  # type: ignore[union-attr]


def test_usage_kwargs_details() -> None:
    out = usage_kwargs(
        {
            "prompt_tokens": 5,
            "completion_tokens": 9,
            "total_tokens": 14,
            "completion_tokens_details": {"reasoning_tokens": 4},
            "prompt_tokens_details": {"cached_tokens": 2},
        }
    )
    assert out == {
        "prompt_tokens": 5,
        "completion_tokens": 9,
        "total_tokens": 14,
        "reasoning_tokens": 4,
        "cached_tokens": 2,
    }
    assert usage_kwargs(None) == {}
