"""ChatHub behaviour against the emulator: reasoning dialects, tool-call quirks, errors, agents."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelError,
    ModelRateLimitError,
)
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, SecretStr

from hub_core import errors as core
from langchain_hub import ChatAPIHub, ChatChainHub, ChatElectronHub, ChatHub, ChatTokenHub
from langchain_hub._errors import to_langchain_error
from langchain_hub._rate_limiter import HubPlanRateLimiter

REASONING_MODEL = {
    "electronhub": "deepseek-r1",
    "chainhub": "deepseek-reasoner",
    "apihub": "deepseek-reasoner",
    "tokenhub": "deepseek/deepseek-r1",
}
PLAIN_MODEL = {
    "electronhub": "gpt-4o",
    "chainhub": "gpt-4o-mini",
    "apihub": "deepseek-chat",
    "tokenhub": "openai/gpt-4.1",
}
DIALECTS = ("reasoning", "reasoning_content", "reasoning_details", "think_tags")
TOOL_QUIRKS = (
    "no_index",
    "repeated_index",
    "empty_continuation_ids",
    "object_arguments",
    "name_with_args",
    "two_calls_one_chunk",
)

KeyFactory = Callable[[str], str]


def _llm(emu: Any, hub: str, key: str, model: str | None = None, **kw: Any) -> ChatHub:
    params: dict[str, Any] = {"rpm": 0, "max_retries": 2, **kw}
    return ChatHub(
        hub=hub, model=model or PLAIN_MODEL[hub], base_url=emu.base_url(hub), api_key=SecretStr(key),
        **params,
    )


def _collect(chunks: list[Any]) -> AIMessageChunk:
    full: AIMessageChunk = chunks[0]
    for c in chunks[1:]:
        full = full + c  # type: ignore[assignment]
    return full


@tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


# -- reasoning ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_reasoning_dialects(
    hub_emulator: Any, hub_key: KeyFactory, dialect: str, stream: bool
) -> None:
    hub = "electronhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key, REASONING_MODEL[hub])
    hub_emulator.admin.fault(hub=hub, path="chat/completions", reasoning=dialect)
    if stream:
        chunks = list(llm.stream("Why is the sky blue?"))
        msg: AIMessage = _collect(chunks)
        assert sum(1 for c in chunks if c.usage_metadata) == 1
    else:
        msg = llm.invoke("Why is the sky blue?")
    reasoning = msg.additional_kwargs.get("reasoning_content")
    assert reasoning, f"{dialect}: no reasoning extracted"
    assert "<think>" not in str(msg.content)
    assert "sky blue" in str(msg.content)
    assert msg.content_blocks[0]["type"] == "reasoning"


@pytest.mark.parametrize("hub", sorted(REASONING_MODEL))
def test_reasoning_v1_blocks_and_tool_calls_do_not_collide(
    hub_emulator: Any, hub_key: KeyFactory, hub: str
) -> None:
    llm = _llm(hub_emulator, hub, hub_key(hub), REASONING_MODEL[hub], output_version="v1")
    chunks: list[Any] = list(llm.bind_tools([get_weather]).stream("What is the weather in Paris?"))
    full = _collect(chunks)
    kinds = [b["type"] for b in full.content if isinstance(b, dict)]
    assert kinds[0] == "reasoning"
    assert "tool_call" in kinds
    assert full.tool_calls[0]["name"] == "get_weather"
    assert "Paris" in full.tool_calls[0]["args"]["city"]
    assert chunks[-1].chunk_position == "last"


def test_reasoning_replay_policy_reaches_the_wire(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "apihub"
    history = [
        HumanMessage("What is the weather in Paris?"),
        AIMessage(
            "",
            tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "c1"}],
            additional_kwargs={"reasoning_content": "I should call the tool."},
        ),
        ToolMessage("sunny", tool_call_id="c1"),
    ]
    for replay, expected in (("require", True), ("strip", False)):
        key = hub_key(hub)
        llm = _llm(hub_emulator, hub, key, "deepseek-chat", reasoning_replay=replay)
        llm.bind_tools([get_weather]).invoke(history)
        body = hub_emulator.admin.ledger(hub, key)["requests"][-1]["body"]
        assistant = next(m for m in body["messages"] if m["role"] == "assistant")
        assert ("reasoning_content" in assistant) is expected, replay


# -- tool-call quirks --------------------------------------------------------------------------


@pytest.mark.parametrize("quirk", TOOL_QUIRKS)
def test_streamed_tool_call_quirks(hub_emulator: Any, hub_key: KeyFactory, quirk: str) -> None:
    hub = "tokenhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key)
    hub_emulator.admin.fault(hub=hub, path="chat/completions", tool_delta=quirk)
    prompt = "Use get_weather and get_time for Paris."
    full = _collect(list(llm.bind_tools([get_weather, get_time]).stream(prompt)))
    names = sorted(c["name"] for c in full.tool_calls)
    assert names == ["get_time", "get_weather"], full.tool_call_chunks
    assert all("Paris" in c["args"]["city"] for c in full.tool_calls), full.tool_calls
    assert len({c["id"] for c in full.tool_calls}) == 2
    assert not full.invalid_tool_calls


def test_object_arguments_in_invoke(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "chainhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key)
    hub_emulator.admin.fault(hub=hub, path="chat/completions", tool_delta="object_arguments")
    msg = llm.bind_tools([get_weather], tool_choice="get_weather").invoke("Weather in Rome?")
    assert "Rome" in msg.tool_calls[0]["args"]["city"]


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("any", "required"),
        ("required", "required"),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
        (
            {"type": "function", "function": {"name": "get_time"}},
            {"type": "function", "function": {"name": "get_time"}},
        ),
    ],
)
def test_tool_choice_on_the_wire(
    hub_emulator: Any, hub_key: KeyFactory, choice: Any, wire: Any
) -> None:
    hub = "electronhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key)
    bound = llm.bind_tools([get_weather, get_time], tool_choice=choice, parallel_tool_calls=False,
                           strict=True)
    bound.invoke("Weather in Oslo?")
    body = hub_emulator.admin.ledger(hub, key)["requests"][-1]["body"]
    assert body["tool_choice"] == wire
    assert body["parallel_tool_calls"] is False
    assert body["tools"][0]["function"]["strict"] is True


# -- structured output -------------------------------------------------------------------------


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode", None])
def test_structured_output_methods(
    hub_emulator: Any, hub_key: KeyFactory, method: str | None
) -> None:
    hub = "tokenhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key)
    structured = llm.with_structured_output(City, method=method, include_raw=True)  # type: ignore[arg-type]
    out = structured.invoke("Return JSON with keys 'name' and 'country' for Paris, France.")
    assert isinstance(out, dict)
    assert out["parsing_error"] is None
    assert isinstance(out["parsed"], City)
    body = hub_emulator.admin.ledger(hub, key)["requests"][-1]["body"]
    if method in (None, "json_schema"):  # gpt-4.1 supports json_schema, so it is the default
        assert body["response_format"]["type"] == "json_schema"
    elif method == "json_mode":
        assert body["response_format"] == {"type": "json_object"}
    else:
        assert body["tool_choice"]["function"]["name"] == "City"


def test_default_structured_method_follows_capabilities() -> None:
    no_schema = ChatAPIHub(model="deepseek-chat", api_key=SecretStr("sk-x"), rpm=0)
    with_schema = ChatTokenHub(model="openai/gpt-4.1", api_key=SecretStr("th-x"), rpm=0)
    assert no_schema._default_structured_method() == "function_calling"
    assert with_schema._default_structured_method() == "json_schema"
    assert with_schema.profile is not None
    assert with_schema.profile["structured_output"] is True
    assert with_schema.profile["max_input_tokens"] > 100_000


# -- multimodal --------------------------------------------------------------------------------


def test_image_input_reaches_the_hub(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "electronhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key)
    msg = HumanMessage(
        content=[
            {"type": "text", "text": "Describe"},
            {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"},
            {"type": "image", "url": "https://example.com/cat.png"},
        ]
    )
    llm.invoke([msg])
    body = hub_emulator.admin.ledger(hub, key)["requests"][-1]["body"]
    parts = body["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url", "image_url"]
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert parts[2]["image_url"]["url"] == "https://example.com/cat.png"


# -- errors, credits and retries -----------------------------------------------------------------


def test_402_sent_once_and_typed(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "apihub"
    key = hub_key(hub)
    hub_emulator.admin.set_account(hub, key, balance=0)
    llm = _llm(hub_emulator, hub, key, max_retries=3)
    with pytest.raises(core.InsufficientCreditsError) as info:
        llm.with_retry(stop_after_attempt=3).invoke("hello")
    err = info.value
    assert isinstance(err, ModelError)
    assert err.is_retryable is False
    assert err.status_code == 402
    assert key not in repr(err) and key not in str(err)
    assert len(hub_emulator.admin.ledger(hub, key)["requests"]) == 1


def test_429_with_retry_after_is_retried(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "chainhub"
    key = hub_key(hub)
    hub_emulator.admin.fault(
        hub=hub, path="chat/completions", status=429, headers={"Retry-After": "1"}
    )
    msg = _llm(hub_emulator, hub, key).invoke("hello")
    assert "hello" in str(msg.content)
    statuses = [r["status"] for r in hub_emulator.admin.ledger(hub, key)["requests"]]
    assert statuses == [429, 200]


def test_429_surfaces_as_model_rate_limit_error(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "tokenhub"
    key = hub_key(hub)
    hub_emulator.admin.fault(
        hub=hub, path="chat/completions", status=429, headers={"Retry-After": "0"}
    )
    with pytest.raises(ModelRateLimitError) as info:
        _llm(hub_emulator, hub, key, max_retries=0).invoke("hello")
    assert isinstance(info.value, core.RateLimitError)
    assert info.value.is_retryable is True


def test_401_is_authentication_error(hub_emulator: Any) -> None:
    llm = _llm(hub_emulator, "electronhub", "ek-test-unknown-key", max_retries=0)
    llm2 = llm.model_copy(update={"api_key": SecretStr("wrong-prefix")})
    with pytest.raises(ModelAuthenticationError) as info, pytest.warns(UserWarning, match="keys usually start"):
        llm2.invoke("hi")
    assert isinstance(info.value, core.AuthenticationError)
    assert "wrong-prefix" not in str(info.value)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
async def test_stream_cut_raises_stream_error_with_partial_text(
    hub_emulator: Any, hub_key: KeyFactory, use_async: bool
) -> None:
    hub = "electronhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key, max_retries=0)
    full = llm.invoke("Tell me about rivers")
    hub_emulator.admin.fault(
        hub=hub, path="chat/completions", drop="after_chunks", after_chunks=4
    )
    seen: list[str] = []
    with pytest.raises(core.StreamError) as info:
        if use_async:
            async for chunk in llm.astream("Tell me about rivers"):
                seen.append(chunk.text)
        else:
            for chunk in llm.stream("Tell me about rivers"):
                seen.append(chunk.text)
    err = info.value
    assert isinstance(err, ModelError)
    assert err.partial_text
    assert err.partial_text == "".join(seen)
    assert str(full.content).startswith(err.partial_text)
    assert len(err.partial_text) < len(str(full.content))


def test_with_fallbacks_moves_from_exhausted_hub(hub_emulator: Any, hub_key: KeyFactory) -> None:
    broke = hub_key("apihub")
    hub_emulator.admin.set_account("apihub", broke, balance=0)
    primary = _llm(hub_emulator, "apihub", broke)
    backup_key = hub_key("tokenhub")
    backup = _llm(hub_emulator, "tokenhub", backup_key)
    msg = primary.with_fallbacks([backup]).invoke("hello fallback")
    assert msg.response_metadata["model_provider"] == "tokenhub"
    assert len(hub_emulator.admin.ledger("apihub", broke)["requests"]) == 1
    assert len(hub_emulator.admin.ledger("tokenhub", backup_key)["requests"]) == 1


def test_with_retry_retries_retryable_errors(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "apihub"
    key = hub_key(hub)
    hub_emulator.admin.fault(hub=hub, path="chat/completions", status=502, count=1)
    llm = _llm(hub_emulator, hub, key, max_retries=0)
    msg = llm.with_retry(
        stop_after_attempt=2, exponential_jitter_params={"initial": 0.01, "max": 0.02}
    ).invoke("hello")
    assert msg.content
    statuses = [r["status"] for r in hub_emulator.admin.ledger(hub, key)["requests"]]
    assert statuses == [502, 200]


def test_error_conversion_and_pickle() -> None:
    err = core.InsufficientCreditsError("out of credits", hub="apihub", status_code=402, balance=0)
    lc = to_langchain_error(err)
    assert isinstance(lc, core.InsufficientCreditsError)
    assert isinstance(lc, ModelError)
    back = pickle.loads(pickle.dumps(lc))
    assert type(back) is type(lc)
    assert back.balance == 0
    assert str(back) == str(lc)
    ctx = to_langchain_error(
        core.BadRequestError("This model's maximum context length is 8192", status_code=400)
    )
    from langchain_core.exceptions import ContextOverflowError

    assert isinstance(ctx, ContextOverflowError)


# -- metadata, limiter, tokens, serialisation --------------------------------------------------


def test_response_metadata_and_headers(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "tokenhub"
    llm = _llm(hub_emulator, hub, hub_key(hub), include_response_headers=True)
    msg = llm.invoke("hi")
    meta = msg.response_metadata
    assert meta["model_name"] == "openai/gpt-4.1"
    assert meta["model_provider"] == "tokenhub"
    assert meta["finish_reason"] == "stop"
    assert meta["id"]
    assert isinstance(meta["headers"], dict)
    assert "authorization" not in {k.lower() for k in meta["headers"]}
    assert llm._get_ls_params()["ls_provider"] == "tokenhub"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_stream_carries_response_headers_on_request(
    hub_emulator: Any, hub_key: KeyFactory, mode: str
) -> None:
    llm = _llm(hub_emulator, "electronhub", hub_key("electronhub"), include_response_headers=True)
    if mode == "sync":
        chunks = list(llm.stream("hi"))
    else:

        async def collect() -> list[Any]:
            return [c async for c in llm.astream("hi")]

        chunks = asyncio.run(collect())
    with_headers = [c for c in chunks if "headers" in c.response_metadata]
    assert len(with_headers) == 1
    headers = {k.lower(): v for k, v in with_headers[0].response_metadata["headers"].items()}
    assert headers["x-request-id"]
    assert "x-ratelimit-limit" in headers  # Electron Hub sends its rate-limit headers
    plain = _llm(hub_emulator, "electronhub", hub_key("electronhub"))
    assert all("headers" not in c.response_metadata for c in plain.stream("hi"))


def test_default_rate_limiter_is_shared_per_key() -> None:
    a = ChatElectronHub(model="gpt-4o", api_key=SecretStr("ek-shared-key-123"))
    b = ChatElectronHub(model="gpt-4o-mini", api_key=SecretStr("ek-shared-key-123"))
    assert isinstance(a.rate_limiter, HubPlanRateLimiter)
    assert isinstance(b.rate_limiter, HubPlanRateLimiter)
    assert a.rate_limiter.limiter.rpm == 5  # Electron Hub default plan: free, 5 RPM
    assert a.rate_limiter.limiter._state is b.rate_limiter.limiter._state
    assert ChatElectronHub(model="gpt-4o", api_key=SecretStr("ek-x"), rpm=0).rate_limiter is None
    assert ChatElectronHub(model="gpt-4o", api_key=SecretStr("ek-x"), plan="pro").rate_limiter.limiter.rpm == 30  # type: ignore


def test_stream_usage_estimated_when_hub_sends_none(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "apihub"
    # extra_body overrides stream_options, so the hub is told not to send a usage chunk.
    llm = _llm(hub_emulator, hub, hub_key(hub), extra_body={"stream_options": {"include_usage": False}})
    chunks = list(llm.stream("count these words please"))
    with_usage = [c for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1
    usage = with_usage[0].usage_metadata
    assert usage is not None
    assert usage["input_tokens"] > 0
    assert usage["output_tokens"] > 0
    assert chunks[-1].response_metadata["usage_estimated"] is True
    off = _llm(hub_emulator, hub, hub_key(hub), stream_usage=False)
    assert not any(c.usage_metadata for c in off.stream("count these words please"))


def test_stream_reports_cost_when_hub_prices(hub_emulator: Any, hub_key: KeyFactory) -> None:
    llm = _llm(hub_emulator, "tokenhub", hub_key("tokenhub"))
    last = list(llm.stream("hello cost"))[-1]
    assert last.response_metadata["cost"] > 0
    assert last.response_metadata["cost_unit"] == "credits"


def test_token_counting_offline_any_model() -> None:
    llm = ChatTokenHub(model="anthropic/claude-sonnet-4-6", api_key=SecretStr("th-x"), rpm=0)
    short = llm.get_num_tokens_from_messages([HumanMessage("hi")])
    long = llm.get_num_tokens_from_messages([HumanMessage("hi " * 100)])
    assert 0 < short < long
    assert llm.get_num_tokens_from_messages([HumanMessage("hi")], tools=[get_weather]) > short


def test_secrets_stay_secret() -> None:
    llm = ChatChainHub(model="gpt-4o", api_key=SecretStr("sk-very-secret-value-1"), rpm=0)
    assert "sk-very-secret-value-1" not in repr(llm)
    assert "sk-very-secret-value-1" not in str(llm.model_dump())
    clone = pickle.loads(pickle.dumps(llm))
    assert clone.api_key is not None
    assert clone.api_key.get_secret_value() == "sk-very-secret-value-1"
    from langchain_core.load import dumpd

    assert "sk-very-secret-value-1" not in str(dumpd(llm))


def test_unknown_kwargs_go_to_model_kwargs(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "electronhub"
    key = hub_key(hub)
    with pytest.warns(UserWarning, match="top_k"):
        llm = _llm(hub_emulator, hub, key, top_k=5, extra_body={"web_search": False})
    llm.invoke("hi")
    body = hub_emulator.admin.ledger(hub, key)["requests"][-1]["body"]
    assert body["top_k"] == 5
    assert body["web_search"] is False


async def test_async_batch_and_events(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "chainhub"
    llm = _llm(hub_emulator, hub, hub_key(hub))
    outs = await llm.abatch(["one", "two", "three"])
    assert [("one" in o.content, "two" in o.content, "three" in o.content) for o in outs] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]
    kinds = [ev["event"] async for ev in llm.astream_events("hello", version="v2")]
    assert kinds[0] == "on_chat_model_start"
    assert "on_chat_model_stream" in kinds
    assert kinds[-1] == "on_chat_model_end"


# -- agents and graphs -------------------------------------------------------------------------


class WeatherReport(BaseModel):
    """The final answer."""

    city: str
    summary: str


@pytest.mark.parametrize("hub", ["apihub", "electronhub"])
def test_create_agent_loop_with_tool_and_structured_response(
    hub_emulator: Any, hub_key: KeyFactory, hub: str
) -> None:
    from langchain.agents import create_agent
    from langchain.agents.structured_output import ToolStrategy

    llm = _llm(hub_emulator, hub, hub_key(hub))
    agent = create_agent(llm, tools=[get_weather], response_format=ToolStrategy(WeatherReport))
    prompt = "Use get_weather for Paris, then answer with WeatherReport."
    result = agent.invoke({"messages": [HumanMessage(prompt)]})
    tool_msgs = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert any(str(m.content).startswith("sunny in") for m in tool_msgs)
    report = result["structured_response"]
    assert isinstance(report, WeatherReport)
    assert "Paris" in report.city


def test_create_agent_picks_native_structured_output_from_profile(
    hub_emulator: Any, hub_key: KeyFactory
) -> None:
    from langchain.agents import create_agent

    hub = "tokenhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key)  # openai/gpt-4.1: profile says json_schema works
    agent = create_agent(llm, tools=[], response_format=WeatherReport)
    result = agent.invoke({"messages": [HumanMessage("Weather report for Paris please.")]})
    assert isinstance(result["structured_response"], WeatherReport)
    body = hub_emulator.admin.ledger(hub, key)["requests"][-1]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "WeatherReport"


def test_create_agent_tool_loop_with_native_structured_output(
    hub_emulator: Any, hub_key: KeyFactory
) -> None:
    """Profile -> ProviderStrategy (json_schema) on a model with tools: the loop still finishes."""
    from langchain.agents import create_agent

    hub = "electronhub"
    key = hub_key(hub)
    llm = _llm(hub_emulator, hub, key)  # gpt-4o: json_schema supported
    agent = create_agent(llm, tools=[get_weather], response_format=WeatherReport)
    prompt = "Use get_weather for Paris, then answer with WeatherReport."
    result = agent.invoke({"messages": [HumanMessage(prompt)]})
    assert any(isinstance(m, ToolMessage) for m in result["messages"])
    report = result["structured_response"]
    assert isinstance(report, WeatherReport)
    last_body = hub_emulator.admin.ledger(hub, key)["requests"][-1]["body"]
    assert last_body["response_format"]["type"] == "json_schema"
    assert last_body["messages"][-1]["role"] == "tool"


def test_langgraph_messages_stream_carries_usage(hub_emulator: Any, hub_key: KeyFactory) -> None:
    from langgraph.graph import END, START, MessagesState, StateGraph

    llm = _llm(hub_emulator, "electronhub", hub_key("electronhub"))

    def call(state: MessagesState) -> dict[str, Any]:
        return {"messages": [llm.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("model", call)
    graph.add_edge(START, "model")
    graph.add_edge("model", END)
    app = graph.compile()
    chunks = [
        msg
        for msg, _meta in app.stream(
            {"messages": [HumanMessage("hello graph")]}, stream_mode="messages"
        )
    ]
    assert chunks
    msgs = [c for c in chunks if isinstance(c, AIMessageChunk)]
    with_usage = [c for c in msgs if c.usage_metadata]
    assert len(with_usage) == 1
    usage = with_usage[0].usage_metadata
    assert usage is not None
    assert usage["total_tokens"] > 0
    assert "hello graph" in "".join(str(c.content) for c in msgs)


def test_error_in_a_200_body_is_raised_typed(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "chainhub"
    key = hub_key(hub)
    hub_emulator.admin.fault(hub=hub, path="chat/completions", error_200=True)
    with pytest.raises(core.HubAPIError) as info:
        _llm(hub_emulator, hub, key, max_retries=0).invoke("hello")
    assert isinstance(info.value, ModelError)


def test_error_event_mid_stream_is_stream_error(hub_emulator: Any, hub_key: KeyFactory) -> None:
    hub = "electronhub"
    key = hub_key(hub)
    hub_emulator.admin.fault(hub=hub, path="chat/completions", sse="error_event")
    with pytest.raises(core.StreamError) as info:
        list(_llm(hub_emulator, hub, key, max_retries=0).stream("hello"))
    assert isinstance(info.value, ModelError)
    assert info.value.error is None or isinstance(info.value.error, ModelError)


def test_pickle_after_use_rebuilds_client(hub_emulator: Any, hub_key: KeyFactory) -> None:
    llm = _llm(hub_emulator, "tokenhub", hub_key("tokenhub"))
    first = llm.invoke("before pickle")
    clone = pickle.loads(pickle.dumps(llm))
    assert clone._client is None
    assert "after pickle" in str(clone.invoke("after pickle").content)
    assert "before pickle" in str(first.content)


def test_is_retryable_keeps_a_chain_from_retrying_a_402(
    hub_emulator: Any, hub_key: KeyFactory
) -> None:
    from langchain_hub import is_retryable

    key = hub_key("apihub")
    hub_emulator.admin.set_account("apihub", key, balance=0)
    llm = _llm(hub_emulator, "apihub", key)
    chain = llm.with_structured_output(WeatherReport).with_retry(
        retry_if_exception_type=is_retryable, stop_after_attempt=3, wait_exponential_jitter=False
    )
    with pytest.raises(core.InsufficientCreditsError):
        chain.invoke("Weather report for Paris")
    assert len(hub_emulator.admin.ledger("apihub", key)["requests"]) == 1
