"""LlamaIndex HubEmbedding against the emulator: indexing, retrieval, ingestion with workers."""

from __future__ import annotations

import math
import pickle
from typing import Any

import pytest
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.ingestion import IngestionPipeline

from llamaindex_hub.embeddings import (
    APIHubEmbedding,
    ChainHubEmbedding,
    ElectronHubEmbedding,
    HubEmbedding,
    TokenHubEmbedding,
)

CORPUS = {
    "volcano": "Volcanoes erupt molten lava and ash when magma rises through the crust.",
    "bread": "Sourdough bread needs flour, water, salt and a lively starter culture.",
    "chess": "In chess the knight moves in an L shape and can jump over other pieces.",
    "tides": "Ocean tides are caused by the gravitational pull of the moon and the sun.",
    "python": "Python lists are mutable sequences; tuples are immutable sequences.",
}


def _requests(emu: Any, hub: str, key: str) -> list[dict[str, Any]]:
    return [r for r in emu.admin.ledger(hub, key)["requests"] if r["path"].endswith("embeddings")]


def _embedding(emu: Any, hub: str, key: str, **kwargs: Any) -> HubEmbedding:
    return HubEmbedding(hub=hub, api_key=key, base_url=emu.base_url(hub), rpm=0, **kwargs)


def test_retrieval_returns_relevant_document_first(
    hub_emulator: Any, hub_key: Any, hub: str
) -> None:
    key = hub_key(hub)
    docs = [Document(text=text, id_=name) for name, text in CORPUS.items()]
    index = VectorStoreIndex.from_documents(docs, embed_model=_embedding(hub_emulator, hub, key))
    retriever = index.as_retriever(similarity_top_k=2)
    for query, expected in [
        ("how does the knight move in chess", "chess"),
        ("why do volcanoes erupt lava", "volcano"),
        ("what causes ocean tides", "tides"),
    ]:
        results = retriever.retrieve(query)
        assert results[0].node.ref_doc_id == expected, (query, results)
    assert _requests(hub_emulator, hub, key)  # the vectors did come from the hub


def test_ingestion_pipeline_with_two_workers(hub_emulator: Any, hub_key: Any) -> None:
    key = hub_key("chainhub")
    embed = _embedding(hub_emulator, "chainhub", key, dimensions=32)
    docs = [Document(text=f"{text} Variant {i}.") for i in range(4) for text in CORPUS.values()]
    # Only the embedding step: SentenceSplitter itself hangs under num_workers=2 here (it loses
    # its tokenizer when pickled), with or without a hub embedding.
    pipeline = IngestionPipeline(transformations=[embed])
    nodes = pipeline.run(documents=docs, num_workers=2)
    assert len(nodes) == len(docs)
    assert all(node.embedding is not None and len(node.embedding) == 32 for node in nodes)
    # the child processes rebuilt the client and sent the requests with the same key
    requests = _requests(hub_emulator, "chainhub", key)
    assert 2 <= len(requests) <= len(docs)
    assert sum(len(r["body"]["input"]) for r in requests) == len(docs)
    same = embed.get_text_embedding(nodes[0].get_content(metadata_mode="embed"))  # type: ignore[arg-type]
    assert same == pytest.approx(nodes[0].embedding, abs=1e-6)


def test_batches_follow_batch_size_sync_and_async(hub_emulator: Any, hub_key: Any) -> None:
    key = hub_key("tokenhub")
    embed = _embedding(hub_emulator, "tokenhub", key, dimensions=8, batch_size=10)
    texts = [f"line {i} says {i * 7}" for i in range(95)]
    vectors = embed.get_text_embedding_batch(texts)
    assert len(vectors) == 95
    assert len(_requests(hub_emulator, "tokenhub", key)) == math.ceil(95 / 10)
    assert vectors[42] == pytest.approx(embed.get_text_embedding(texts[42]), abs=1e-6)


async def test_async_batch_in_order(hub_emulator: Any, hub_key: Any) -> None:
    key = hub_key("electronhub")
    embed = _embedding(
        hub_emulator, "electronhub", key, dimensions=8, batch_size=4, embed_batch_size=16
    )
    texts = [f"async text {i}" for i in range(50)]
    vectors = await embed.aget_text_embedding_batch(texts)
    assert len(vectors) == 50
    assert len(_requests(hub_emulator, "electronhub", key)) == math.ceil(50 / 4)
    query = await embed.aget_query_embedding(texts[37])
    assert vectors[37] == pytest.approx(query, abs=1e-6)


def test_newlines_are_sent_unchanged(hub_emulator: Any, hub_key: Any) -> None:
    key = hub_key("apihub")
    _embedding(hub_emulator, "apihub", key).get_text_embedding("line one\nline two")
    (request,) = _requests(hub_emulator, "apihub", key)
    assert request["body"]["input"] == ["line one\nline two"]


