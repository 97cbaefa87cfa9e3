"""LangChain HubEmbeddings beyond the standard suite: settings reach the wire, secrets, pickling."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from langchain_core.vectorstores import InMemoryVectorStore

from hub_core.embeddings import EmbeddingInputError
from hub_core.errors import HubAPIError
from langchain_hub.embeddings import (
    APIHubEmbeddings,
    ChainHubEmbeddings,
    ElectronHubEmbeddings,
    HubEmbeddings,
    TokenHubEmbeddings,
)


def _requests(emu: Any, hub: str, key: str) -> list[dict[str, Any]]:
    return [r for r in emu.admin.ledger(hub, key)["requests"] if r["path"].endswith("embeddings")]


@pytest.mark.parametrize(
    ("cls", "hub", "model"),
    [
        (ElectronHubEmbeddings, "electronhub", "text-embedding-3-small"),
        (ChainHubEmbeddings, "chainhub", "text-embedding-3-small"),
        (APIHubEmbeddings, "apihub", "text-embedding-3-small"),
        (TokenHubEmbeddings, "tokenhub", "openai/text-embedding-3-small"),
    ],
)
def test_settings_reach_the_wire(
    hub_emulator: Any, hub_key: Any, cls: type[HubEmbeddings], hub: str, model: str
) -> None:
    key = hub_key(hub)
    emb = cls(
        api_key=key,
        base_url=hub_emulator.base_url(hub),
        rpm=0,
        dimensions=24,
        batch_size=2,
        model_kwargs={"user": "tester"},
    )
    assert (emb.hub, emb.model) == (hub, model)
    vectors = emb.embed_documents(["one", "two", "three"])
    assert [len(v) for v in vectors] == [24, 24, 24]
    requests = _requests(hub_emulator, hub, key)
    assert [r["body"]["input"] for r in requests] in (
        [["one", "two"], ["three"]],
        [["three"], ["one", "two"]],
    )
    for request in requests:
        assert request["body"]["model"] == model
        assert request["body"]["dimensions"] == 24
        assert request["body"]["user"] == "tester"
        assert request["body"]["encoding_format"] == "base64"


async def test_async_matches_sync(hub_emulator: Any, hub_key: Any) -> None:
    hub = "chainhub"
    emb = HubEmbeddings(
        hub=hub, api_key=hub_key(hub), base_url=hub_emulator.base_url(hub), rpm=0, batch_size=3
    )
    texts = [f"sentence {i} about cats" for i in range(10)]
    sync_vectors = emb.embed_documents(texts)
    async_vectors = await emb.aembed_documents(texts)
    for a, b in zip(sync_vectors, async_vectors):
        assert a == pytest.approx(b, abs=1e-6)
    assert await emb.aembed_query(texts[3]) == pytest.approx(sync_vectors[3], abs=1e-6)


def test_vector_store_finds_the_relevant_text(hub_emulator: Any, hub_key: Any) -> None:
    hub = "tokenhub"
    emb = TokenHubEmbeddings(api_key=hub_key(hub), base_url=hub_emulator.base_url(hub), rpm=0)
    store = InMemoryVectorStore(emb)
    store.add_texts(
        [
            "Volcanoes erupt lava when magma rises.",
            "Sourdough bread needs a starter culture.",
            "The knight in chess moves in an L shape.",
        ]
    )
    (top,) = store.similarity_search("how does a chess knight move", k=1)
    assert "knight" in top.page_content


def test_long_input_error_through_adapter(hub_emulator: Any, hub_key: Any) -> None:
    hub = "electronhub"
    key = hub_key(hub)
    emb = ElectronHubEmbeddings(
        api_key=key, base_url=hub_emulator.base_url(hub), rpm=0, context_window=20
    )
    with pytest.raises(EmbeddingInputError, match="input 2 ") as info:
        emb.embed_documents(["ok", "fine", "too long " * 50])
    assert info.value.index == 2
    assert _requests(hub_emulator, hub, key) == []  # nothing was sent (or paid for)
    truncating = emb.model_copy(update={"on_long_input": "truncate"})
    assert len(truncating.embed_documents(["ok", "too long " * 50])) == 2


def test_unknown_model_raises_typed_error_with_range(hub_emulator: Any, hub_key: Any) -> None:
    hub = "apihub"
    emb = APIHubEmbeddings(
        api_key=hub_key(hub),
        base_url=hub_emulator.base_url(hub),
        rpm=0,
        model="no-such-embedder",
        max_retries=0,
    )
    with pytest.raises(HubAPIError, match=r"inputs 0\.\.1"):
        emb.embed_documents(["a", "b"])


def test_key_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAINHUB_API_KEY", raising=False)
    emb = ChainHubEmbeddings(api_key="sk-very-secret-value", rpm=0)
    assert "sk-very-secret-value" not in repr(emb)
    assert "sk-very-secret-value" not in str(emb.model_dump())
    assert "sk-very-secret-value" not in emb.model_dump_json()


def test_pickle_rebuilds_and_works(hub_emulator: Any, hub_key: Any) -> None:
    hub = "apihub"
    key = hub_key(hub)
    emb = APIHubEmbeddings(api_key=key, base_url=hub_emulator.base_url(hub), rpm=0, dimensions=8)
    first = emb.embed_query("pickled query")
    again = pickle.loads(pickle.dumps(emb))
    assert again._engine is None
    assert again.embed_query("pickled query") == first
    assert len(_requests(hub_emulator, hub, key)) == 2


def test_generic_class_validation() -> None:
    with pytest.raises(ValueError, match="hub"):
        HubEmbeddings(api_key="x")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="unknown hub"):
        HubEmbeddings(hub="nohub", api_key="x")
    with pytest.raises(ValueError, match="on_long_input"):
        HubEmbeddings(hub="chainhub", on_long_input="drop")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="extra"):
        HubEmbeddings(hub="chainhub", chunk_size=5)  # type: ignore[call-arg]


def test_changing_a_setting_after_use_takes_effect(hub_emulator: Any, hub_key: Any) -> None:
    hub = "electronhub"
    key = hub_key(hub)
    emb = ElectronHubEmbeddings(api_key=key, base_url=hub_emulator.base_url(hub), rpm=0)
    assert len(emb.embed_query("first")) == 1536
    emb.dimensions = 8
    assert len(emb.embed_query("second")) == 8
    assert [r["body"].get("dimensions") for r in _requests(hub_emulator, hub, key)] == [None, 8]
