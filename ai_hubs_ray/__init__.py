"""ai-hubs on Ray (``pip install 'ai-hubs[ray]'``): batch work across processes and machines,
with the hub plan's rpm kept by the whole cluster together.

- :func:`share_rate_limit` / :class:`SharedRateLimit`: one plan window per (hub, key) in a Ray
  actor; every worker that receives it counts its requests there.
- :class:`EmbedBatches`: a ``Dataset.map_batches`` callable that embeds a text column.
- :func:`batch_in_tasks`: ``model.batch(inputs)`` spread over Ray tasks, results in order.

Example:
    >>> import ray
    >>> from ai_hubs_ray import EmbedBatches, batch_in_tasks      # doctest: +SKIP
    >>> ray.init()                                                # doctest: +SKIP
    >>> vectors = ray.data.from_items(rows).map_batches(EmbedBatches(emb), batch_size=64)
    ... # doctest: +SKIP
    >>> answers = batch_in_tasks(chat, prompts)                   # doctest: +SKIP
"""

from ai_hubs_ray.batch import EmbedBatches, batch_in_tasks
from ai_hubs_ray.limits import SharedRateLimit, client_of, share_rate_limit

__all__ = ["EmbedBatches", "SharedRateLimit", "batch_in_tasks", "client_of", "share_rate_limit"]
