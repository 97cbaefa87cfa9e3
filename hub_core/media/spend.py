"""The two money seams of every paid media call: a budget hold, and a usage report.

- Budget: before the POST the call's worst case is reserved on a budget (any object with
  ``reserve(cost, hub=, model=, kind=) -> reservation`` whose reservation has ``settle(cost)``,
  ``release()`` and ``settle_worst()``: the ``hub_core.Budget`` contract). The hold is settled
  when the hub accepted the job, released when the hub refused it (nothing charged), and
  settled to the worst case when the reply was lost (it may have been charged).
- Usage: once the hub accepted a paid call, it is reported once to
  :func:`hub_core.usage.report_usage` (so ``hub_usage()``, ``HubUsageHandler`` and any
  ``collecting()`` tally include media), never again on resume.

Costs come from the profile's price table (:func:`hub_core.credits.cost_of`): Electron Hub
credits per request, TokenHub dollars per second x duration; None when unknown.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from hub_core.credits import Cost, cost_of, price_of
from hub_core.hubs import HubProfile
from hub_core.usage import report_usage

__all__ = ["BudgetLike", "Spend", "media_cost"]

log = logging.getLogger("hub_core.media")


class ReservationLike(Protocol):
    """A budget hold (``hub_core.Budget.reserve`` returns one)."""

    def settle(self, cost: Cost | None) -> Any: ...
    def release(self) -> Any: ...
    def settle_worst(self) -> Any: ...


class BudgetLike(Protocol):
    """What a media call needs of a budget (the ``hub_core.Budget`` contract)."""

    def reserve(
        self, cost: Cost | None, *, hub: str, model: str, kind: str
    ) -> ReservationLike: ...


def media_cost(
    profile: HubProfile, model: str, seconds: float | None = None,
    resolution: str | None = None, images: int | None = None,
) -> Cost | None:
    """What one call costs from the price table: per request, per image x ``images``, or per
    second x ``seconds`` (at the ``resolution``'s rate when the table has one, e.g. TokenHub
    Seedance 480p)."""
    price = price_of(profile, model)
    if price is None:
        return None
    if price.per_request is None and (price.per_image is None or images is None) and (
        seconds is None
    ):
        return None  # priced per image or second with no count to multiply
    rate = dict(price.per_second_by_resolution).get(resolution or "")
    if rate is not None and seconds is not None:
        return Cost(amount=round(rate * seconds, 10), unit=profile.price_unit)
    return cost_of(profile, model, seconds=seconds, images=images)


class Spend:
    """The money side of one paid call: reserve first, then exactly one of the outcomes."""

    def __init__(
        self, budget: BudgetLike | None, profile: HubProfile, model: str, kind: str,
        cost: Cost | None,
    ) -> None:
        self.budget = budget
        self.hub = profile.name
        self.model = model
        self.kind = kind
        self.cost = cost
        self._hold: ReservationLike | None = None

    def reserve(self) -> None:
        """Hold the worst case (raises ``BudgetExceededError`` before anything is sent)."""
        if self.budget is not None:
            self._hold = self.budget.reserve(self.cost, hub=self.hub, model=self.model,
                                             kind=self.kind)

    def accepted(self, job_id: str) -> None:
        """The hub took the job: settle the hold at the price and report the usage."""
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.settle(self.cost)
        report_usage(self.hub, self.model, None, self.cost)

    def refused(self) -> None:
        """The hub said no, so nothing was charged: give the hold back."""
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.release()

    def unknown(self) -> None:
        """The reply was lost after the request went out: count the worst case as spent."""
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.settle_worst()
