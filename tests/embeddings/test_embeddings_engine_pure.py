"""Pure parts of the embeddings engine: planning, decoding, ordering, long inputs (no network)."""

from __future__ import annotations

import base64
import pickle
import struct

import pytest

import hub_core.embeddings as emb
from hub_core.client import HubClient
from hub_core.embeddings import (
    EmbeddingInputError,
    EmbeddingResponseError,
    EmbeddingsEngine,
    annotate_batch_error,
    decode_base64_embedding,
    decode_embedding,
    estimate_tokens,
    parse_embeddings_response,
    plan_batches,
)
from hub_core.errors import HubError, RateLimitError, UnsupportedFeatureError

NOWHERE = "http://127.0.0.1:9/v1"  # never contacted: these tests send nothing


def _b64(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


def _engine(**kwargs: object) -> EmbeddingsEngine:
    client = HubClient("electronhub", api_key="ek-pure", base_url=NOWHERE, rpm=0)
    return EmbeddingsEngine(client, **kwargs)  # type: ignore[arg-type]


# -- planning ----------------------------------------------------------------------------------


def test_plan_batches_by_count() -> None:
    assert plan_batches([1] * 10, batch_size=4, max_tokens_per_batch=10**6) == [
        (0, 4),
        (4, 8),
        (8, 10),
    ]


def test_plan_batches_by_token_budget() -> None:
    # 40 + 40 fits in 100, a third 40 would not
    assert plan_batches([40] * 5, batch_size=256, max_tokens_per_batch=100) == [
        (0, 2),
        (2, 4),
        (4, 5),
    ]


def test_plan_batches_oversized_input_travels_alone() -> None:
    assert plan_batches([5, 500, 5, 5], batch_size=256, max_tokens_per_batch=100) == [
        (0, 1),
        (1, 2),
        (2, 4),
    ]


def test_plan_batches_covers_every_input_once_in_order() -> None:
    estimates = [(i * 37) % 90 + 1 for i in range(1000)]
    plan = plan_batches(estimates, batch_size=17, max_tokens_per_batch=300)
    assert plan[0][0] == 0
    assert plan[-1][1] == 1000
    for (_, end), (start, _) in zip(plan, plan[1:]):
        assert end == start
    for start, end in plan:
        assert 0 < end - start <= 17
        assert end - start == 1 or sum(estimates[start:end]) <= 300


def test_plan_batches_empty_and_invalid() -> None:
    assert plan_batches([], batch_size=3, max_tokens_per_batch=3) == []
    with pytest.raises(ValueError, match="at least 1"):
        plan_batches([1], batch_size=0, max_tokens_per_batch=3)


def test_estimate_tokens_counts_utf8_bytes() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("abcd" * 10) == 10
    assert estimate_tokens("語" * 4) == 3  # 12 UTF-8 bytes


# -- decoding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("numpy_available", [True, False])
@pytest.mark.parametrize("little_endian", [True, False])
def test_decode_base64_roundtrip(
    monkeypatch: pytest.MonkeyPatch, numpy_available: bool, little_endian: bool
) -> None:
    """Every decode path reads the wire's little-endian float32 as the right values.

    The big-endian paths are exercised on this host by feeding them byte-swapped data, which is
    exactly what a big-endian host would see natively.
    """
    import sys

    if numpy_available and emb._np is None:
        pytest.skip("numpy is not installed")
    if not numpy_available:
        monkeypatch.setattr(emb, "_np", None)
    host_is_little = sys.byteorder == "little"
    monkeypatch.setattr(emb, "_LITTLE_ENDIAN", little_endian)
    values = [0.5, -1.25, 3.0, 1e-3]
    if little_endian == host_is_little:
        data = struct.pack(f"<{len(values)}f", *values)
        out = decode_base64_embedding(base64.b64encode(data))
        assert out == pytest.approx(values, rel=1e-6)
    elif numpy_available:
        # numpy reads '<f4' explicitly, whatever the host: wire bytes decode directly
        out = decode_base64_embedding(_b64(values))
        assert out == pytest.approx(values, rel=1e-6)
    else:
        # array path: a pretend big-endian host byte-swaps what it reads
        data = struct.pack(f">{len(values)}f", *values)
        out = decode_base64_embedding(base64.b64encode(data))
        assert out == pytest.approx(values, rel=1e-6)
    assert all(type(v) is float for v in out)


def test_decode_base64_rejects_ragged_bytes() -> None:
    with pytest.raises(ValueError, match="multiple of 4"):
        decode_base64_embedding(base64.b64encode(b"\x00\x01\x02"))


def test_decode_embedding_float_list_gives_floats() -> None:
    out = decode_embedding([0, 1, 0.5])
    assert out == [0.0, 1.0, 0.5]
    assert all(type(v) is float for v in out)
    with pytest.raises(TypeError):
        decode_embedding({"x": 1})


# -- response parsing --------------------------------------------------------------------------


def test_parse_orders_by_index() -> None:
    body = {
        "data": [
            {"index": 2, "embedding": [2.0]},
            {"index": 0, "embedding": _b64([0.0])},
            {"index": 1, "embedding": [1.0]},
        ]
    }
    assert parse_embeddings_response(body, 3) == [[0.0], [1.0], [2.0]]


def test_parse_wrong_count_names_range() -> None:
    with pytest.raises(EmbeddingResponseError, match=r"inputs 10\.\.12") as info:
        parse_embeddings_response({"data": [{"index": 0, "embedding": [1.0]}]}, 3, start=10)
    assert info.value.input_range == (10, 13)


def test_parse_repeated_index_is_an_error() -> None:
    body = {"data": [{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [2.0]}]}
    with pytest.raises(EmbeddingResponseError, match="repeated index"):
        parse_embeddings_response(body, 2)


def test_parse_error_payload_maps_to_hub_error() -> None:
    with pytest.raises(HubError) as info:
        parse_embeddings_response({"error": {"message": "boom", "code": 500}}, 1, hub="chainhub")
    assert not isinstance(info.value, EmbeddingResponseError)
    assert "boom" in str(info.value)


def test_parse_empty_data_is_not_silently_accepted() -> None:
    with pytest.raises(EmbeddingResponseError, match="holds 0 vectors"):
        parse_embeddings_response({"data": []}, 2)


def test_parse_undecodable_vector() -> None:
    with pytest.raises(EmbeddingResponseError, match="undecodable"):
        parse_embeddings_response({"data": [{"index": 0, "embedding": "!!notb64"}]}, 1)


def test_annotate_keeps_type_and_names_range() -> None:
    error = RateLimitError("slow down", hub="apihub", status_code=429)
    out = annotate_batch_error(error, 256, 512)
    assert out is error
    assert isinstance(out, RateLimitError)
    assert "inputs 256..511" in str(out)
    assert out.input_range == (256, 512)  # type: ignore[attr-defined]
    annotate_batch_error(out, 0, 1)  # a second annotation does not overwrite the first
    assert out.input_range == (256, 512)  # type: ignore[attr-defined]


# -- engine without network --------------------------------------------------------------------


def test_engine_defaults_from_profile() -> None:
    engine = _engine()
    assert engine.model == "text-embedding-3-small"
    assert engine.encoding_format == "base64"
    assert engine.context_window == 8191
    body = engine.payload(["a"], "base64")
    assert "dimensions" not in body
    assert body == {"model": "text-embedding-3-small", "input": ["a"], "encoding_format": "base64"}
    assert _engine(dimensions=64).payload(["a"], "float")["dimensions"] == 64


def test_prepare_replaces_empty_strings_in_place() -> None:
    inputs, estimates = _engine().prepare(["a", "", "b"])
    assert inputs == ["a", " ", "b"]
    assert len(estimates) == 3


def test_long_input_error_names_index_before_sending() -> None:
    engine = _engine(context_window=50)
    texts = ["short", "word " * 200, "also short"]
    with pytest.raises(EmbeddingInputError, match="input 1 ") as info:
        engine.embed(texts)  # would fail to connect if it tried to send
    assert info.value.index == 1
    assert info.value.limit == 50
    assert info.value.tokens > 50
    assert isinstance(info.value, ValueError)
    again = pickle.loads(pickle.dumps(info.value))
    assert again.index == 1


def test_long_input_truncate() -> None:
    from hub_core.tokens import count_tokens

    engine = _engine(context_window=50, on_long_input="truncate")
    inputs, estimates = engine.prepare(["word " * 200])
    assert count_tokens(inputs[0], engine.model) <= 50
    assert inputs[0].startswith("word word")
    assert estimates == [50]


def test_non_string_input_rejected() -> None:
    with pytest.raises(TypeError, match="input 1"):
        _engine().prepare(["a", 3])  # type: ignore[list-item]


def test_engine_validation() -> None:
    with pytest.raises(ValueError, match="on_long_input"):
        _engine(on_long_input="drop")
    with pytest.raises(ValueError, match=">= 1"):
        _engine(batch_size=0)
    with pytest.raises(ValueError, match="dimensions"):
        _engine(dimensions=0)


def test_engine_refuses_hub_without_embeddings() -> None:
    from dataclasses import replace

    from hub_core.hubs import get_hub

    profile = replace(get_hub("apihub"), name="noembed-test", capabilities=frozenset({"chat"}))
    client = HubClient(profile, api_key="sk-x", base_url=NOWHERE, rpm=0)
    with pytest.raises(UnsupportedFeatureError):
        EmbeddingsEngine(client)


def test_engine_pickles_and_plans_the_same() -> None:
    engine = _engine(batch_size=3)
    again = pickle.loads(pickle.dumps(engine))
    texts = [f"text {i}" for i in range(10)]
    assert again.plan(texts) == engine.plan(texts) == [(0, 3), (3, 6), (6, 9), (9, 10)]
    assert again.client.api_key is not None
    assert again.client.api_key.get_secret_value() == "ek-pure"


def test_empty_call_sends_nothing() -> None:
    assert _engine().embed([]) == []
