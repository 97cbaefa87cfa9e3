"""The docstring examples of the embeddings classes (both frameworks) run against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from docstring_support import code_blocks, run_docstring

from hub_core.embeddings import EmbeddingInputError
from langchain_hub import embeddings as lc
from llamaindex_hub import embeddings as li

_HUB_OF = {
    "ElectronHub": "electronhub",
    "ChainHub": "chainhub",
    "APIHub": "apihub",
    "TokenHub": "tokenhub",
}


def _embedding_requests(emu: Any, hub: str, key: str) -> list[dict[str, Any]]:
    rows = emu.admin.ledger(hub, key)["requests"]
    return [r for r in rows if r["path"].endswith("embeddings")]


def test_langchain_hubembeddings_docstring_examples_run(hub_emulator: Any) -> None:
    ns = run_docstring(lc.HubEmbeddings, {"emu": hub_emulator}, min_blocks=6)
    assert len(ns["vector"]) == 1536
    assert len(ns["vectors"]) == 2 and all(len(v) == 1536 for v in ns["vectors"])
    assert ns["vectors"][0] != ns["vectors"][1]
    usage = ns["usage"]
    assert usage.requests == 1 and usage.input_tokens == 2
    assert usage.cost["credits"] > 0  # TokenHub states each request's cost
    assert "input 1" in ns["problem"] and "on_long_input" in ns["problem"]


def test_llamaindex_hubembedding_docstring_examples_run(hub_emulator: Any) -> None:
    ns = run_docstring(li.HubEmbedding, {"emu": hub_emulator}, min_blocks=6)
    assert len(ns["query"]) == 1536
    assert len(ns["vectors"]) == 2 and ns["vectors"][0] != ns["vectors"][1]
    assert ns["best"].node.get_content() == "Paris is the capital of France."
    assert (ns["usage"].requests, ns["usage"].input_tokens) == (1, 2)
    assert "input 1" in ns["problem"] and "on_long_input" in ns["problem"]


def test_long_input_in_the_examples_sends_nothing(hub_emulator: Any, hub_key: Any) -> None:
    """The Errors examples claim nothing is sent: check it on a fresh account."""
    key = hub_key("tokenhub")
    emb = lc.HubEmbeddings(hub="tokenhub", base_url=hub_emulator.base_url("tokenhub"),
                           api_key=key, rpm=0)
    with pytest.raises(EmbeddingInputError):
        emb.embed_documents(["fine", "word " * 10_000])
    assert _embedding_requests(hub_emulator, "tokenhub", key) == []


@pytest.mark.parametrize(
    "cls",
    [
        lc.ElectronHubEmbeddings, lc.ChainHubEmbeddings, lc.APIHubEmbeddings,
        lc.TokenHubEmbeddings, li.ElectronHubEmbedding, li.ChainHubEmbedding,
        li.APIHubEmbedding, li.TokenHubEmbedding,
    ],
)
def test_per_hub_examples_run_from_env(
    hub_emulator: Any, hub_key: Any, monkeypatch: pytest.MonkeyPatch, cls: type[Any]
) -> None:
    hub = next(h for prefix, h in _HUB_OF.items() if cls.__name__.startswith(prefix))
    key = hub_key(hub)
    monkeypatch.setenv(f"{hub.upper()}_API_KEY", key)
    monkeypatch.setenv(f"{hub.upper()}_BASE_URL", hub_emulator.base_url(hub))
    assert len(code_blocks(cls.__doc__)) == 1
    model = run_docstring(cls)["embed_model" if cls.__module__.startswith("llama") else "emb"]
    assert model.hub == hub and model.base_url == hub_emulator.base_url(hub)
    (request,) = _embedding_requests(hub_emulator, hub, key)  # the example's one call
    assert request["body"]["input"] == ["hello"]
