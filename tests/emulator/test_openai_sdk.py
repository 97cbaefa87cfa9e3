"""The official openai SDK, pointed at each hub prefix, parses every reply into its own types."""

from __future__ import annotations

import json
from collections.abc import Callable

import openai
import pytest

from hub_emulator import Emulator

CHAT = {"electronhub": "gpt-4o", "chainhub": "gpt-4o-mini", "apihub": "qwen-plus",
        "tokenhub": "openai/gpt-4.1"}
REASONER = {"electronhub": "deepseek-r1", "chainhub": "deepseek-reasoner",
            "apihub": "deepseek-reasoner", "tokenhub": "deepseek/deepseek-r1"}
EMBED = {"electronhub": "text-embedding-3-small", "chainhub": "text-embedding-3-small",
         "apihub": "text-embedding-3-small", "tokenhub": "openai/text-embedding-3-small"}
HUBS = list(CHAT)
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                                                        "days": {"type": "integer"}},
                       "required": ["city", "days"]},
    },
}


@pytest.fixture(params=HUBS)
def hub(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(hub_emulator: Emulator, hub: str, hub_key: Callable[[str], str]) -> openai.OpenAI:
    return openai.OpenAI(base_url=hub_emulator.base_url(hub), api_key=hub_key(hub), max_retries=0)


def test_chat_plain(client: openai.OpenAI, hub: str) -> None:
    resp = client.chat.completions.create(
        model=CHAT[hub], messages=[{"role": "user", "content": "Say hello to Ada"}],
        temperature=0.3)
    assert resp.choices[0].message.content is not None
    assert "Say hello to Ada" in resp.choices[0].message.content
    assert resp.choices[0].finish_reason == "stop"
    assert resp.model == CHAT[hub]
    assert resp.usage is not None
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
    assert resp.usage.prompt_tokens > 3


def test_chat_stream_with_usage_matches_plain(client: openai.OpenAI, hub: str) -> None:
    messages = [{"role": "user", "content": "Stream me a sentence"}]
    plain = client.chat.completions.create(model=CHAT[hub], messages=messages)  # type: ignore[arg-type]
    stream = client.chat.completions.create(
        model=CHAT[hub], messages=messages, stream=True,  # type: ignore[arg-type]
        stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    assert len([c for c in chunks if c.choices]) > 3  # really streamed in pieces
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == plain.usage.completion_tokens  # type: ignore[union-attr]


def test_stop_max_tokens_and_n(client: openai.OpenAI, hub: str) -> None:
    msgs = [{"role": "user", "content": "one two three four five six seven"}]
    stopped = client.chat.completions.create(model=CHAT[hub], messages=msgs, stop=["four"])  # type: ignore[arg-type]
    assert "four" not in (stopped.choices[0].message.content or "")
    assert "three" in (stopped.choices[0].message.content or "")
    short = client.chat.completions.create(model=CHAT[hub], messages=msgs, max_tokens=3)  # type: ignore[arg-type]
    assert short.choices[0].finish_reason == "length"
    assert short.usage is not None and short.usage.completion_tokens == 3
    many = client.chat.completions.create(model=CHAT[hub], messages=msgs, n=3)  # type: ignore[arg-type]
    assert [c.index for c in many.choices] == [0, 1, 2]


def test_tools_forced_and_streamed(client: openai.OpenAI, hub: str) -> None:
    msgs = [{"role": "user", "content": "What's the weather in 'Paris' for 3 days?"}]
    resp = client.chat.completions.create(
        model=CHAT[hub], messages=msgs, tools=[WEATHER],  # type: ignore[arg-type, list-item]
        tool_choice={"type": "function", "function": {"name": "get_weather"}})
    call = resp.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert resp.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"city": "Paris", "days": 3}  # type: ignore[union-attr]
    stream = client.chat.completions.create(
        model=CHAT[hub], messages=msgs, tools=[WEATHER], stream=True)  # type: ignore[arg-type, list-item]
    args = ""
    frags = 0
    for chunk in stream:
        for tc in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            frags += 1
            args += tc.function.arguments or ""  # type: ignore[union-attr]
    assert frags > 2
    assert json.loads(args) == {"city": "Paris", "days": 3}


def test_tool_result_turn_gives_text(client: openai.OpenAI, hub: str) -> None:
    msgs = [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city":"Paris","days":1}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18C and sunny"},
    ]
    resp = client.chat.completions.create(model=CHAT[hub], messages=msgs, tools=[WEATHER])  # type: ignore[arg-type, list-item]
    assert resp.choices[0].message.tool_calls is None
    assert "18C and sunny" in (resp.choices[0].message.content or "")