@pytest.mark.parametrize(
    ("cls", "hub", "model"),
    [
        (ElectronHubEmbedding, "electronhub", "text-embedding-3-small"),
        (ChainHubEmbedding, "chainhub", "text-embedding-3-small"),
        (APIHubEmbedding, "apihub", "text-embedding-3-small"),
        (TokenHubEmbedding, "tokenhub", "openai/text-embedding-3-small"),
    ],
)
def test_per_hub_classes(
    hub_emulator: Any, hub_key: Any, cls: type[HubEmbedding], hub: str, model: str
) -> None:
    key = hub_key(hub)
    embed = cls(api_key=key, base_url=hub_emulator.base_url(hub), rpm=0)
    assert (embed.hub, embed.model_name) == (hub, model)
    assert embed.class_name() == cls.__name__
    assert len(embed.get_query_embedding("hello")) > 0
    (request,) = _requests(hub_emulator, hub, key)
    assert request["body"]["model"] == model


def test_key_never_in_dict_repr_or_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKENHUB_API_KEY", raising=False)
    embed = TokenHubEmbedding(api_key="th-very-secret-value", rpm=0)
    assert "th-very-secret-value" not in repr(embed)
    assert "th-very-secret-value" not in str(embed.to_dict())
    assert "th-very-secret-value" not in str(embed.to_payload())
    assert "th-very-secret-value" not in embed.to_json()


def test_pickle_roundtrip_keeps_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAINHUB_API_KEY", raising=False)
    embed = ChainHubEmbedding(
        model_name="custom-embed", api_key="sk-pickle", rpm=0, dimensions=12, batch_size=7
    )
    _ = embed.engine  # built engines are dropped on pickling and rebuilt lazily
    again = pickle.loads(pickle.dumps(embed))
    assert type(again) is ChainHubEmbedding
    assert again.model_name == "custom-embed"
    assert (again.dimensions, again.batch_size, again.rpm) == (12, 7, 0)
    assert again.api_key is not None and again.api_key.get_secret_value() == "sk-pickle"
    assert again._engine is None
    assert again.engine.model == "custom-embed"


def test_generic_class_needs_a_hub() -> None:
    with pytest.raises(TypeError, match="hub="):
        HubEmbedding(api_key="x")
    with pytest.raises(ValueError, match="unknown hub"):
        HubEmbedding(hub="nohub", api_key="x")


def test_model_copy_and_assignment_rebuild_the_engine(hub_emulator: Any, hub_key: Any) -> None:
    key = hub_key("chainhub")
    embed = _embedding(hub_emulator, "chainhub", key)
    assert len(embed.get_query_embedding("first")) == 1536
    copy = embed.model_copy(update={"dimensions": 16})
    assert len(copy.get_query_embedding("second")) == 16
    embed.dimensions = 4
    assert len(embed.get_query_embedding("third")) == 4


@pytest.mark.parametrize("use_async", [False, True])
async def test_batch_events_and_callbacks_still_fire(
    hub_emulator: Any, hub_key: Any, use_async: bool
) -> None:
    from llama_index.core.callbacks import CallbackManager, CBEventType, LlamaDebugHandler
    from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.embedding import EmbeddingEndEvent

    seen: list[Any] = []

    class Collect(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            if isinstance(event, EmbeddingEndEvent):
                seen.append(event)

    root = get_dispatcher()
    handler = Collect()
    root.add_event_handler(handler)
    debug = LlamaDebugHandler()
    try:
        embed = _embedding(
            hub_emulator, "tokenhub", hub_key("tokenhub"), dimensions=4, embed_batch_size=5
        )
        embed.callback_manager = CallbackManager([debug])
        texts = [f"t {i}" for i in range(12)]
        if use_async:
            vectors = await embed.aget_text_embedding_batch(texts)
        else:
            vectors = embed.get_text_embedding_batch(texts)
    finally:
        root.event_handlers.remove(handler)
    assert len(seen) == 3
    assert [len(e.chunks) for e in seen] == [5, 5, 2]
    assert [v for e in seen for v in e.embeddings] == vectors
    assert seen[0].chunks == texts[:5]
    pairs = debug.get_event_pairs(CBEventType.EMBEDDING)
    assert len(pairs) == 3


def test_embeddings_cache_path(hub_emulator: Any, hub_key: Any) -> None:
    from llama_index.core.storage.kvstore import SimpleKVStore

    key = hub_key("apihub")
    embed = _embedding(hub_emulator, "apihub", key, dimensions=4, embeddings_cache=SimpleKVStore())
    first = embed.get_text_embedding_batch(["cached a", "cached b"])
    second = embed.get_text_embedding_batch(["cached a", "cached b"])
    assert first == second
    assert len(_requests(hub_emulator, "apihub", key)) == 1
