"""The clients of the fault matrix ("columns"): each runs one call against the emulator.

A column is one function ``run(setup) -> Outcome`` plus one line in ``CHAT_COLUMNS`` (or
``reliab_media.MEDIA_COLUMNS``). It catches nothing but what the call raises, and records what
the user already received (stream text) so a cell can check that partial output was kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import ChatMessage

from langchain_hub import ChatHub, HubEmbeddings
from llamaindex_hub import HubEmbedding, HubLLM

HUB = "tokenhub"
CHAT_MODEL = "openai/gpt-4.1"
EMBED_MODEL = "openai/text-embedding-3-small"
PROMPT = "hello from the fault matrix"
EXPECTED_REPLY = f'You said: "{PROMPT}"'
"""The start of the emulator's scripted answer to ``PROMPT``."""


@dataclass(frozen=True)
class Setup:
    """Where and how a column's client talks: the hub base URL, a fresh key, retries, timeout;
    the emulator (for a column's own set-up requests) and a folder for files and journals."""

    base_url: str
    key: str
    max_retries: int = 1
    timeout: float | None = None
    emulator: Any = None
    workdir: Path | None = None

    def client_kwargs(self) -> dict[str, Any]:
        """Constructor arguments every client class shares (no client-side rate limit)."""
        return {
            "api_key": self.key,
            "base_url": self.base_url,
            "max_retries": self.max_retries,
            "timeout": self.timeout,
            "rpm": 0,
        }


@dataclass
class Outcome:
    """What a call gave: the answer, or the error plus the text shown before it."""

    answer: str | None = None
    error: BaseException | None = None
    shown: str = ""
    """Text the caller had already received when the error came (streams only)."""
    job_id: str | None = None
    """Media: the job the answer is, or the error names."""
    unfinished: tuple[str, ...] = ()
    """Media: journal ids still unfinished after the call (a job kept for resume or review)."""


def _chat_lc(setup: Setup) -> ChatHub:
    return ChatHub(hub=HUB, model=CHAT_MODEL, **setup.client_kwargs())


def _chat_li(setup: Setup) -> HubLLM:
    return HubLLM(model=CHAT_MODEL, hub=HUB, **setup.client_kwargs())


def lc_invoke(setup: Setup) -> Outcome:
    """LangChain ``ChatHub.invoke``."""
    try:
        return Outcome(answer=str(_chat_lc(setup).invoke(PROMPT).content))
    except Exception as exc:
        return Outcome(error=exc)


def lc_stream(setup: Setup) -> Outcome:
    """LangChain ``ChatHub.stream``: the text of the chunks received before any error."""
    shown: list[str] = []
    try:
        for chunk in _chat_lc(setup).stream(PROMPT):
            shown.append(chunk.text)
    except Exception as exc:
        return Outcome(error=exc, shown="".join(shown))
    return Outcome(answer="".join(shown))


def li_chat(setup: Setup) -> Outcome:
    """LlamaIndex ``HubLLM.chat``."""
    try:
        response = _chat_li(setup).chat([ChatMessage(role="user", content=PROMPT)])
    except Exception as exc:
        return Outcome(error=exc)
    return Outcome(answer=str(response.message.content))


def li_stream(setup: Setup) -> Outcome:
    """LlamaIndex ``HubLLM.stream_chat``: the deltas received before any error."""
    shown: list[str] = []
    try:
        for response in _chat_li(setup).stream_chat([ChatMessage(role="user", content=PROMPT)]):
            shown.append(response.delta or "")
    except Exception as exc:
        return Outcome(error=exc, shown="".join(shown))
    return Outcome(answer="".join(shown))


def lc_embed(setup: Setup) -> Outcome:
    """LangChain ``HubEmbeddings.embed_documents`` (one request for two short texts)."""
    emb = HubEmbeddings(hub=HUB, model=EMBED_MODEL, **setup.client_kwargs())
    try:
        vectors = emb.embed_documents(["alpha", "beta"])
    except Exception as exc:
        return Outcome(error=exc)
    return Outcome(answer=f"{len(vectors)} vectors of {len(vectors[0])}")


def li_embed(setup: Setup) -> Outcome:
    """LlamaIndex ``HubEmbedding`` (async, to cover the async path too)."""
    emb = HubEmbedding(EMBED_MODEL, hub=HUB, **setup.client_kwargs())
    try:
        vectors = asyncio.run(emb.aget_text_embedding_batch(["alpha", "beta"]))
    except Exception as exc:
        return Outcome(error=exc)
    return Outcome(answer=f"{len(vectors)} vectors of {len(vectors[0])}")


@dataclass(frozen=True)
class Column:
    """One client of the matrix: its name, the emulator path its faults target, whether it
    streams (stream-only faults apply), the function that runs it, and an optional extra check
    of the key's ledger after each cell (media: no job submitted twice)."""

    name: str
    path: str
    stream: bool
    run: Callable[[Setup], Outcome]
    ledger_check: Callable[[dict[str, Any], Outcome], None] | None = None
    hub: str = HUB
    method: str | None = None
    """Faults match only this HTTP method (media: the submit POST or the poll GETs)."""
    counted: Callable[[Mapping[str, Any]], bool] | None = None
    """Which ledger rows the cell's request count covers (None: every request of the key)."""
    fault_extra: Mapping[str, Any] = field(default_factory=dict)
    """Fields added to every fault of this column (e.g. how long the job takes)."""
    answer_prefix: str = EXPECTED_REPLY
    """How a whole answer starts (chat: the scripted reply)."""


CHAT_COLUMNS: tuple[Column, ...] = (
    Column("lc invoke", "chat/completions", False, lc_invoke),
    Column("lc stream", "chat/completions", True, lc_stream),
    Column("li chat", "chat/completions", False, li_chat),
    Column("li stream", "chat/completions", True, li_stream),
    Column("embeddings", "embeddings", False, lc_embed, answer_prefix="2 vectors of "),
)
"""The chat and embeddings columns; ``li_embed`` is used by the focused defect tests. The
matrix adds ``reliab_media.MEDIA_COLUMNS`` (``reliab_matrix.COLUMNS``)."""
