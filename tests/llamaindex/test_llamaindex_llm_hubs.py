"""The scenario suite every hub class runs against the emulator (parametrised over 4 hubs)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from li_support import HubCase, MakeLLM, chat_requests
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock, ToolCallBlock
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from hub_core.errors import InsufficientCreditsError

PROMPT = "Please repeat: blue whale"


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


MULTIPLY = FunctionTool.from_defaults(fn=multiply)


class City(BaseModel):
    """A city and its population."""

    name: str
    population: int


# -- plain chat / complete, sync and async -------------------------------------------------


def test_chat_and_complete(make_llm: MakeLLM, case: HubCase, ledger: Any) -> None:
    llm = make_llm()
    resp = llm.chat([ChatMessage(role="user", content=PROMPT)])
    assert "blue whale" in (resp.message.content or "")
    assert resp.additional_kwargs["prompt_tokens"] == resp.raw["usage"]["prompt_tokens"] > 0
    comp = llm.complete(PROMPT)
    assert comp.text == resp.message.content
    sent = chat_requests(ledger())
    assert len(sent) == 2
    assert sent[0]["body"]["model"] == case.model
    assert "stream_options" not in sent[0]["body"]


def test_stream_chat_accumulates_and_reports_usage(make_llm: MakeLLM, ledger: Any) -> None:
    llm = make_llm()
    responses = list(llm.stream_chat([ChatMessage(role="user", content=PROMPT)]))
    assert len(responses) > 2
    text = "".join(r.delta or "" for r in responses)
    assert "blue whale" in text
    last = responses[-1]
    assert last.message.content == text
    assert last.raw["usage"]["completion_tokens"] == last.additional_kwargs["completion_tokens"]
    assert last.additional_kwargs["prompt_tokens"] > 0
    (req,) = chat_requests(ledger())
    assert req["body"]["stream_options"] == {"include_usage": True}


def test_stream_complete(make_llm: MakeLLM) -> None:
    llm = make_llm()
    chunks = list(llm.stream_complete(PROMPT))
    assert chunks[-1].text == "".join(c.delta or "" for c in chunks)
    assert "blue whale" in chunks[-1].text


def test_async_twins(make_llm: MakeLLM, ledger: Any) -> None:
    llm = make_llm()
    messages = [ChatMessage(role="user", content=PROMPT)]

    async def run() -> tuple[str, str, str, str]:
        chat = await llm.achat(messages)
        comp = await llm.acomplete(PROMPT)
        last_chat = None
        async for r in await llm.astream_chat(messages):
            last_chat = r
        last_comp = None
        async for c in await llm.astream_complete(PROMPT):
            last_comp = c
        assert last_chat is not None and last_comp is not None
        assert last_chat.additional_kwargs["total_tokens"] > 0
        return chat.message.content or "", comp.text, last_chat.message.content or "", last_comp.text

    results = asyncio.run(run())
    assert all("blue whale" in r for r in results)
    assert len(set(results)) == 1
    assert len(chat_requests(ledger())) == 4


def test_insufficient_credits_after_one_request(
    make_llm: MakeLLM, hub_emulator: Any, case: HubCase, key: str, ledger: Any
) -> None:
    hub_emulator.admin.set_account(case.hub, key, balance=0)
    llm = make_llm(max_retries=3)
    with pytest.raises(InsufficientCreditsError):
        llm.chat([ChatMessage(role="user", content=PROMPT)])
    assert len(chat_requests(ledger())) == 1


def test_token_counting_handler_reports_hub_usage(make_llm: MakeLLM) -> None:
    counter = TokenCountingHandler()
    llm = make_llm(callback_manager=CallbackManager([counter]))
    resp = llm.chat([ChatMessage(role="user", content=PROMPT)])
    streamed = list(llm.stream_chat([ChatMessage(role="user", content=PROMPT + " again")]))
    usage_a, usage_b = resp.raw["usage"], streamed[-1].raw["usage"]
    assert counter.prompt_llm_token_count == usage_a["prompt_tokens"] + usage_b["prompt_tokens"]
    assert counter.completion_llm_token_count == (
        usage_a["completion_tokens"] + usage_b["completion_tokens"]
    )
    assert len(counter.llm_token_counts) == 2


# -- reasoning -------------------------------------------------------------------------------


def test_reasoning_becomes_thinking_blocks(make_llm: MakeLLM, case: HubCase) -> None:
    if case.reasoning_model is None:
        pytest.skip(f"the {case.hub} emulator lists no reasoning model")
    llm = make_llm(case.reasoning_model)
    resp = llm.chat([ChatMessage(role="user", content=PROMPT)])
    thinking = [b for b in resp.message.blocks if isinstance(b, ThinkingBlock)]
    assert thinking and "blue whale" in (thinking[0].content or "")
    assert "blue whale" in (resp.message.content or "")
    assert "<think>" not in (resp.message.content or "")
    streamed = list(llm.stream_chat([ChatMessage(role="user", content=PROMPT)]))
    deltas = "".join(r.additional_kwargs.get("thinking_delta", "") for r in streamed)
    last_thinking = [b for b in streamed[-1].message.blocks if isinstance(b, ThinkingBlock)]
    assert deltas and last_thinking[0].content == deltas
    assert streamed[-1].message.content == resp.message.content


# -- tools -----------------------------------------------------------------------------------


def test_chat_with_tools_and_tool_choice_by_name(make_llm: MakeLLM, ledger: Any) -> None:
    llm = make_llm()
    resp = llm.chat_with_tools([MULTIPLY], user_msg="multiply 6 and 7", tool_choice="multiply")
    (call,) = llm.get_tool_calls_from_response(resp)
    assert call.tool_name == "multiply"
    assert call.tool_kwargs == {"a": 6, "b": 7}
    assert call.tool_id
    body = chat_requests(ledger())[0]["body"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "multiply"}}
    assert body["tools"][0]["function"]["name"] == "multiply"


def test_no_tool_call_raises_only_when_asked(make_llm: MakeLLM) -> None:
    llm = make_llm()
    resp = llm.chat([ChatMessage(role="user", content=PROMPT)])
    assert llm.get_tool_calls_from_response(resp, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="tool call"):
        llm.get_tool_calls_from_response(resp)


def test_predict_and_call(make_llm: MakeLLM) -> None:
    llm = make_llm()
    out = llm.predict_and_call([MULTIPLY], user_msg="multiply 6 and 7")
    assert out.response == "42"
    assert out.sources[0].tool_name == "multiply"


@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "nostream"])
def test_function_agent_two_step_loop(make_llm: MakeLLM, streaming: bool) -> None:
    from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult

    llm = make_llm()
    agent = FunctionAgent(tools=[MULTIPLY], llm=llm, streaming=streaming)

    async def run() -> tuple[str, list[Any]]:
        handler = agent.run(user_msg="multiply 6 and 7")
        results = [ev async for ev in handler.stream_events() if isinstance(ev, ToolCallResult)]
        final = await handler
        return str(final), results

    answer, results = asyncio.run(run())
    assert [(r.tool_name, r.tool_kwargs, r.tool_output.content) for r in results] == [
        ("multiply", {"a": 6, "b": 7}, "42")
    ]
    assert "42" in answer


@pytest.mark.parametrize("streaming", [True, False])
def test_react_agent_two_step_tool_loop(make_llm: MakeLLM, streaming: bool) -> None:
    """ReAct runs over plain text (no ``tools`` field): Thought/Action, Observation, Answer."""
    from llama_index.core.agent.workflow import ReActAgent, ToolCallResult

    llm = make_llm()
    agent = ReActAgent(tools=[MULTIPLY], llm=llm, streaming=streaming)

    async def run() -> tuple[str, list[Any]]:
        handler = agent.run(user_msg="Use multiply with a=6 and b=7.")
        results = [ev async for ev in handler.stream_events() if isinstance(ev, ToolCallResult)]
        return str(await handler), results

    answer, results = asyncio.run(run())
    assert [(r.tool_name, r.tool_kwargs, r.tool_output.content) for r in results] == [
        ("multiply", {"a": 6, "b": 7}, "42")
    ]
    assert "42" in answer


# -- structured output -----------------------------------------------------------------------


def test_structured_predict(make_llm: MakeLLM) -> None:
    from llama_index.core.prompts import PromptTemplate

    llm = make_llm()
    prompt = PromptTemplate("Extract the city: {text}")
    city = llm.structured_predict(City, prompt, text="name=Lyon population=522000")
    assert isinstance(city, City)
    assert city.name == "Lyon"
    assert city.population == 522000

    async def arun() -> Any:
        return await llm.astructured_predict(City, prompt, text="name=Nice population=342000")

    acity = asyncio.run(arun())
    assert (acity.name, acity.population) == ("Nice", 342000)


def test_stream_structured_predict(make_llm: MakeLLM) -> None:
    from llama_index.core.prompts import PromptTemplate

    llm = make_llm()
    prompt = PromptTemplate("Extract the city: {text}")
    partials: list[Any] = list(
        llm.stream_structured_predict(City, prompt, text="name=Bern population=134000")
    )
    assert (partials[-1].name, partials[-1].population) == ("Bern", 134000)

    async def arun() -> Any:
        last = None
        async for obj in await llm.astream_structured_predict(
            City, prompt, text="name=Graz population=291000"
        ):
            last = obj
        return last

    last = asyncio.run(arun())
    assert (last.name, last.population) == ("Graz", 291000)


def test_parallel_tool_calls_only_when_allowed(make_llm: MakeLLM, ledger: Any) -> None:
    def add(x: int, y: int) -> int:
        """Add two integers."""
        return x + y

    tools = [MULTIPLY, FunctionTool.from_defaults(fn=add)]
    llm = make_llm()
    prompt = "multiply 6 and 7 then add 2 and 3"
    single = llm.chat_with_tools(tools, user_msg=prompt)
    both = llm.chat_with_tools(tools, user_msg=prompt, allow_parallel_tool_calls=True)
    assert [c.tool_name for c in llm.get_tool_calls_from_response(single)] == ["multiply"]
    assert [c.tool_name for c in llm.get_tool_calls_from_response(both)] == ["multiply", "add"]
    assert len(single.message.additional_kwargs["tool_calls"]) == 1
    first, second = (r["body"] for r in chat_requests(ledger()))
    assert first["parallel_tool_calls"] is False
    assert "parallel_tool_calls" not in second
    assert first["tool_choice"] == second["tool_choice"] == "auto"


def test_as_structured_llm(make_llm: MakeLLM) -> None:
    sllm = make_llm().as_structured_llm(City)
    resp = sllm.chat([ChatMessage(role="user", content="name=Oslo population=709000")])
    assert isinstance(resp.raw, City)
    assert resp.raw.population == 709000


# -- streamed tool-call quirks ---------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    ["no_index", "repeated_index", "empty_continuation_ids", "object_arguments",
     "name_with_args", "two_calls_one_chunk"],
)
def test_streamed_tool_call_quirks(
    make_llm: MakeLLM, hub_emulator: Any, case: HubCase, key: str, variant: str
) -> None:
    def add(x: int, y: int) -> int:
        """Add two integers."""
        return x + y

    tools = [MULTIPLY, FunctionTool.from_defaults(fn=add)]
    llm = make_llm()
    plain = llm.chat_with_tools(
        tools, user_msg="multiply 6 and 7 then add 2 and 3", allow_parallel_tool_calls=True
    )
    expected = [(c.tool_id, c.tool_name, c.tool_kwargs)
                for c in llm.get_tool_calls_from_response(plain)]
    assert len(expected) == 2
    hub_emulator.admin.fault(
        hub=case.hub, path="chat/completions", count=1, tool_delta=variant
    )
    streamed = list(
        llm.stream_chat_with_tools(
            tools, user_msg="multiply 6 and 7 then add 2 and 3", allow_parallel_tool_calls=True
        )
    )
    got = [(c.tool_id, c.tool_name, c.tool_kwargs)
           for c in llm.get_tool_calls_from_response(streamed[-1])]
    assert got == expected
    blocks = [b for b in streamed[-1].message.blocks if isinstance(b, ToolCallBlock)]
    assert len(blocks) == 2
