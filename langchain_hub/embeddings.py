"""LangChain ``Embeddings`` for Electron Hub, ChainHub, API Hub and TokenHub.

A thin adapter over :class:`hub_core.embeddings.EmbeddingsEngine`: it sends raw strings (never
the token-id arrays ``OpenAIEmbeddings`` sends by default, which hubs reject), batches by count and
estimated tokens, asks for base64 where the hub supports it, and keeps input order.

Example:
    >>> from langchain_hub import ElectronHubEmbeddings
    >>> emb = ElectronHubEmbeddings(api_key="ek-...")  # doctest: +SKIP
    >>> vectors = emb.embed_documents(["hello", "world"])  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    model_validator,
)
from typing_extensions import Self

from hub_core.budget import Budget
from hub_core.embeddings import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_TOKENS_PER_BATCH,
    EmbeddingsEngine,
)
from hub_core.embeddings_lazy import LazyEngineMixin
from hub_core.hubs import get_hub
from hub_core.validate import check_embedding_settings, input_error_in


class HubEmbeddings(LazyEngineMixin, BaseModel, Embeddings):
    """Embeddings from one AI hub, a drop-in for ``OpenAIEmbeddings`` (sync, async, batched).

    Prefer the per-hub classes (``ElectronHubEmbeddings``, ``ChainHubEmbeddings``,
    ``APIHubEmbeddings``, ``TokenHubEmbeddings``); ``HubEmbeddings(hub="...")`` is the same thing
    chosen by name. Any LangChain vector store or retriever takes it as ``embedding=``.

    Setup:
        Install ``ai-hubs[langchain]`` and export the hub's key, e.g.
        ``export TOKENHUB_API_KEY="th-..."`` (and ``TOKENHUB_BASE_URL`` to point elsewhere, such
        as the bundled emulator: ``ai-hubs emulator``), or pass ``api_key``.

    Key init args — embedding params:
        model: embedding model id; defaults to the hub's (``text-embedding-3-small``,
            TokenHub ``openai/text-embedding-3-small``).
        dimensions: output size, sent only when set (``text-embedding-3-*``).
        batch_size: inputs per request (≤ 256 by default).
        max_tokens_per_batch: estimated tokens per request.
        max_concurrency: requests in flight at once (sync: threads; async: tasks).
        on_long_input: ``"error"`` (default; names the input index, sends nothing) or
            ``"truncate"`` (cut to the model's context, counted offline).
        show_progress: a tqdm bar for large jobs (``pip install 'ai-hubs[progress]'``).
        model_kwargs: extra request body fields (e.g. ``user``).

    Key init args — client params:
        hub: ``"electronhub"``, ``"chainhub"``, ``"apihub"`` or ``"tokenhub"`` (HubEmbeddings
            only). api_key: defaults to ``<HUB>_API_KEY``. base_url: defaults to
            ``<HUB>_BASE_URL``, then the hub's documented URL.
        timeout, max_retries, default_headers, plan, rpm, rate_window: as for ``HubClient``;
            ``rpm=0`` turns the client-side plan limiter off.
        budget: a ``hub_core.Budget`` (see Budget below).

    Instantiate:
        .. code-block:: python

            from langchain_hub import HubEmbeddings

            emb = HubEmbeddings(hub="tokenhub", base_url=emu.base_url("tokenhub"),
                                api_key="th-demo", rpm=0)

    Embed single text:
        .. code-block:: python

            vector = emb.embed_query("What is the capital of France?")
            len(vector)  # 1536 for text-embedding-3-small

    Embed multiple texts:
        .. code-block:: python

            vectors = emb.embed_documents(["Paris is in France.", "Bananas are yellow."])
            # one vector per text, in order; a failed request names its input range

    Async:
        .. code-block:: python

            vector = await emb.aembed_query("What is the capital of France?")
            vectors = await emb.aembed_documents(["Paris is in France.", "Bananas are yellow."])

    Token usage:
        .. code-block:: python

            from langchain_hub import hub_usage

            with hub_usage() as usage:
                emb.embed_documents(["one", "two"])
            usage.requests, usage.input_tokens, usage.cost  # (1, 2, {"credits": ...})

        There is no LangChain callback for embeddings usage; the engine reports every request's
        tokens and cost into ``hub_usage()`` itself.

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
                emb.embed_documents(["fine", "word " * 10_000])
            except ValueError as exc:  # hub_core.embeddings.EmbeddingInputError
                problem = str(exc)  # names input 1, its size, the limit and the fix

        Hub errors are the ``hub_core.errors`` classes (``InsufficientCreditsError`` on 402,
        ``RateLimitError``, ...) with ``input_range``, the inputs of the batch that failed.
    """

    hub: str = Field(description="Hub name, e.g. 'electronhub'.")
    model: str | None = Field(default=None, description="Embedding model id (hub default).")
    api_key: SecretStr | None = Field(default=None, description="Defaults to <HUB>_API_KEY.")
    base_url: str | None = Field(default=None, description="Defaults to <HUB>_BASE_URL.")
    timeout: float | None = Field(default=None, description="Request timeout in seconds.")
    max_retries: int = Field(default=2, ge=0, description="Transport retries per request.")
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    plan: str | None = Field(default=None, description="Hub plan whose RPM limit applies.")
    rpm: int | None = Field(default=None, ge=0, description="None = plan preset, 0 = no limit.")
    rate_window: float | None = Field(default=None, gt=0, description="Seconds rpm counts over.")
    dimensions: int | None = Field(default=None, gt=0, description="Output size, if set.")
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, gt=0)
    max_tokens_per_batch: int = Field(default=DEFAULT_MAX_TOKENS_PER_BATCH, gt=0)
    max_concurrency: int = Field(default=DEFAULT_MAX_CONCURRENCY, gt=0)
    on_long_input: Literal["error", "truncate"] = "error"
    show_progress: bool = False
    context_window: int | None = Field(
        default=None, gt=0, description="Override the catalog's input limit in tokens."
    )
    model_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request body fields (e.g. 'user')."
    )
    budget: Budget | None = Field(default=None, exclude=True, description="Spending cap.")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, protected_namespaces=())

    _engine: EmbeddingsEngine | None = PrivateAttr(default=None)
    _engine_owner: int = PrivateAttr(default=0)

    def __init__(self, **kwargs: Any) -> None:
        """Build the embeddings; bad settings raise ``HubInputError`` (a ``ValueError``) naming
        the field, not pydantic's wrapper around it."""
        try:
            super().__init__(**kwargs)
        except ValidationError as exc:
            raise input_error_in(exc) from None

    @model_validator(mode="before")
    @classmethod
    def _check_settings(cls, values: Any) -> Any:
        """Refuse an empty model and ``dimensions``/``batch_size`` < 1 before anything else."""
        if isinstance(values, dict):
            check_embedding_settings(
                model=values.get("model"),
                dimensions=values.get("dimensions"),
                batch_size=values.get("batch_size"),
                hub=values.get("hub") or cls.model_fields["hub"].default,
            )
        return values

    @model_validator(mode="after")
    def _resolve_defaults(self) -> Self:
        """Fill model, key and URL from the hub profile and ``<HUB>_*`` environment variables."""
        profile = get_hub(self.hub)
        self.hub = profile.name
        if not self.model:
            self.model = profile.default_embedding_model
        if self.api_key is None:
            from_env = os.environ.get(profile.api_key_env)
            if from_env:
                self.api_key = SecretStr(from_env)
        self.base_url = profile.resolve_base_url(self.base_url)
        return self

    # -- plumbing ----------------------------------------------------------------------------

    def _engine_model(self) -> str | None:
        return self.model

    def _engine_extra_body(self) -> dict[str, Any] | None:
        return self.model_kwargs

    # -- Embeddings API ----------------------------------------------------------------------

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order; a failed request raises naming its input range."""
        return self.engine.embed(texts)

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query text."""
        return self.engine.embed_one(text)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`embed_documents`; batches run concurrently (``max_concurrency``)."""
        return await self.engine.aembed(texts)

    async def aembed_query(self, text: str) -> list[float]:
        """Async :meth:`embed_query`."""
        return await self.engine.aembed_one(text)


class ElectronHubEmbeddings(HubEmbeddings):
    """Electron Hub embeddings (key ``ek-...``, env ``ELECTRONHUB_API_KEY``).

    Same arguments and behaviour as :class:`HubEmbeddings`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from langchain_hub import ElectronHubEmbeddings

            emb = ElectronHubEmbeddings()  # ELECTRONHUB_API_KEY, ELECTRONHUB_BASE_URL
            emb.embed_query("hello")
    """

    hub: str = "electronhub"


class ChainHubEmbeddings(HubEmbeddings):
    """ChainHub embeddings (key ``sk-...``, env ``CHAINHUB_API_KEY``).

    Same arguments and behaviour as :class:`HubEmbeddings`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from langchain_hub import ChainHubEmbeddings

            emb = ChainHubEmbeddings()  # CHAINHUB_API_KEY, CHAINHUB_BASE_URL
            emb.embed_query("hello")
    """

    hub: str = "chainhub"


class APIHubEmbeddings(HubEmbeddings):
    """API Hub embeddings (key ``sk-...``, env ``APIHUB_API_KEY``).

    Same arguments and behaviour as :class:`HubEmbeddings`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from langchain_hub import APIHubEmbeddings

            emb = APIHubEmbeddings()  # APIHUB_API_KEY, APIHUB_BASE_URL
            emb.embed_query("hello")
    """

    hub: str = "apihub"


class TokenHubEmbeddings(HubEmbeddings):
    """TokenHub embeddings (key ``th-...``, env ``TOKENHUB_API_KEY``); ids are ``vendor/model``.

    Same arguments and behaviour as :class:`HubEmbeddings`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from langchain_hub import TokenHubEmbeddings

            emb = TokenHubEmbeddings()  # TOKENHUB_API_KEY, TOKENHUB_BASE_URL
            emb.embed_query("hello")
    """

    hub: str = "tokenhub"


__all__ = [
    "APIHubEmbeddings",
    "ChainHubEmbeddings",
    "ElectronHubEmbeddings",
    "HubEmbeddings",
    "TokenHubEmbeddings",
]
