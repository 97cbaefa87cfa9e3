"""``LazyEngineMixin``: the part of an embeddings adapter that owns its engine.

Both framework embedding classes (LangChain ``HubEmbeddings``, LlamaIndex ``HubEmbedding``) are
pydantic models whose fields are the engine's settings; this mixin builds the
:class:`~hub_core.embeddings.EmbeddingsEngine` from them on first use, rebuilds it after a
setting changes, and keeps connections out of pickles.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from hub_core.embeddings import EmbeddingsEngine

_ENGINE_SETTINGS = (
    "dimensions",
    "batch_size",
    "max_tokens_per_batch",
    "max_concurrency",
    "on_long_input",
    "show_progress",
    "context_window",
    "budget",
)
_ENGINE_LOCK = threading.Lock()


class LazyEngineMixin:
    """For framework embedding classes: one engine per object, built lazily from its fields.

    The class supplies ``hub``, ``api_key``, the client settings :func:`client_from_settings`
    reads, the engine settings named in ``_ENGINE_SETTINGS``, private ``_engine`` /
    ``_engine_owner`` attributes, and the two ``_engine_*`` hooks. A changed setting or a
    ``model_copy`` rebuilds the engine on the next call; pickles carry settings, not connections.
    """

    if TYPE_CHECKING:
        _engine: EmbeddingsEngine | None
        _engine_owner: int

    def _engine_model(self) -> str | None:
        """The embedding model id (``model`` in LangChain, ``model_name`` in LlamaIndex)."""
        raise NotImplementedError

    def _engine_extra_body(self) -> Mapping[str, Any] | None:
        """Extra request fields merged into every embeddings request."""
        return None

    @property
    def engine(self) -> EmbeddingsEngine:
        """The engine (and its ``HubClient``), built on first use and after unpickling."""
        engine = self._engine
        if engine is None or self._engine_owner != id(self):  # not built, or a model_copy
            with _ENGINE_LOCK:
                engine = self._engine
                if engine is None or self._engine_owner != id(self):
                    from hub_core.client import client_from_settings

                    settings = {n: getattr(self, n) for n in _ENGINE_SETTINGS if hasattr(self, n)}
                    engine = EmbeddingsEngine(
                        client_from_settings(self),
                        self._engine_model(),
                        extra_body=self._engine_extra_body(),
                        **settings,
                    )
                    self._engine = engine
                    self._engine_owner = id(self)
        return engine

    def close(self) -> None:
        """Release this object's connections (shared pools stay open for other clients)."""
        if self._engine is not None:
            self._engine.client.close()

    async def aclose(self) -> None:
        """Async :meth:`close`."""
        if self._engine is not None:
            await self._engine.client.aclose()

    def __setattr__(self, name: str, value: Any) -> None:
        """Changing a setting after first use rebuilds the engine with it on the next call."""
        super().__setattr__(name, value)
        if not name.startswith("_"):
            self._engine = None

    def __getstate__(self) -> dict[Any, Any]:
        """Pickle settings only; the copy builds its own client and connections lazily."""
        state: dict[Any, Any] = dict(cast(Mapping[Any, Any], super().__getstate__()))
        private = dict(state.get("__pydantic_private__") or {})
        private["_engine"] = None
        state["__pydantic_private__"] = private
        return state
