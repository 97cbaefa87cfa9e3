"""One plan window per (hub, key) for a whole Ray cluster: a small actor every worker asks.

Each process normally keeps its own window (``hub_core.ratelimit``), which is exact on one machine
but lets N worker processes send N times the plan's rpm together. :class:`SharedRateLimit` puts
the window in one Ray actor and routes every limiter of that key to it (``route_window``), in the
driver when it is made and in each worker when it arrives there: unpickling it binds the worker.
Objects rebuilt in the worker (a ``ChatHub``, ``HubEmbeddings``, ``HubLLM`` ...) then share it
with no change to their code. The actor holds request stamps only: never the key (it is named
after the key's fingerprint).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import ray
from pydantic import SecretStr

from hub_core.client import HubClient
from hub_core.hubs import get_hub
from hub_core.ratelimit import WindowLog, key_fingerprint, route_window

__all__ = ["SharedRateLimit", "share_rate_limit"]

log = logging.getLogger("ai_hubs_ray")


class _WindowActor:
    """The shared request log; each call is one short, non-blocking step."""

    def __init__(self) -> None:
        self._log = WindowLog(time.monotonic)
        self._taken = 0

    def take(self, rpm: int, window: float) -> tuple[float, float]:
        wait, stamp = self._log.take(rpm, window)
        if wait <= 0.0:
            self._taken += 1
        return wait, stamp

    def taken(self) -> int:
        return self._taken

    def settle(self, stamp: float) -> None:
        self._log.settle(stamp)

    def delay(self, rpm: int, window: float) -> float:
        return self._log.delay(rpm, window)

    def freeze(self, seconds: float) -> None:
        self._log.freeze(seconds)

    def count(self, window: float) -> int:
        return self._log.count(window)


# num_cpus=0: the window must never wait for a CPU that the workers it serves are holding
_RemoteWindow: Any = ray.remote(num_cpus=0)(_WindowActor)


class _ActorWindow:
    """A ``WindowBackend`` that asks the actor. If the actor is gone (its owner closed it or the
    job ended), this process goes back to its own window and says so, rather than failing calls.
    """

    def __init__(self, limit: SharedRateLimit) -> None:
        self._limit = limit
        self._actor = limit.actor

    def _ask(self, method: str, *args: Any) -> Any:
        try:
            return ray.get(getattr(self._actor, method).remote(*args))
        except (ray.exceptions.RayActorError, ray.exceptions.RaySystemError):
            log.warning(
                "%s: the shared rate-limit actor is gone; this process limits on its own now",
                self._limit.hub,
            )
            self._limit.unbind()
            return None

    def take(self, rpm: int, window: float) -> tuple[float, float]:
        taken = self._ask("take", rpm, window)
        return (0.0, 0.0) if taken is None else (float(taken[0]), float(taken[1]))

    def settle(self, stamp: float) -> None:
        self._ask("settle", stamp)

    def delay(self, rpm: int, window: float) -> float:
        return float(self._ask("delay", rpm, window) or 0.0)

    def freeze(self, seconds: float) -> None:
        self._ask("freeze", seconds)

    def count(self, window: float) -> int:
        return int(self._ask("count", window) or 0)


class SharedRateLimit:
    """The plan window of one (hub, key) in a Ray actor, shared by the driver and every worker.

    Make it in the driver with :func:`share_rate_limit` and hand it to your tasks or
    ``map_batches`` callables next to the model objects (``EmbedBatches`` and ``batch_in_tasks``
    do that for you). Each object keeps its own ``rpm``/``plan``/``rate_window``; together they
    stay under it because they count in one log. ``close()`` (or leaving a ``with`` block) routes
    this process back to its own window and ends the actor.

    Example:
        >>> limit = share_rate_limit(chat)          # doctest: +SKIP
        >>> @ray.remote
        ... def answer(chat, prompt, limit):       # unpickling ``limit`` binds this worker
        ...     return chat.invoke(prompt).content
    """

    def __init__(self, hub: str, fingerprint: str, actor: Any) -> None:
        self.hub = hub
        self.fingerprint = fingerprint
        self.actor = actor

    def __repr__(self) -> str:
        return f"SharedRateLimit(hub={self.hub!r}, key=<fingerprint {self.fingerprint[:8]}>)"

    def __reduce__(self) -> tuple[Any, ...]:
        """Unpickling in a worker binds that worker's limiters for the key to the actor."""
        return (_bound, (self.hub, self.fingerprint, self.actor))

    def bind(self) -> SharedRateLimit:
        """Route every limiter of this (hub, key) in this process to the actor."""
        route_window(self.hub, self.fingerprint, _ActorWindow(self))
        return self

    def unbind(self) -> None:
        """Go back to this process's own window for the key."""
        route_window(self.hub, self.fingerprint, None)

    def in_window(self, window: float = 60.0) -> int:
        """Requests the whole cluster made with the key in the last ``window`` seconds."""
        return int(ray.get(self.actor.count.remote(window)))

    def requests(self) -> int:
        """Requests the cluster sent with the key through this window since it was made."""
        return int(ray.get(self.actor.taken.remote()))

    def close(self) -> None:
        """Unbind this process and end the actor (workers still bound fall back on their own)."""
        self.unbind()
        ray.kill(self.actor)

    def __enter__(self) -> SharedRateLimit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bound(hub: str, fingerprint: str, actor: Any) -> SharedRateLimit:
    return SharedRateLimit(hub, fingerprint, actor).bind()


def client_of(target: Any) -> HubClient:
    """The :class:`HubClient` behind an ai-hubs object (chat model, LLM, embeddings, client)."""
    if isinstance(target, HubClient):
        return target
    client = getattr(target, "client", None)
    if isinstance(client, HubClient):
        return client
    engine = getattr(target, "engine", None)
    client = getattr(engine, "client", None)
    if isinstance(client, HubClient):
        return client
    raise TypeError(
        f"{type(target).__name__} is not an ai-hubs object; pass a ChatHub, HubLLM, "
        "HubEmbeddings, HubEmbedding or HubClient, or a hub name and api_key"
    )


def share_rate_limit(
    target: Any, api_key: str | SecretStr | None = None
) -> SharedRateLimit:
    """The cluster-wide window for ``target``'s hub and key (made once per key, then reused).

    ``target`` is an ai-hubs object, or a hub name with ``api_key`` (default ``<HUB>_API_KEY``).
    Needs a running Ray (``ray.init()``); binds the calling process at once.
    """
    if isinstance(target, str):
        profile = get_hub(target)
        hub = profile.name
        key: str | SecretStr | None = api_key or os.environ.get(profile.api_key_env)
    else:
        client = client_of(target)
        hub, key = client.hub, client.api_key
    fingerprint = key_fingerprint(key)
    actor = _RemoteWindow.options(
        name=f"ai-hubs-window-{hub}-{fingerprint[:16]}", get_if_exists=True
    ).remote()
    return SharedRateLimit(hub, fingerprint, actor).bind()
