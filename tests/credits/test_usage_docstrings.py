"""The docstring examples of the usage counters (LangChain and LlamaIndex) run on the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from docstring_support import run_docstring
from llama_index.core.instrumentation import get_dispatcher

import langchain_hub.usage as lc_usage
import llamaindex_hub.usage as li_usage

_GPT = "tokenhub:openai/gpt-4.1"


@pytest.fixture
def tokenhub_env(hub_emulator: Any, hub_key: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """TOKENHUB_API_KEY / _BASE_URL for the module examples that read the environment."""
    key = hub_key("tokenhub")
    monkeypatch.setenv("TOKENHUB_API_KEY", key)
    monkeypatch.setenv("TOKENHUB_BASE_URL", hub_emulator.base_url("tokenhub"))
    return key


@pytest.fixture
def root_handlers_restored() -> Iterator[None]:
    """An example that attaches a handler must not leave it on the root dispatcher."""
    before = list(get_dispatcher().event_handlers)
    yield
    assert get_dispatcher().event_handlers == before


def test_hub_usage_docstring_examples_run(hub_emulator: Any) -> None:
    ns = run_docstring(lc_usage.hub_usage, {"emu": hub_emulator}, min_blocks=2)
    usage = ns["usage"]
    assert usage.requests == 4  # invoke + two batch threads + one embeddings request
    assert usage.by_model[_GPT].requests == 3
    assert usage.by_model["tokenhub:openai/text-embedding-3-small"].requests == 1
    assert usage.total_tokens == sum(f.total_tokens for f in usage.by_model.values()) > 0
    assert usage.cost["credits"] > 0
    assert (ns["outer"].requests, ns["inner"].requests) == (2, 1)


def test_hub_usage_callback_handler_docstring_examples_run(hub_emulator: Any) -> None:
    ns = run_docstring(lc_usage.HubUsageCallbackHandler, {"emu": hub_emulator}, min_blocks=2)
    handler = ns["handler"]
    assert handler.requests == 1 and handler.cost["credits"] > 0
    assert handler.by_model[_GPT].total_tokens == handler.total_tokens > 0
    assert handler.usage_metadata["openai/gpt-4.1"]["total_tokens"] == handler.total_tokens


def test_hub_usage_handler_docstring_examples_run(
    hub_emulator: Any, root_handlers_restored: None
) -> None:
    ns = run_docstring(li_usage.HubUsageHandler, {"emu": hub_emulator}, min_blocks=2)
    usage = ns["usage"]
    assert usage.requests == 2  # one completion, one embeddings request
    assert usage.by_model[_GPT].output_tokens > 0
    assert usage.cost["credits"] > 0
    assert ns["totals"].requests == 1
    assert str(usage) == repr(usage) and "requests=2" in str(usage)


def test_langchain_usage_module_example_runs_from_env(tokenhub_env: str) -> None:
    usage = run_docstring(lc_usage)["usage"]
    assert usage.requests == 2 and usage.by_model[_GPT].cost["credits"] > 0


def test_llamaindex_usage_module_example_runs_from_env(
    tokenhub_env: str, root_handlers_restored: None
) -> None:
    ns = run_docstring(li_usage)
    ns["totals"].detach()  # the example keeps this one attached, as a program would
    assert ns["usage"].requests == 1 and ns["usage"].by_model[_GPT].cost["credits"] > 0
