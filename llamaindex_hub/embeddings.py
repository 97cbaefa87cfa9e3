"""LlamaIndex ``BaseEmbedding`` for Electron Hub, ChainHub, API Hub and TokenHub.

A thin adapter over :class:`hub_core.embeddings.EmbeddingsEngine`. Unlike ``OpenAIEmbedding`` it
accepts any model id, never rewrites ``"\\n"``, asks for base64 only where the hub supports it, and
bounds concurrency (``aget_text_embedding_batch`` otherwise gathers every batch at once).

LlamaIndex cuts inputs into ``embed_batch_size`` chunks (default 2048, its maximum) and hands
each chunk to the engine, which splits it into requests of at most ``batch_size`` inputs and
``max_tokens_per_batch`` estimated tokens and runs them ``max_concurrency`` at a time.

Example:
    >>> from llama_index.core import Settings
    >>> from llamaindex_hub import ChainHubEmbedding
    >>> Settings.embed_model = ChainHubEmbedding(api_key="sk-...")  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.callbacks import CBEventType, EventPayload
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.embedding import (
    EmbeddingEndEvent,
    EmbeddingStartEvent,
)
from pydantic import SecretStr

from hub_core.budget import Budget
from hub_core.embeddings import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_TOKENS_PER_BATCH,
    EmbeddingsEngine,
)
from hub_core.embeddings_lazy import LazyEngineMixin
from hub_core.hubs import get_hub
from hub_core.usage import collecting
from hub_core.validate import check_embedding_settings
from llamaindex_hub.usage import UsageEvents

dispatcher = get_dispatcher(__name__)
_EVENTS = UsageEvents("embeddings")
DEFAULT_EMBED_BATCH_SIZE = 2048
"""LlamaIndex's own chunking; large so the engine, not LlamaIndex, decides the requests."""


