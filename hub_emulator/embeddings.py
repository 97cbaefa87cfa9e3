"""Deterministic embeddings with lexical meaning: hashed word, bigram and char-trigram features."""

from __future__ import annotations

import base64
import itertools
import math
import re
import struct
import zlib
from functools import lru_cache
from typing import Any

from . import tokens
from .scripted import BadRequest

DEFAULT_DIM = 1536
MAX_INPUTS = 2048
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "what", "which",
    "who", "will", "with", "how", "do", "does", "did", "can", "i", "you", "we", "they", "he",
    "she", "me", "my", "your",
})


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s", "ed"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _features(text: str) -> dict[str, float]:
    words = [_stem(w) for w in _WORD.findall(text.lower())]
    content = [w for w in words if w not in _STOP] or words
    feats: dict[str, float] = {}
    for w in content:
        feats["w:" + w] = feats.get("w:" + w, 0.0) + 1.0
        padded = f"<{w}>"
        for i in range(len(padded) - 2):
            key = "c:" + padded[i:i + 3]
            feats[key] = feats.get(key, 0.0) + 0.25
    for a, b in itertools.pairwise(content):
        key = f"b:{a} {b}"
        feats[key] = feats.get(key, 0.0) + 0.5
    return feats


@lru_cache(maxsize=4096)
def vector(text: str, dim: int = DEFAULT_DIM) -> tuple[float, ...]:
    """L2-normalised vector of ``text``; identical texts give identical vectors."""
    vec = [0.0] * dim
    for feat, weight in _features(text).items():
        h = zlib.crc32(feat.encode())
        # sublinear term weight keeps one repeated word from dominating; a hash bit picks the sign
        w = 1.0 + math.log(weight) if weight >= 1 else weight
        vec[h % dim] += -w if (h >> 31) & 1 else w
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0.0:
        vec[zlib.crc32(text.encode()) % dim] = 1.0
        return tuple(vec)
    return tuple(v / norm for v in vec)


def parse_inputs(raw: Any) -> list[str]:
    """Strings from ``input``: a string, a list of strings, token ids or lists of token ids."""
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw:
        if all(isinstance(x, int) for x in raw):
            return [tokens.decode(raw)]
        out: list[str] = []
        for item in raw:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, list) and all(isinstance(x, int) for x in item):
                out.append(tokens.decode(item))
            else:
                raise BadRequest("'input' items must be strings or token id arrays")
        if len(out) > MAX_INPUTS:
            raise BadRequest(f"'input' may hold at most {MAX_INPUTS} items")
        return out
    raise BadRequest("'input' must be a non-empty string or array")


def encode_vector(vec: tuple[float, ...], encoding_format: str) -> Any:
    """Float list, or base64 of little-endian float32 (what the openai SDK asks for)."""
    if encoding_format == "base64":
        return base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode()
    return list(vec)


def response(body: dict[str, Any], model: str) -> tuple[dict[str, Any], int]:
    """The embeddings reply and its token count."""
    texts = parse_inputs(body.get("input"))
    dim = body.get("dimensions") or DEFAULT_DIM
    if not isinstance(dim, int) or not 1 <= dim <= DEFAULT_DIM:
        raise BadRequest(f"'dimensions' must be an integer between 1 and {DEFAULT_DIM}")
    fmt = body.get("encoding_format") or "float"
    if fmt not in ("float", "base64"):
        raise BadRequest("'encoding_format' must be 'float' or 'base64'")
    used = sum(tokens.count(t) for t in texts)
    data = [{"object": "embedding", "index": i, "embedding": encode_vector(vector(t, dim), fmt)}
            for i, t in enumerate(texts)]
    return ({"object": "list", "data": data, "model": model,
             "usage": {"prompt_tokens": used, "total_tokens": used}}, used)
