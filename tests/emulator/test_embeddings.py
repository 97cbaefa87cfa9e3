"""Embeddings carry lexical meaning: retrieval over a small corpus finds the relevant document."""

from __future__ import annotations

import base64
import struct

import pytest

from hub_emulator.embeddings import encode_vector, parse_inputs, vector

CORPUS = [
    "The Eiffel Tower is a wrought-iron lattice tower in Paris, France.",
    "Photosynthesis lets plants turn sunlight, water and carbon dioxide into sugar.",
    "The stock market fell sharply after the central bank raised interest rates.",
    "Python is a programming language with dynamic typing and garbage collection.",
    "Cats are small carnivorous mammals often kept as household pets.",
]
QUERIES = {
    "Which tower stands in Paris?": 0,
    "How do plants use sunlight?": 1,
    "interest rates and the stock market": 2,
    "programming in python": 3,
    "pets like cats": 4,
}


def _dot(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(("query", "expected"), list(QUERIES.items()))
def test_retrieval_finds_the_relevant_document(query: str, expected: int) -> None:
    q = vector(query)
    scores = [_dot(q, vector(doc)) for doc in CORPUS]
    assert scores.index(max(scores)) == expected


def test_vectors_are_normalised_and_deterministic() -> None:
    v = vector("hello world", 64)
    assert len(v) == 64
    assert sum(x * x for x in v) == pytest.approx(1.0)
    assert vector("hello world", 64) == v
    assert vector("", 8) != (0.0,) * 8  # even empty input gets a unit vector


def test_base64_is_little_endian_float32() -> None:
    v = vector("encode me", 16)
    raw = base64.b64decode(encode_vector(v, "base64"))
    assert struct.unpack("<16f", raw) == pytest.approx(v, abs=1e-7)


def test_token_id_inputs_are_decoded() -> None:
    from hub_emulator import tokens

    ids = tokens.encode("token ids work")
    assert parse_inputs(ids) == ["token ids work"]
    assert parse_inputs([ids, "plain"]) == ["token ids work", "plain"]