class HubEmbedding(LazyEngineMixin, BaseEmbedding):
    """Embeddings from one AI hub, for LlamaIndex (sync, async, batched, picklable).

    Prefer the per-hub classes (``ElectronHubEmbedding``, ``ChainHubEmbedding``,
    ``APIHubEmbedding``, ``TokenHubEmbedding``); ``HubEmbedding(hub="...")`` is the same thing
    chosen by name. Set it as ``Settings.embed_model`` and every index and retriever uses it.

    Setup:
        Install ``ai-hubs[llamaindex]`` and export the hub's key, e.g.
        ``export CHAINHUB_API_KEY="sk-..."`` (and ``CHAINHUB_BASE_URL`` to point elsewhere, such
        as the bundled emulator: ``ai-hubs emulator``), or pass ``api_key``.

    Key init args — embedding params:
        model_name: embedding model id; defaults to the hub's (``text-embedding-3-small``,
            TokenHub ``openai/text-embedding-3-small``).
        dimensions: output size, sent only when set.
        batch_size: inputs per request (≤ 256 by default).
        max_tokens_per_batch: estimated tokens per request.
        max_concurrency: requests in flight at once, shared by all calls on one event loop.
        on_long_input: ``"error"`` (names the input index, sends nothing) or ``"truncate"``.
        show_progress: a tqdm bar per engine call (LlamaIndex's own ``show_progress`` also works).
        additional_kwargs: extra request body fields (e.g. ``user``).

    Key init args — client params:
        hub: ``"electronhub"``, ``"chainhub"``, ``"apihub"`` or ``"tokenhub"`` (HubEmbedding
            only). api_key: defaults to ``<HUB>_API_KEY``; excluded from ``to_dict()``, events
            and repr, but pickled (as ``SecretStr``) so ``IngestionPipeline(num_workers=N)``
            children can call the hub. base_url: defaults to ``<HUB>_BASE_URL``.
        timeout, max_retries, default_headers, plan, rpm, rate_window: as for ``HubClient``.
        budget: a ``hub_core.Budget`` (see Budget below).

    Instantiate:
        .. code-block:: python

            from llamaindex_hub import HubEmbedding

            embed_model = HubEmbedding(hub="chainhub", base_url=emu.base_url("chainhub"),
                                       api_key="sk-demo", rpm=0)
            # Settings.embed_model = embed_model makes it the default of every index

    Embed:
        .. code-block:: python

            query = embed_model.get_query_embedding("What is the capital of France?")
            vectors = embed_model.get_text_embedding_batch(
                ["Paris is the capital of France.", "Bananas are yellow."]
            )

    Async:
        .. code-block:: python

            query = await embed_model.aget_query_embedding("What is the capital of France?")
            vectors = await embed_model.aget_text_embedding_batch(["Paris.", "Bananas."])

    Index and retrieve:
        .. code-block:: python

            from llama_index.core import Document, VectorStoreIndex

            docs = [Document(text="Paris is the capital of France."),
                    Document(text="Bananas are yellow.")]
            index = VectorStoreIndex.from_documents(docs, embed_model=embed_model)
            best = index.as_retriever(similarity_top_k=1).retrieve("capital of France")[0]

    Token usage:
        .. code-block:: python

            from llamaindex_hub import HubUsageHandler

            with HubUsageHandler() as usage:
                embed_model.get_text_embedding_batch(["one", "two"])
            usage.requests, usage.input_tokens  # (1, 2)

        Every request's tokens and cost reach ``HubUsageHandler`` as a ``HubUsageEvent``.

    Budget:
        With ``budget=Budget(...)`` each request reserves its inputs' tokens x price first
        (``BudgetExceededError``, nothing sent, when it does not fit) and settles to its cost.
        An embedding model with no known price is let through and counted in
        ``budget.unpriced_calls`` unless ``Budget(..., strict=True)``.

    Errors:
        Bad settings raise ``HubInputError`` (a ``ValueError``) naming the field, before any
        request; so does an input longer than the model accepts:

        .. code-block:: python

            try:
                embed_model.get_text_embedding_batch(["fine", "word " * 10_000])
            except ValueError as exc:  # hub_core.embeddings.EmbeddingInputError
                problem = str(exc)  # names input 1, its size, the limit and the fix

        Hub errors are the ``hub_core.errors`` classes (``InsufficientCreditsError`` on 402,
        ``RateLimitError``, ...) with ``input_range``, the inputs of the batch that failed.
    """

    hub: str = Field(description="Hub name, e.g. 'chainhub'.")
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    base_url: str | None = Field(default=None, description="Defaults to <HUB>_BASE_URL.")
    timeout: float | None = Field(default=None, description="Request timeout in seconds.")
    max_retries: int = Field(default=2, ge=0, description="Transport retries per request.")
    default_headers: dict[str, str] | None = Field(default=None, exclude=True, repr=False)
    plan: str | None = Field(default=None, description="Hub plan whose RPM limit applies.")
    rpm: int | None = Field(default=None, ge=0, description="None = plan preset, 0 = no limit.")
    rate_window: float | None = Field(default=None, gt=0, description="Seconds rpm counts over.")
    dimensions: int | None = Field(default=None, gt=0, description="Output size, if set.")
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, gt=0, description="Inputs per request.")
    max_tokens_per_batch: int = Field(default=DEFAULT_MAX_TOKENS_PER_BATCH, gt=0)
    max_concurrency: int = Field(default=DEFAULT_MAX_CONCURRENCY, gt=0)
    on_long_input: Literal["error", "truncate"] = Field(default="error")
    show_progress: bool = Field(default=False)
    context_window: int | None = Field(default=None, gt=0)
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request body fields (e.g. 'user')."
    )
    budget: Budget | None = Field(default=None, exclude=True, description="Spending cap.")

    _engine: EmbeddingsEngine | None = PrivateAttr(default=None)
    _engine_owner: int = PrivateAttr(default=0)

    def __init__(
        self,
        model_name: str | None = None,
        *,
        hub: str | None = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        embed_batch_size: int = DEFAULT_EMBED_BATCH_SIZE,
        **kwargs: Any,
    ) -> None:
        hub = hub if hub is not None else kwargs.pop("hub", None)
        hub = hub or self._default_hub()
        if hub is None:
            raise TypeError("HubEmbedding needs hub=..., e.g. HubEmbedding(hub='chainhub')")
        profile = get_hub(hub)
        check_embedding_settings(
            model=model_name,
            dimensions=kwargs.get("dimensions"),
            batch_size=kwargs.get("batch_size"),
            hub=profile.name,
            model_field="model_name",
        )
        model = model_name or profile.default_embedding_model
        if not model:
            raise TypeError(
                f"{profile.display_name} has no default embedding model; pass model_name="
            )
        if isinstance(api_key, str):
            api_key = SecretStr(api_key) if api_key else None
        if api_key is None:
            from_env = os.environ.get(profile.api_key_env)
            api_key = SecretStr(from_env) if from_env else None
        fields: dict[str, Any] = {
            **kwargs,
            "hub": profile.name,
            "model_name": model,
            "api_key": api_key,
            "base_url": profile.resolve_base_url(base_url),
            "embed_batch_size": embed_batch_size,
        }
        super().__init__(**fields)

    @classmethod
    def _default_hub(cls) -> str | None:
        """The hub a per-hub subclass is bound to (None for the generic class)."""
        return None

    @classmethod
    def class_name(cls) -> str:
        return "HubEmbedding"

    def to_payload(self) -> dict[str, Any]:
        """What instrumentation events see: never the key or headers."""
        return {**super().to_payload(), "hub": self.hub}

    # -- plumbing ----------------------------------------------------------------------------

    def _engine_model(self) -> str | None:
        return self.model_name

    def _engine_extra_body(self) -> dict[str, Any] | None:
        return self.additional_kwargs

    def __setstate__(self, state: dict[str, Any]) -> None:
        fields = dict(state.get("__dict__", {}))
        type(self).__init__(self, **fields)

    # -- BaseEmbedding hooks -------------------------------------------------------------------

    # Each request's usage becomes a HubUsageEvent (the engine reports into the context).

    def _get_query_embedding(self, query: str) -> Embedding:
        with collecting(_EVENTS):
            return self.engine.embed_one(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        with collecting(_EVENTS):
            return await self.engine.aembed_one(query)

    def _get_text_embedding(self, text: str) -> Embedding:
        with collecting(_EVENTS):
            return self.engine.embed_one(text)

    async def _aget_text_embedding(self, text: str) -> Embedding:
        with collecting(_EVENTS):
            return await self.engine.aembed_one(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        with collecting(_EVENTS):
            return self.engine.embed(texts)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        with collecting(_EVENTS):
            return await self.engine.aembed(texts)

    @dispatcher.span
    def get_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """LlamaIndex's batch loop with the same events, callbacks and rate limiter, minus one cost.

        The base class builds ``EmbeddingEndEvent(embeddings=...)`` with validation, which checks
        every float again (~37 µs per 1536-dim text, a fifth of the whole call in benchmark e).
        The vectors come from the engine already as ``list[float]``, so the event is built
        without re-validation. With an ``embeddings_cache`` the base implementation is used.
        """
        if self.embeddings_cache is not None:
            return super().get_text_embedding_batch(texts, show_progress=show_progress, **kwargs)
        size = self.embed_batch_size
        starts: Any = range(0, len(texts), size)
        if show_progress:
            from llama_index.core.utils import get_tqdm_iterable

            starts = get_tqdm_iterable(starts, show_progress, "Generating embeddings")
        model_dict = self.to_payload()
        results: list[Embedding] = []
        for start in starts:
            chunk = list(texts[start : start + size])
            dispatcher.event(EmbeddingStartEvent(model_dict=model_dict))
            with self.callback_manager.event(
                CBEventType.EMBEDDING, payload={EventPayload.SERIALIZED: model_dict}
            ) as event:
                if self.rate_limiter is not None:
                    self.rate_limiter.acquire()
                embeddings = self._get_text_embeddings(chunk)
                results.extend(embeddings)
                event.on_end(
                    payload={EventPayload.CHUNKS: chunk, EventPayload.EMBEDDINGS: embeddings}
                )
            dispatcher.event(
                EmbeddingEndEvent.model_construct(chunks=chunk, embeddings=embeddings, tags={})
            )
        return results

    @dispatcher.span
    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """Async twin of :meth:`get_text_embedding_batch` (same events, no float re-validation).

        Chunks are gathered as in the base class; the engine's per-loop semaphore bounds the
        requests actually in flight to ``max_concurrency``. A cache or a progress bar falls back
        to the base implementation.
        """
        if self.embeddings_cache is not None or show_progress:
            return await super().aget_text_embedding_batch(
                texts, show_progress=show_progress, **kwargs
            )
        size = self.embed_batch_size
        model_dict = self.to_payload()
        chunks = [list(texts[start : start + size]) for start in range(0, len(texts), size)]
        event_ids: list[str] = []
        for _ in chunks:
            dispatcher.event(EmbeddingStartEvent(model_dict=model_dict))
            event_ids.append(
                self.callback_manager.on_event_start(
                    CBEventType.EMBEDDING, payload={EventPayload.SERIALIZED: model_dict}
                )
            )
        nested = await asyncio.gather(
            *(self._aget_text_embeddings_rate_limited(chunk) for chunk in chunks)
        )
        for event_id, chunk, embeddings in zip(event_ids, chunks, nested, strict=True):
            dispatcher.event(
                EmbeddingEndEvent.model_construct(chunks=chunk, embeddings=embeddings, tags={})
            )
            self.callback_manager.on_event_end(
                CBEventType.EMBEDDING,
                payload={EventPayload.CHUNKS: chunk, EventPayload.EMBEDDINGS: embeddings},
                event_id=event_id,
            )
        return [vector for embeddings in nested for vector in embeddings]


class ElectronHubEmbedding(HubEmbedding):
    """Electron Hub embeddings (key ``ek-...``, env ``ELECTRONHUB_API_KEY``).

    Same arguments and behaviour as :class:`HubEmbedding`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from llamaindex_hub import ElectronHubEmbedding

            embed_model = ElectronHubEmbedding()  # ELECTRONHUB_API_KEY, ELECTRONHUB_BASE_URL
            embed_model.get_text_embedding("hello")
    """

    @classmethod
    def _default_hub(cls) -> str | None:
        return "electronhub"

    @classmethod
    def class_name(cls) -> str:
        return "ElectronHubEmbedding"


class ChainHubEmbedding(HubEmbedding):
    """ChainHub embeddings (key ``sk-...``, env ``CHAINHUB_API_KEY``).

    Same arguments and behaviour as :class:`HubEmbedding`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from llamaindex_hub import ChainHubEmbedding

            embed_model = ChainHubEmbedding()  # CHAINHUB_API_KEY, CHAINHUB_BASE_URL
            embed_model.get_text_embedding("hello")
    """

    @classmethod
    def _default_hub(cls) -> str | None:
        return "chainhub"

    @classmethod
    def class_name(cls) -> str:
        return "ChainHubEmbedding"


class APIHubEmbedding(HubEmbedding):
    """API Hub embeddings (key ``sk-...``, env ``APIHUB_API_KEY``).

    Same arguments and behaviour as :class:`HubEmbedding`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from llamaindex_hub import APIHubEmbedding

            embed_model = APIHubEmbedding()  # APIHUB_API_KEY, APIHUB_BASE_URL
            embed_model.get_text_embedding("hello")
    """

    @classmethod
    def _default_hub(cls) -> str | None:
        return "apihub"

    @classmethod
    def class_name(cls) -> str:
        return "APIHubEmbedding"


class TokenHubEmbedding(HubEmbedding):
    """TokenHub embeddings (key ``th-...``, env ``TOKENHUB_API_KEY``); ids are ``vendor/model``.

    Same arguments and behaviour as :class:`HubEmbedding`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from llamaindex_hub import TokenHubEmbedding

            embed_model = TokenHubEmbedding()  # TOKENHUB_API_KEY, TOKENHUB_BASE_URL
            embed_model.get_text_embedding("hello")
    """

    @classmethod
    def _default_hub(cls) -> str | None:
        return "tokenhub"

    @classmethod
    def class_name(cls) -> str:
        return "TokenHubEmbedding"


__all__ = [
    "APIHubEmbedding",
    "ChainHubEmbedding",
    "ElectronHubEmbedding",
    "HubEmbedding",
    "TokenHubEmbedding",
]
