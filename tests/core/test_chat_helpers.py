"""Pure tests of hub_core.chat: tool-call merging quirks, <think> splitting, usage, payloads."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from hub_core.chat import (
    ThinkSplitter,
    ToolCallMerger,
    build_chat_payload,
    extract_reasoning,
    parse_usage,
    partial_text,
    reasoning_replay_policy,
    split_think,
    tool_calls_from_message,
)
from hub_core.hubs import get_hub


def _merge(chunks: list[list[dict]]) -> list[tuple[str, str, dict]]:
    merger = ToolCallMerger()
    for deltas in chunks:
        merger.feed(deltas)
    return [(c.id, c.name, c.parsed_arguments()) for c in merger.calls()]


def test_standard_deltas_merge_by_index() -> None:
    chunks = [
        [
            {
                "index": 0,
                "id": "call_a",
                "type": "function",
                "function": {"name": "get_weather", "arguments": ""},
            }
        ],
        [{"index": 0, "function": {"arguments": '{"ci'}}],
        [{"index": 0, "function": {"arguments": 'ty": "Paris"}'}}],
    ]
    assert _merge(chunks) == [("call_a", "get_weather", {"city": "Paris"})]


def test_missing_index_goes_to_latest_call() -> None:
    chunks = [
        [{"id": "call_a", "function": {"name": "f", "arguments": ""}}],
        [{"function": {"arguments": '{"x": 1'}}],
        [{"function": {"arguments": "}"}}],
        [{"id": "call_b", "function": {"name": "g", "arguments": '{"y": 2}'}}],
    ]
    assert _merge(chunks) == [("call_a", "f", {"x": 1}), ("call_b", "g", {"y": 2})]


def test_repeated_index_with_new_id_starts_a_new_call() -> None:
    chunks = [
        [{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": '{"x": 1}'}}],
        [{"index": 0, "id": "call_b", "function": {"name": "g", "arguments": ""}}],
        [{"index": 0, "function": {"arguments": '{"y": 2}'}}],
    ]
    assert _merge(chunks) == [("call_a", "f", {"x": 1}), ("call_b", "g", {"y": 2})]


def test_empty_ids_on_continuations_do_not_split_the_call() -> None:
    chunks = [
        [{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": ""}}],
        [{"index": 0, "id": "", "function": {"name": "", "arguments": '{"x":'}}],
        [{"index": 0, "id": "", "function": {"arguments": " 5}"}}],
    ]
    assert _merge(chunks) == [("call_a", "f", {"x": 5})]


def test_object_arguments_become_json_text() -> None:
    chunks = [[{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": {"x": "é"}}}]]
    merger = ToolCallMerger()
    fragments = merger.feed(chunks[0])
    assert json.loads(fragments[0].args) == {"x": "é"}
    assert merger.calls()[0].parsed_arguments() == {"x": "é"}


def test_fragments_announce_id_and_name_once_and_use_block_indices() -> None:
    merger = ToolCallMerger()
    first = merger.feed([{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": "{"}}], 3)
    rest = merger.feed([{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": "}"}}], 4)
    assert [(c.index, c.id, c.name, c.args) for c in first + rest] == [
        (3, "call_a", "f", "{"),
        (3, None, None, "}"),
    ]


def test_two_calls_starting_in_one_chunk_get_distinct_positions() -> None:
    merger = ToolCallMerger()
    first = merger.feed(
        [
            {"index": 0, "id": "call_a", "function": {"name": "f", "arguments": '{"a": 1}'}},
            {"index": 1, "id": "call_b", "function": {"name": "g", "arguments": '{"b": '}},
        ]
    )
    merger.feed([{"index": 1, "function": {"arguments": "2}"}}])
    assert [f.index for f in first] == [0, 1]
    assert [(c.id, c.name, c.parsed_arguments()) for c in merger.calls()] == [
        ("call_a", "f", {"a": 1}),
        ("call_b", "g", {"b": 2}),
    ]


def test_call_without_any_id_gets_a_generated_one() -> None:
    calls = tool_calls_from_message(
        {"tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"q": 1}}}]}
    )
    again = tool_calls_from_message({"tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]})
    assert calls[0].id.startswith("call_")
    assert calls[0].id != again[0].id  # unique across turns, so tool results match their call
    assert calls[0].parsed_arguments() == {"q": 1}


def _split_in_pieces(text: str, cuts: list[int]) -> tuple[str, str]:
    bounds = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    splitter = ThinkSplitter()
    reasoning, content = [], []
    for start, end in zip(bounds, bounds[1:]):
        r, c = splitter.feed(text[start:end])
        reasoning.append(r)
        content.append(c)
    r, c = splitter.flush()
    return "".join(reasoning) + r, "".join(content) + c


_TAGGY = st.text(alphabet="ab<>/thinkx ", max_size=40)


@given(_TAGGY, _TAGGY, st.lists(st.integers(min_value=0, max_value=120), max_size=8))
def test_think_splitter_is_chunking_invariant(reasoning: str, answer: str, cuts: list[int]) -> None:
    text = f"<think>{reasoning}</think>{answer}"
    assert _split_in_pieces(text, cuts) == _split_in_pieces(text, [])


@given(
    st.text(alphabet="abc xyz.\n", max_size=40),
    st.text(alphabet="abc xyz.", max_size=40),
    st.lists(st.integers(min_value=0, max_value=120), max_size=8),
)
def test_think_splitter_separates_reasoning(reasoning: str, answer: str, cuts: list[int]) -> None:
    assert _split_in_pieces(f"<think>{reasoning}</think>{answer}", cuts) == (reasoning, answer)


def test_split_think_on_a_complete_message() -> None:
    assert split_think("<think>step 1</think>\nThe answer") == ("step 1", "The answer")
    assert split_think("no tags") == (None, "no tags")
    assert split_think("I like <think> tags") == (None, "I like <think> tags")


def test_extract_reasoning_reads_each_dialect() -> None:
    assert extract_reasoning({"reasoning_content": "a"}) == "a"
    assert extract_reasoning({"reasoning": "b", "content": "x"}) == "b"
    details = [
        {"type": "reasoning.text", "text": "c1"},
        {"type": "reasoning.summary", "summary": "c2"},
    ]
    assert extract_reasoning({"reasoning_details": details}) == "c1c2"
    assert extract_reasoning({"content": "plain"}) is None


def test_parse_usage_maps_details() -> None:
    usage = parse_usage(
        {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "total_tokens": 15,
            "prompt_tokens_details": {"cached_tokens": 4},
            "completion_tokens_details": {"reasoning_tokens": 2},
        }
    )
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (10, 5, 15)
    assert (usage.cache_read_tokens, usage.reasoning_tokens) == (4, 2)
    assert parse_usage(None) is None


def test_payload_drops_none_and_asks_for_stream_usage() -> None:
    payload = build_chat_payload(
        get_hub("tokenhub"),
        "openai/gpt-4.1",
        [{"role": "user", "content": "hi"}],
        stream=True,
        temperature=None,
        stop=[],
        max_tokens=5,
        extra_body={"top_k": 3},
    )
    assert payload["stream_options"] == {"include_usage": True}
    assert "temperature" not in payload and "stop" not in payload
    assert payload["max_tokens"] == 5 and payload["top_k"] == 3
    plain = build_chat_payload(get_hub("tokenhub"), "m", [], stream=False, stream_options={"x": 1})
    assert "stream_options" not in plain and "stream" not in plain


def test_reasoning_replay_policy_by_family() -> None:
    assert reasoning_replay_policy("deepseek-reasoner") == "strip"
    assert reasoning_replay_policy("deepseek/deepseek-r1") == "strip"
    assert reasoning_replay_policy("deepseek-v3.2-thinking") == "require"


def test_partial_text_joins_streamed_content() -> None:
    chunks = [
        {"choices": [{"delta": {"content": "Hel"}}]},
        {"choices": [{"delta": {"content": "lo"}}]},
        {"choices": []},
    ]
    assert partial_text(chunks) == "Hello"
