"""Batch work on Ray with ai-hubs objects: embed a Dataset column, run a model over many inputs.

Both carry a :class:`~ai_hubs_ray.limits.SharedRateLimit` into the workers with the model, so the
plan's rpm holds for the whole cluster together, not per worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import ray

from ai_hubs_ray.limits import SharedRateLimit, share_rate_limit

__all__ = ["EmbedBatches", "batch_in_tasks"]


def _embed(embeddings: Any, texts: list[str]) -> list[list[float]]:
    """LangChain ``embed_documents`` or LlamaIndex ``get_text_embedding_batch``."""
    if hasattr(embeddings, "embed_documents"):
        return list(embeddings.embed_documents(texts))
    if hasattr(embeddings, "get_text_embedding_batch"):
        return list(embeddings.get_text_embedding_batch(texts))
    raise TypeError(f"{type(embeddings).__name__} has no embed_documents/get_text_embedding_batch")


class EmbedBatches:
    """A ``Dataset.map_batches`` callable that adds an embedding column, in row order.

    Args:
        embeddings: ``HubEmbeddings`` (LangChain) or ``HubEmbedding`` (LlamaIndex).
        text_column: the column to embed (values are turned into ``str``).
        vector_column: the column added, one float32 vector per row.
        limit: the shared window; by default one is made for the embeddings' hub and key.

    Example:
        >>> ds = ray.data.from_items([{"text": t} for t in corpus])        # doctest: +SKIP
        >>> ds.map_batches(EmbedBatches(HubEmbeddings(hub="tokenhub")), batch_size=64)
    """

    def __init__(
        self,
        embeddings: Any,
        *,
        text_column: str = "text",
        vector_column: str = "embedding",
        limit: SharedRateLimit | None = None,
    ) -> None:
        self.embeddings = embeddings
        self.text_column = text_column
        self.vector_column = vector_column
        self.limit = limit if limit is not None else share_rate_limit(embeddings)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        texts = [str(text) for text in batch[self.text_column]]
        vectors = np.asarray(_embed(self.embeddings, texts), dtype=np.float32)
        return {**batch, self.vector_column: vectors}


@ray.remote
def _run_batch(
    model: Any, inputs: list[Any], limit: SharedRateLimit | None, kwargs: dict[str, Any]
) -> list[Any]:
    """One task: ``model.batch`` over a slice (``limit`` arrived first and bound this worker)."""
    return list(model.batch(inputs, **kwargs))


def _slices(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """``parts`` contiguous slices, sizes differing by at most one, none empty."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def batch_in_tasks(
    model: Any,
    inputs: Sequence[Any],
    *,
    num_tasks: int | None = None,
    limit: SharedRateLimit | None = None,
    **batch_kwargs: Any,
) -> list[Any]:
    """``model.batch(inputs)`` spread over Ray tasks; results in input order.

    ``model`` is any LangChain Runnable (a ``ChatHub``, or a chain built on one: then pass
    ``limit=share_rate_limit(chat)``). ``num_tasks`` defaults to the cluster's CPUs. The model is
    put in the object store once; ``batch_kwargs`` go to every ``batch`` call (e.g. ``config``).
    A failed input raises from here (Ray wraps it; ``isinstance`` still sees the hub error).
    """
    if not inputs:
        return []
    if limit is None:
        limit = share_rate_limit(model)
    if num_tasks is None:
        num_tasks = int(ray.cluster_resources().get("CPU", 1)) or 1
    model_ref = ray.put(model)
    refs = [
        _run_batch.remote(model_ref, part, limit, batch_kwargs)
        for part in _slices(inputs, num_tasks)
    ]
    return [result for part in ray.get(refs) for result in part]
