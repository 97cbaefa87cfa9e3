"""The docstring examples of the LlamaIndex LLMs run against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from docstring_support import code_blocks, run_docstring
from llama_index.core.base.llms.types import TextBlock, ThinkingBlock

from llamaindex_hub import hub_llms
from llamaindex_hub.llms import HubLLM


def test_hubllm_docstring_examples_run(hub_emulator: Any) -> None:
    ns = run_docstring(HubLLM, {"emu": hub_emulator}, min_blocks=11)
    # Invoke, Stream, Async: the emulator's scripted reply quotes the prompt
    assert "Say hello" in ns["text"]
    assert ns["resp"].message.content == ns["text"]
    assert ns["part"].text == ns["text"]  # the last streamed part holds the whole text
    # Tool calling: one selection, and predict_and_call ran the Python function
    assert [c.tool_name for c in ns["calls"]] == ["get_weather"]
    assert str(ns["answer"]).startswith("Sunny in ")
    # Structured output: the values come back typed
    assert (ns["city"].name, ns["city"].population) == ("Lyon", 522000)
    assert ns["sllm"].complete("name=Oslo population=709000").raw.population == 709000
    # Reasoning output: thinking first, then the answer
    assert [type(b) for b in ns["reply"].message.blocks] == [ThinkingBlock, TextBlock]
    # Token usage: counted on the reply and by the handler
    assert ns["resp"].additional_kwargs["total_tokens"] > 0
    assert ns["usage"].requests == 1 and ns["usage"].total_tokens > 0
    assert ns["usage"].cost["credits"] > 0
    # Response metadata
    assert ns["resp"].raw["model"] == "openai/gpt-4.1"
    assert ns["resp"].additional_kwargs["finish_reason"] == "stop"
    assert ns["llm"].metadata.is_function_calling_model is True
    # Budget: calls went through until the cap, then one was refused before sending
    budget = ns["budget"]
    assert budget.calls >= 1 and budget.refused_calls == 1
    assert 0 < budget.spent <= budget.max_cost and budget.reserved == 0
    assert "Nothing was sent" in ns["refusal"]
    # Errors: bad input named before any request
    assert "max_tokens" in ns["problem"]


@pytest.mark.parametrize(
    "cls",
    [hub_llms.ElectronHubLLM, hub_llms.ChainHubLLM, hub_llms.APIHubLLM, hub_llms.TokenHubLLM],
)
def test_per_hub_examples_run_from_env(
    hub_emulator: Any, hub_key: Any, monkeypatch: pytest.MonkeyPatch, cls: type[HubLLM]
) -> None:
    hub = cls.HUB  # type: ignore[attr-defined]
    key = hub_key(hub)
    monkeypatch.setenv(f"{hub.upper()}_API_KEY", key)
    monkeypatch.setenv(f"{hub.upper()}_BASE_URL", hub_emulator.base_url(hub))
    assert len(code_blocks(cls.__doc__)) == 1
    llm = run_docstring(cls)["llm"]
    assert llm.client.base_url == hub_emulator.base_url(hub)
    assert llm.complete("Hello").raw["model"] == llm.model
    chats = [r for r in hub_emulator.admin.ledger(hub, key)["requests"]
             if r["path"].endswith("chat/completions")]
    assert len(chats) == 2  # the example's call and this test's, both with the env key


def test_old_import_path_still_resolves() -> None:
    from llamaindex_hub import TokenHubLLM, llms

    assert llms.TokenHubLLM is TokenHubLLM is hub_llms.TokenHubLLM
    assert TokenHubLLM.class_name() == "TokenHubLLM"
