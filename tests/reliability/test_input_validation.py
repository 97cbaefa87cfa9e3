"""Bad input is refused before any request, naming the field, the rule and the fix.

Before the fix: a ``base_url`` without a scheme was glued onto itself and failed as a connection
error; ``max_tokens=-5``, ``model=""`` and tools with a spaced name or a non-schema ``parameters``
were sent to the hub; embeddings took an empty model (or fell back to the default), and
``dimensions``/``batch_size`` <= 0 failed as pydantic errors or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from hub_core import APIHubAccount, HubClient
from hub_core.errors import HubInputError
from hub_core.transport import Transport
from langchain_hub import ChatHub, ChatTokenHub, HubEmbeddings, TokenHubEmbeddings
from llamaindex_hub import HubEmbedding, HubLLM, TokenHubLLM

HUB = "tokenhub"
MODEL = "openai/gpt-4.1"
BAD_URL = "127.0.0.1:8000/v1"

GOOD_PARAMS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
BAD_TOOLS: dict[str, tuple[dict[str, Any], str]] = {
    "spaced name": (
        {"type": "function", "function": {"name": "get weather", "parameters": GOOD_PARAMS}},
        "tools[0].function.name",
    ),
    "string parameters": (
        {"type": "function", "function": {"name": "get_weather", "parameters": "city: str"}},
        "tools[0].function.parameters",
    ),
    "non-object schema": (
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "string"}}},
        "tools[0].function.parameters.type",
    ),
    "properties not schemas": (
        {"type": "function", "function": {"name": "f", "parameters": {
            "type": "object", "properties": {"city": "string"}}}},
        "tools[0].function.parameters.properties",
    ),
}


def _refused(err: BaseException, field: str) -> None:
    assert isinstance(err, HubInputError), repr(err)
    assert isinstance(err, ValueError)
    assert err.field == field
    assert str(err).startswith(field) or f" {field} " in str(err)
    assert "Fix:" in str(err)


def _no_requests(emu: Any, key: str) -> None:
    assert emu.admin.ledger(HUB, key)["requests"] == []


# -- base_url --------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[str | None], object]] = {
    "HubClient": lambda url: HubClient(HUB, api_key="th-x", base_url=url),
    "Transport": lambda url: Transport(hub=HUB, base_url=url or "", api_key="th-x"),
    "APIHubAccount": lambda url: APIHubAccount(base_url=url),
    "ChatHub": lambda url: ChatHub(hub=HUB, model=MODEL, api_key="th-x", base_url=url),
    "ChatTokenHub": lambda url: ChatTokenHub(model=MODEL, api_key="th-x", base_url=url),
    "HubLLM": lambda url: HubLLM(model=MODEL, hub=HUB, api_key="th-x", base_url=url),
    "TokenHubLLM": lambda url: TokenHubLLM(model=MODEL, api_key="th-x", base_url=url),
    "HubEmbeddings": lambda url: HubEmbeddings(hub=HUB, api_key="th-x", base_url=url),
    "TokenHubEmbeddings": lambda url: TokenHubEmbeddings(api_key="th-x", base_url=url),
    "HubEmbedding": lambda url: HubEmbedding(hub=HUB, api_key="th-x", base_url=url),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("url", [BAD_URL, "localhost:8787/tokenhub/api/v1", "ftp://host/v1"])
def test_base_url_without_http_scheme_is_refused_when_built(name: str, url: str) -> None:
    if name == "APIHubAccount":
        url = url.replace("tokenhub/api", "apihub")
    with pytest.raises(HubInputError) as info:
        BUILDERS[name](url)
    _refused(info.value, "base_url")
    assert "http://" in str(info.value)


def test_base_url_fix_names_the_url_to_write() -> None:
    with pytest.raises(HubInputError) as info:
        HubClient(HUB, api_key="th-x", base_url=BAD_URL)
    assert f"'http://{BAD_URL}'" in str(info.value)


@pytest.mark.parametrize("name", ["HubClient", "ChatTokenHub", "TokenHubLLM", "HubEmbedding"])
def test_base_url_from_the_environment_is_checked(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("TOKENHUB_BASE_URL", BAD_URL)
    with pytest.raises(HubInputError) as info:
        BUILDERS[name](None)
    assert "TOKENHUB_BASE_URL" in str(info.value)
    assert info.value.field == "base_url (from TOKENHUB_BASE_URL)"


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_good_base_url_still_works(name: str, hub_emulator: Any) -> None:
    url = hub_emulator.base_url("apihub" if name == "APIHubAccount" else HUB) + "/"
    built = BUILDERS[name](url)
    assert built is not None


# -- chat: LangChain -------------------------------------------------------------------------


def _lc(emu: Any, key: str, **kw: Any) -> ChatHub:
    return ChatHub(hub=HUB, model=MODEL, api_key=key, base_url=emu.base_url(HUB), rpm=0, **kw)


CHAT_CLASSES = {
    "ChatHub": lambda **kw: ChatHub(hub=HUB, **kw),
    "HubLLM": lambda **kw: HubLLM(hub=HUB, **kw),
}


@pytest.mark.parametrize("name", sorted(CHAT_CLASSES))
@pytest.mark.parametrize(("kw", "field"), [
    ({"model": ""}, "model"),
    ({"model": "   "}, "model"),
    ({"max_tokens": -5}, "max_tokens"),
    ({"max_tokens": 0}, "max_tokens"),
])
def test_chat_constructors_refuse(name: str, kw: dict[str, Any], field: str) -> None:
    args = {"model": MODEL, "api_key": "th-x", **kw}
    with pytest.raises(HubInputError) as info:
        CHAT_CLASSES[name](**args)
    _refused(info.value, field)


def test_langchain_call_kwargs_refused_before_any_request(
    hub_emulator: Any, hub_key: Callable[[str], str]
) -> None:
    key = hub_key(HUB)
    llm = _lc(hub_emulator, key)
    for kw, field in (({"max_tokens": -5}, "max_tokens"), ({"model": " "}, "model"),
                      ({"max_completion_tokens": 0}, "max_completion_tokens")):
        with pytest.raises(HubInputError) as info:
            llm.invoke("hi", **kw)
        _refused(info.value, field)
        with pytest.raises(HubInputError):
            list(llm.stream("hi", **kw))
    _no_requests(hub_emulator, key)


@pytest.mark.parametrize("case", sorted(BAD_TOOLS))
def test_langchain_bad_tools_refused_before_any_request(
    hub_emulator: Any, hub_key: Callable[[str], str], case: str
) -> None:
    key = hub_key(HUB)
    tool, field = BAD_TOOLS[case]
    with pytest.raises(HubInputError) as info:
        _lc(hub_emulator, key).bind_tools([tool]).invoke("weather in Paris?")
    _refused(info.value, field)
    _no_requests(hub_emulator, key)


def test_langchain_good_tool_still_called(
    hub_emulator: Any, hub_key: Callable[[str], str]
) -> None:
    good = {"type": "function", "function": {"name": "get_weather", "parameters": GOOD_PARAMS}}
    ai = _lc(hub_emulator, hub_key(HUB)).bind_tools([good], tool_choice="any").invoke(
        "Weather in 'Paris'?")
    assert ai.tool_calls and ai.tool_calls[0]["name"] == "get_weather"


# -- chat: LlamaIndex ------------------------------------------------------------------------


def _li(emu: Any, key: str, **kw: Any) -> HubLLM:
    return HubLLM(model=MODEL, hub=HUB, api_key=key, base_url=emu.base_url(HUB), rpm=0, **kw)


def test_llamaindex_call_kwargs_and_tools_refused_before_any_request(
    hub_emulator: Any, hub_key: Callable[[str], str]
) -> None:
    key = hub_key(HUB)
    llm = _li(hub_emulator, key)
    msgs = [ChatMessage(role="user", content="hi")]
    with pytest.raises(HubInputError) as info:
        llm.chat(msgs, max_tokens=-5)
    _refused(info.value, "max_tokens")
    with pytest.raises(HubInputError):
        list(llm.stream_chat(msgs, max_tokens=-5))
    for tool, field in BAD_TOOLS.values():
        with pytest.raises(HubInputError) as info:
            llm.chat(msgs, tools=[tool])
        _refused(info.value, field)
    # (LlamaIndex's own FunctionTool already turns "get weather" into "get_weather")
    _no_requests(hub_emulator, key)


# -- embeddings ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kw", "field"), [
    ({"model": ""}, "model"),
    ({"dimensions": 0}, "dimensions"),
    ({"dimensions": -3}, "dimensions"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": -1}, "batch_size"),
])
def test_embeddings_refuse_bad_settings(kw: dict[str, Any], field: str) -> None:
    with pytest.raises(HubInputError) as info:
        HubEmbeddings(hub=HUB, api_key="th-x", **kw)
    _refused(info.value, field)
    li_kw = dict(kw)
    li_field = field
    if "model" in li_kw:
        li_kw["model_name"] = li_kw.pop("model")
        li_field = "model_name"
    with pytest.raises(HubInputError) as li_info:
        HubEmbedding(hub=HUB, api_key="th-x", **li_kw)
    _refused(li_info.value, li_field)
