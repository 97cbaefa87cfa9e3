"""Credits: what a response cost in the hub's unit, a running tally, and a hard budget.

Prices come from the hub profile's price table (PROTOCOL.md section 4.17): where the hub states
none, the cost is ``None`` ("unknown") and never blocks a call.

Example:
    >>> from hub_core.hubs import get_hub
    >>> from hub_core.chat import Usage
    >>> cost_of(get_hub("apihub"), "qwen-max", Usage(1000, 1000, 2000))
    Cost(amount=0.0006, unit='USD', estimated=False)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from hub_core.chat import Usage
from hub_core.errors import BudgetExceededError
from hub_core.hubs import HubProfile, ModelPrice


@dataclass(frozen=True)
class Cost:
    """An amount in a hub's unit (``credits``, ``USD``, ...)."""

    amount: float
    unit: str
    estimated: bool = False


def price_of(profile: HubProfile, model: str) -> ModelPrice | None:
    """The price-table entry for ``model``: the exact id, then either side without its
    ``vendor/`` prefix (TokenHub accepts both ``bytedance/doubao-seedance-2.0`` and
    ``doubao-seedance-2.0``)."""
    found = profile.prices.get(model) or profile.prices.get(model.rsplit("/", 1)[-1])
    if found is None and "/" not in model:
        found = next((p for k, p in profile.prices.items() if k.rsplit("/", 1)[-1] == model),
                     None)
    return found


def cost_of(
    profile: HubProfile,
    model: str,
    usage: Usage | None = None,
    *,
    seconds: float | None = None,
    images: int | None = None,
) -> Cost | None:
    """Cost of one call, or None when the hub's price for ``model`` is unknown.

    ``seconds`` prices per-second media (video length), ``images`` per-image media (``n``).
    """
    price = price_of(profile, model)
    if price is None:
        return None
    amount = 0.0
    if price.per_request is not None:
        amount += price.per_request
    if usage is not None:
        if price.input_per_mtok is not None:
            amount += usage.input_tokens * price.input_per_mtok / 1_000_000
        if price.output_per_mtok is not None:
            amount += usage.output_tokens * price.output_per_mtok / 1_000_000
    if price.per_second is not None and seconds is not None:
        amount += price.per_second * seconds
    if price.per_image is not None and images is not None:
        amount += price.per_image * images
    estimated = usage.estimated if usage is not None else False
    return Cost(amount=round(amount, 10), unit=profile.price_unit, estimated=estimated)


def estimate_call_cost(
    profile: HubProfile, model: str, prompt_tokens: int, max_output_tokens: int
) -> Cost | None:
    """Upper bound of a chat call's cost before it is sent (for :class:`BudgetGuard`)."""
    total = prompt_tokens + max_output_tokens
    usage = Usage(prompt_tokens, max_output_tokens, total, estimated=True)
    return cost_of(profile, model, usage)


@dataclass
class UsageTally:
    """Thread-safe running totals of tokens and cost, per unit."""

    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    cost: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, usage: Usage | None, cost: Cost | None = None) -> None:
        """Record one response."""
        with self._lock:
            self.requests += 1
            if usage is not None:
                self.input_tokens += usage.input_tokens
                self.output_tokens += usage.output_tokens
            if cost is not None:
                self.cost[cost.unit] = self.cost.get(cost.unit, 0.0) + cost.amount

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


@dataclass
class BudgetGuard:
    """A hard cap: :meth:`check` raises *before* a call whose estimate would cross ``limit``."""

    limit: float
    unit: str
    spent: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def check(self, estimate: Cost | None, *, hub: str | None = None) -> None:
        """Refuse a call that could overspend; unknown costs pass (section 4.17)."""
        if estimate is None or estimate.unit != self.unit:
            return
        with self._lock:
            if self.spent + estimate.amount > self.limit:
                raise BudgetExceededError(
                    f"this call could cost up to {estimate.amount:g} {self.unit}; "
                    f"{self.spent:g} of the {self.limit:g} {self.unit} budget is spent. "
                    "Raise the budget or lower max_tokens.",
                    hub=hub,
                    spent=self.spent,
                    limit=self.limit,
                    estimated=estimate.amount,
                )

    def record(self, cost: Cost | None) -> None:
        """Add an actual cost after the call."""
        if cost is not None and cost.unit == self.unit:
            with self._lock:
                self.spent += cost.amount
