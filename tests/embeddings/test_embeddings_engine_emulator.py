"""The embeddings engine against the hub emulator over loopback (no mocks)."""

from __future__ import annotations

import math
import pickle
from typing import Any

import pytest

from hub_core.client import HubClient
from hub_core.embeddings import EmbeddingsEngine
from hub_core.errors import HubAPIError, ServerError
from hub_core.ratelimit import limiter_for


def _engine(emu: Any, hub: str, key: str, *, rpm: int = 0, **kwargs: Any) -> EmbeddingsEngine:
    client = HubClient(hub, api_key=key, base_url=emu.base_url(hub), rpm=rpm, max_retries=0)
    return EmbeddingsEngine(client, **kwargs)


def _embedding_requests(emu: Any, hub: str, key: str) -> list[dict[str, Any]]:
    ledger = emu.admin.ledger(hub, key)
    return [r for r in ledger["requests"] if r["path"].endswith("embeddings")]


def _cos(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def test_wire_shape_and_base64_matches_float(hub_key: Any, hub_emulator: Any, hub: str) -> None:
    key = hub_key(hub)
    texts = ["the cat sat", "quantum field theory", "the cat sat"]
    b64 = _engine(hub_emulator, hub, key).embed(texts)
    floats = _engine(hub_emulator, hub, key, encoding_format="float").embed(texts)
    assert len(b64) == 3
    assert all(type(v) is float for v in b64[0])
    assert len(b64[0]) == len(b64[1]) > 0
    for a, b in zip(b64, floats):
        assert a == pytest.approx(b, abs=1e-6)
    assert b64[0] == b64[2]
    assert b64[0] != b64[1]
    first, second = _embedding_requests(hub_emulator, hub, key)
    assert first["status"] == 200
    assert first["body"]["input"] == texts  # raw strings, never token ids
    assert first["body"]["encoding_format"] == "base64"
    assert second["body"]["encoding_format"] == "float"
    assert "dimensions" not in first["body"]
    assert first["body"]["model"] == EmbeddingsEngine(
        HubClient(hub, api_key=key, base_url="http://127.0.0.1:9", rpm=0)
    ).model


def test_dimensions_sent_when_set(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("electronhub")
    vectors = _engine(hub_emulator, "electronhub", key, dimensions=64).embed(["a b", "c d"])
    assert [len(v) for v in vectors] == [64, 64]
    (request,) = _embedding_requests(hub_emulator, "electronhub", key)
    assert request["body"]["dimensions"] == 64


def test_empty_strings_keep_their_place(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("chainhub")
    vectors = _engine(hub_emulator, "chainhub", key).embed(["alpha", "", "beta"])
    assert len(vectors) == 3
    assert len(vectors[1]) == len(vectors[0])
    (request,) = _embedding_requests(hub_emulator, "chainhub", key)
    assert request["body"]["input"] == ["alpha", " ", "beta"]


def test_ten_thousand_texts_predicted_requests_in_order(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("tokenhub")
    texts = [f"document number {i} about topic {i % 97}" for i in range(10_000)]
    engine = _engine(hub_emulator, "tokenhub", key, dimensions=16)
    vectors = engine.embed(texts)
    assert len(vectors) == 10_000
    requests = _embedding_requests(hub_emulator, "tokenhub", key)
    assert len(requests) == math.ceil(10_000 / 256) == len(engine.plan(texts))
    # every request carried a contiguous slice; together they are the inputs, each once
    slices = sorted((texts.index(r["body"]["input"][0]), r["body"]["input"]) for r in requests)
    rebuilt = [t for _, chunk in slices for t in chunk]
    assert rebuilt == texts
    assert max(len(r["body"]["input"]) for r in requests) == 256
    # order preserved: each vector equals the vector of its own text embedded alone
    single = _engine(hub_emulator, "tokenhub", hub_key("tokenhub"), dimensions=16)
    for i in (0, 1, 255, 256, 5_000, 9_999):
        assert vectors[i] == pytest.approx(single.embed_one(texts[i]), abs=1e-6)


def test_token_budget_splits_requests(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("apihub")
    texts = ["x" * 40] * 1_000  # 40 ASCII bytes -> estimate 10 tokens each
    engine = _engine(hub_emulator, "apihub", key, dimensions=8, max_tokens_per_batch=1_000)
    assert len(engine.embed(texts)) == 1_000
    requests = _embedding_requests(hub_emulator, "apihub", key)
    assert len(requests) == 10
    assert {len(r["body"]["input"]) for r in requests} == {100}


async def test_async_concurrent_batches_in_order(hub_key: Any, hub_emulator: Any, hub: str) -> None:
    key = hub_key(hub)
    texts = [f"text {i} of many" for i in range(50)]
    engine = _engine(hub_emulator, hub, key, dimensions=8, batch_size=7, max_concurrency=3)
    vectors = await engine.aembed(texts)
    sync_vectors = _engine(hub_emulator, hub, hub_key(hub), dimensions=8).embed(texts)
    assert len(vectors) == len(sync_vectors) == 50
    for a, b in zip(vectors, sync_vectors):
        assert a == pytest.approx(b, abs=1e-6)
    requests = _embedding_requests(hub_emulator, hub, key)
    assert len(requests) == math.ceil(50 / 7)


def test_failed_batch_names_its_range(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path="embeddings", count=1, status=500)
    engine = _engine(hub_emulator, "electronhub", key, batch_size=4, max_concurrency=1)
    with pytest.raises(ServerError, match=r"inputs 0\.\.3") as info:
        engine.embed([f"t{i}" for i in range(10)])
    assert info.value.input_range == (0, 4)  # type: ignore[attr-defined]
    assert info.value.status_code == 500


async def test_failed_batch_async_names_its_range(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("chainhub")
    engine = _engine(hub_emulator, "chainhub", key, batch_size=4, max_concurrency=1)
    hub_emulator.admin.fault(hub="chainhub", path="embeddings", count=1, status=500)
    with pytest.raises(ServerError) as info:
        await engine.aembed([f"t{i}" for i in range(10)])
    start, end = info.value.input_range  # type: ignore[attr-defined]
    assert end - start == 4 or (start, end) == (8, 10)
    assert f"inputs {start}..{end - 1}" in str(info.value)


def test_threaded_failure_raises_not_drops(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("tokenhub")
    engine = _engine(hub_emulator, "tokenhub", key, batch_size=2, max_concurrency=4)
    hub_emulator.admin.fault(hub="tokenhub", path="embeddings", count=1, status=500)
    with pytest.raises(ServerError) as info:
        engine.embed([f"t{i}" for i in range(20)])
    assert info.value.input_range[1] - info.value.input_range[0] == 2  # type: ignore[attr-defined]


def test_base64_rejected_falls_back_to_float(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("apihub")
    hub_emulator.admin.fault(
        hub="apihub",
        path="embeddings",
        count=1,
        status=400,
        body={"detail": "encoding_format base64 is not supported"},
    )
    engine = _engine(hub_emulator, "apihub", key, dimensions=8)
    vectors = engine.embed(["hello there", "general kenobi"])
    assert len(vectors) == 2 and len(vectors[0]) == 8
    assert engine.encoding_format == "float"
    formats = [r["body"]["encoding_format"] for r in _embedding_requests(hub_emulator, "apihub", key)]
    assert formats[-1] == "float"


def test_other_bad_request_is_not_retried_as_float(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("electronhub")
    engine = _engine(hub_emulator, "electronhub", key, model="no-such-embedder")
    with pytest.raises(HubAPIError) as info:
        engine.embed(["x"])
    assert engine.encoding_format == "base64"
    assert "inputs 0..0" in str(info.value)


def test_every_batch_takes_a_plan_limiter_slot(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("chainhub")
    engine = _engine(hub_emulator, "chainhub", key, rpm=1_000, batch_size=3, dimensions=8)
    engine.embed([f"t{i}" for i in range(9)])
    limiter = limiter_for("chainhub", key, 1_000)
    assert limiter is not None
    assert limiter.in_window == 3


def test_progress_bar(hub_key: Any, hub_emulator: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    engine = _engine(
        hub_emulator, "electronhub", hub_key("electronhub"), batch_size=5, show_progress=True
    )
    engine.embed([f"t{i}" for i in range(12)])
    err = capsys.readouterr().err
    assert "Embedding" in err
    assert "12/12" in err


def test_pickled_engine_works(hub_key: Any, hub_emulator: Any) -> None:
    key = hub_key("tokenhub")
    engine = _engine(hub_emulator, "tokenhub", key, dimensions=8)
    before = engine.embed(["pickle me"])
    again = pickle.loads(pickle.dumps(engine))
    assert again.embed(["pickle me"]) == before
    assert len(_embedding_requests(hub_emulator, "tokenhub", key)) == 2
