"""The hub plan's shared RPM limiter, seen through LlamaIndex's ``BaseRateLimiter`` interface.

LlamaIndex's decorators call ``rate_limiter.acquire()`` once per public call, while our transport
takes one slot per HTTP attempt from the same shared limiter. So ``acquire`` here only *waits*
until a slot is free and never takes one: each request is counted once, by the transport,
retries included.
"""

from __future__ import annotations

from llama_index.core.rate_limiter import BaseRateLimiter
from pydantic import SecretStr

from hub_core.ratelimit import SlidingWindowLimiter, limiter_for


class HubPlanRateLimiter(BaseRateLimiter):
    """Waits on the shared per-key limiter ``hub_core.ratelimit.limiter_for(hub, key, rpm)``.

    It holds the shared limiter (keyed by a fingerprint, never the key), so it pickles safely.
    """

    def __init__(self, limiter: SlidingWindowLimiter) -> None:
        self.limiter = limiter

    @classmethod
    def for_key(
        cls,
        hub: str,
        api_key: SecretStr | None,
        rpm: int | None,
        window: float | None = None,
        *,
        plan: str | None = None,
    ) -> HubPlanRateLimiter | None:
        """The plan limiter for this key, or None when ``rpm`` is None/0 (no limit); ``plan``
        names where ``rpm`` comes from in the wait log."""
        limiter = limiter_for(hub, api_key, rpm, window, plan=plan)
        return cls(limiter) if limiter is not None else None

    @property
    def rpm(self) -> int:
        """Requests per minute this limiter allows."""
        return int(self.limiter.rpm)

    def __repr__(self) -> str:
        return f"HubPlanRateLimiter(rpm={self.rpm})"

    def acquire(self, num_tokens: int = 0) -> None:
        """Block until the plan window has room (the transport takes the slot)."""
        self.limiter.wait_until_available()

    async def async_acquire(self, num_tokens: int = 0) -> None:
        """Await until the plan window has room (the transport takes the slot)."""
        await self.limiter.await_available()
