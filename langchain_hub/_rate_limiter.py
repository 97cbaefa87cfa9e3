"""The hub plan's shared request limiter as a LangChain ``BaseRateLimiter``."""

from __future__ import annotations

from langchain_core.rate_limiters import BaseRateLimiter

from hub_core.ratelimit import SlidingWindowLimiter


class HubPlanRateLimiter(BaseRateLimiter):
    """Waits until the key's shared window has room, without taking the slot.

    The transport takes one slot per HTTP attempt, so a call is counted once even though both
    LangChain (before the call) and the transport (per attempt) consult the same window. Every
    object using the same hub and key shares the window, across models and embeddings.
    """

    def __init__(self, limiter: SlidingWindowLimiter) -> None:
        self.limiter = limiter

    def __repr__(self) -> str:
        return f"HubPlanRateLimiter(rpm={self.limiter.rpm})"

    def acquire(self, *, blocking: bool = True) -> bool:
        """True once a request may go out; False at once if not blocking and the window is full."""
        return self.limiter.wait_until_available(blocking=blocking)

    async def aacquire(self, *, blocking: bool = True) -> bool:
        """Async :meth:`acquire`; sleeps on the event loop."""
        if not blocking:
            return self.limiter.delay() <= 0.0
        await self.limiter.await_available()
        return True