def test_json_schema_response(client: openai.OpenAI, hub: str) -> None:
    schema = {"type": "object", "properties": {
        "name": {"type": "string"}, "age": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "kind": {"type": "string", "enum": ["cat", "dog"]}},
        "required": ["name", "age", "tags", "kind"], "additionalProperties": False}
    resp = client.chat.completions.create(
        model=CHAT[hub], messages=[{"role": "user", "content": "My dog 'Rex' is 7"}],
        response_format={"type": "json_schema",
                         "json_schema": {"name": "pet", "schema": schema, "strict": True}})
    data = json.loads(resp.choices[0].message.content or "")
    assert data == {"name": "Rex", "age": 7, "tags": [data["tags"][0]], "kind": "dog"}


def test_reasoning_model_streams_reasoning_first(client: openai.OpenAI, hub: str) -> None:
    stream = client.chat.completions.create(
        model=REASONER[hub], messages=[{"role": "user", "content": "Think about 2+2"}], stream=True)
    field = "reasoning" if hub == "electronhub" else "reasoning_content"
    order = []
    for chunk in stream:
        delta = chunk.choices[0].delta.model_dump() if chunk.choices else {}
        if delta.get(field):
            order.append("r")
        if delta.get("content"):
            order.append("c")
    assert "r" in order and "c" in order
    assert order.index("c") > max(i for i, k in enumerate(order) if k == "r")


def test_image_parts_are_accepted(client: openai.OpenAI, hub: str) -> None:
    resp = client.chat.completions.create(model=CHAT[hub], messages=[{"role": "user", "content": [
        {"type": "text", "text": "Describe this"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}])
    assert resp.usage is not None and resp.usage.prompt_tokens > 85


def test_embeddings_float_and_base64_agree(client: openai.OpenAI, hub: str) -> None:
    default = client.embeddings.create(model=EMBED[hub], input=["a cat", "a dog"])  # SDK: base64
    floats = client.embeddings.create(model=EMBED[hub], input=["a cat", "a dog"],
                                      encoding_format="float")
    assert len(default.data) == 2 and len(default.data[0].embedding) == 1536
    assert default.data[0].embedding == pytest.approx(floats.data[0].embedding, abs=1e-6)
    small = client.embeddings.create(model=EMBED[hub], input="a cat", dimensions=256)
    assert len(small.data[0].embedding) == 256
    assert sum(v * v for v in small.data[0].embedding) == pytest.approx(1.0, abs=1e-5)
    assert default.usage.prompt_tokens > 0


def test_models_list(client: openai.OpenAI, hub: str) -> None:
    ids = [m.id for m in client.models.list()]
    assert CHAT[hub] in ids and EMBED[hub] in ids and REASONER[hub] in ids
    one = client.models.retrieve(CHAT[hub])
    assert one.id == CHAT[hub]


def test_unknown_model_is_404(client: openai.OpenAI, hub: str) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="no-such-model",
                                       messages=[{"role": "user", "content": "hi"}])
    assert "no-such-model" in str(info.value)


async def test_async_client_stream(hub_emulator: Emulator, hub: str,
                                   hub_key: Callable[[str], str]) -> None:
    aclient = openai.AsyncOpenAI(base_url=hub_emulator.base_url(hub), api_key=hub_key(hub))
    stream = await aclient.chat.completions.create(
        model=CHAT[hub], messages=[{"role": "user", "content": "async hi"}], stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert "async hi" in text
    await aclient.close()
