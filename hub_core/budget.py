"""``Budget``: a spending cap that holds under concurrency, because calls reserve before sending.

A check-then-spend guard lets twenty concurrent calls all pass the check and overspend together.
Here every call first *reserves* its worst case under a lock; the reservation counts against the
cap until the reply says what the call really cost (``settle``), the call failed before the hub
could charge (``release``), or it failed after the hub may have charged (``settle_worst``).

One budget can be passed as ``budget=`` to any number of models, embeddings and tools, used from
threads and event loops at once (the lock is held for a few arithmetic steps, never across I/O,
so ``reserve`` does not block an event loop). It holds no keys.

Example:
    >>> from hub_core import Budget
    >>> budget = Budget(max_cost=10, unit="credits")
    >>> r = budget.reserve(4, hub="electronhub", model="gpt-3.5-turbo")
    >>> budget.reserved, budget.remaining
    (4.0, 6.0)
    >>> r.settle(1)
    1.0
    >>> budget.spent, budget.remaining
    (1.0, 9.0)
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Any

from hub_core.credits import Cost, ExactSum
from hub_core.errors import BudgetExceededError, HubInputError

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema


def _fix_for(kind: str | None) -> str:
    """The second half of a refusal's fix: what makes this kind of call cheaper."""
    if kind in (None, "chat"):
        return ("or lower max_tokens (the worst case counts max_tokens, or the model's maximum "
                "output when it is unset)")
    if kind == "embeddings":
        return "or embed fewer or shorter texts per call"
    return ("or pick a cheaper model, fewer images or a shorter clip (a media call's worst case "
            "is its listed price)")


def _fmt(amount: float) -> str:
    return f"{amount:.6g}"


class Budget:
    """A cap on what calls may spend, in one price unit, shared by everything it is given to.

    Setup:
        Ships with ``ai-hubs``; it holds figures only, never a key.

    Key init args:
        max_cost: the most all calls together may cost.
        unit: the price unit (``"credits"``, ``"USD"``; compared case-insensitively). A call
            priced in another unit cannot be compared, so it counts as unpriced.
        strict: refuse calls whose price is unknown, instead of letting them through.

    Instantiate and share:
        Pass the same budget as ``budget=`` to any number of chat models, LLMs, embeddings,
        media objects and :class:`~hub_core.HubClient` calls, from threads and event loops.

        .. code-block:: python

            from hub_core import Budget, BudgetExceededError, HubClient

            budget = Budget(max_cost=0.0001, unit="USD")  # API Hub prices in $ per 1M tokens
            client = HubClient("apihub", api_key="sk-demo", base_url=emu.base_url("apihub"),
                               rpm=0)
            payload = {"model": "qwen-max", "max_tokens": 100,
                       "messages": [{"role": "user", "content": "Hello"}]}
            try:
                for _ in range(10):
                    client.chat(payload, budget=budget)
            except BudgetExceededError as exc:  # raised before anything is sent
                refusal = str(exc)  # the worst case, what is spent and reserved, and the fix
            budget.spent, budget.reserved, budget.remaining  # spent <= 0.0001, nothing reserved
            budget.calls, budget.refused_calls, budget.unpriced_calls

    Reserve and settle (your own paid calls):
        .. code-block:: python

            mine = Budget(max_cost=10, unit="credits")
            hold = mine.reserve(4, hub="electronhub", model="gpt-3.5-turbo")  # or raises
            mine.reserved, mine.remaining  # (4.0, 6.0)
            hold.settle(1)  # the call cost 1
            mine.spent, mine.remaining  # (1.0, 9.0)

        Finish each reservation once: ``settle(cost)`` when the reply says what it cost,
        ``release()`` when the call failed before the hub could charge, ``settle_worst()`` when
        it failed after the hub may have charged (5xx, read timeout, broken stream).

    Rules:
        * before a call, its worst case is reserved; if ``spent + reserved + worst case`` would
          pass ``max_cost`` the call raises :class:`~hub_core.errors.BudgetExceededError` and
          nothing is sent;
        * an unpriced call (unknown price, PROTOCOL.md gap 17) is let through and counted in
          ``unpriced_calls``, unless ``strict=True`` or the budget is used up
          (``remaining <= 0``); whatever the hub then reports it cost is still added to
          ``spent``;
        * a pickled budget (e.g. sent to a worker process) becomes an independent copy whose
          ``spent`` includes the amounts reserved at the time (those calls may still be charged)
          and that has nothing reserved; spending in one copy is not seen by the other.
    """

    def __init__(self, max_cost: float, unit: str = "credits", *, strict: bool = False) -> None:
        if isinstance(max_cost, bool) or not isinstance(max_cost, int | float) or max_cost < 0:
            raise HubInputError.invalid(
                "max_cost", "must be a number of 0 or more", max_cost, fix="e.g. Budget(5.0)"
            )
        if not isinstance(unit, str) or not unit.strip():
            raise HubInputError.invalid(
                "unit", "must name a price unit", unit, fix="e.g. 'credits' or 'USD'"
            )
        self.max_cost = float(max_cost)
        self.unit = unit.strip()
        self.strict = bool(strict)
        self._key = self.unit.casefold()
        self._spent = ExactSum()
        self._held: dict[int, float] = {}  # reservation token -> amount, while in flight
        self._next_token = 0
        self._unpriced = 0
        self._calls = 0
        self._refused = 0
        self._lock = threading.Lock()

    # -- figures ---------------------------------------------------------------------------

    @property
    def spent(self) -> float:
        """What settled calls cost (worst cases for calls that failed after sending)."""
        with self._lock:
            return self._spent.value

    @property
    def reserved(self) -> float:
        """Worst cases of calls in flight."""
        with self._lock:
            return math.fsum(self._held.values())

    @property
    def remaining(self) -> float:
        """``max_cost - spent - reserved`` (negative when an unpriced call overran)."""
        with self._lock:
            return self._remaining()

    @property
    def unpriced_calls(self) -> int:
        """Calls let through without a known price in this budget's unit."""
        return self._unpriced

    @property
    def calls(self) -> int:
        """Calls that reserved (priced or not); refused calls are not counted."""
        return self._calls

    @property
    def refused_calls(self) -> int:
        """Calls refused with :class:`BudgetExceededError`."""
        return self._refused

    def _committed(self, extra: float = 0.0) -> float:
        """``spent + reserved + extra``, correctly rounded (so ten 0.1s fill a budget of 1)."""
        return math.fsum([*self._spent._partials, *self._held.values(), extra])

    def _remaining(self) -> float:
        return math.fsum([self.max_cost, -self._committed()])

    def amount_in_unit(self, cost: Cost | float | None) -> float | None:
        """``cost`` as a number in this budget's unit; None if unknown or in another unit."""
        if cost is None:
            return None
        if isinstance(cost, Cost):
            return cost.amount if cost.unit.casefold() == self._key else None
        return float(cost)

    # -- reserving -------------------------------------------------------------------------

    def reserve(
        self,
        cost_estimate: Cost | float | None,
        *,
        hub: str | None = None,
        model: str | None = None,
        kind: str | None = None,
    ) -> Reservation:
        """Hold ``cost_estimate`` (the call's worst case) against the budget, or refuse.

        Args:
            cost_estimate: a :class:`Cost` (its unit must match), a number in this budget's
                unit, or None when the price is unknown.
            hub, model: named in the refusal message.
            kind: what the call makes (``"chat"`` when None; ``"embeddings"``, or a media kind
                such as ``"image"`` or ``"video"``): the refusal's fix fits it.

        Raises:
            BudgetExceededError: the worst case does not fit, or the call is unpriced and the
                budget is strict or used up. Nothing has been reserved.
        """
        reservation = self._reserve(cost_estimate, hub, model, refuse=True, kind=kind)
        assert reservation is not None
        return reservation

    def try_reserve(
        self,
        cost_estimate: Cost | float | None,
        *,
        hub: str | None = None,
        model: str | None = None,
        kind: str | None = None,
    ) -> Reservation | None:
        """:meth:`reserve`, but None (no refusal counted) when a priced estimate does not fit.

        For a first, cheap upper bound: the caller then computes a tighter estimate and calls
        :meth:`reserve` with it. An unpriced refusal (strict, used up) still raises.
        """
        return self._reserve(cost_estimate, hub, model, refuse=False, kind=kind)

    def _reserve(
        self, cost: Cost | float | None, hub: str | None, model: str | None, *, refuse: bool,
        kind: str | None = None,
    ) -> Reservation | None:
        amount = self.amount_in_unit(cost)
        with self._lock:
            if amount is None:
                remaining = self._remaining()
                if self.strict or remaining <= 0:
                    self._refused += 1
                    raise self._unpriced_refusal(hub, model, remaining)
                self._unpriced += 1
                self._calls += 1
                return Reservation(self, 0.0, priced=False, hub=hub, model=model)
            if self._committed(amount) > self.max_cost:
                if not refuse:
                    return None
                self._refused += 1
                raise self._refusal(amount, self._remaining(), hub, model, kind)
            token = self._next_token
            self._next_token += 1
            self._held[token] = amount
            self._calls += 1
        return Reservation(self, amount, priced=True, hub=hub, model=model, token=token)

    @staticmethod
    def _what(model: str | None) -> str:
        return f"this call to {model}" if model else "this call"  # str(error) names the hub

    def _state(self, remaining: float) -> str:
        """Spent / reserved / left, for messages (called with the lock held)."""
        return (
            f"{_fmt(self._spent.value)} {self.unit} spent and {_fmt(self._held_total())} "
            "reserved by calls in "
            f"flight leave {_fmt(max(remaining, 0.0))} of the {_fmt(self.max_cost)} {self.unit} "
            "budget"
        )

    def _refusal(
        self, amount: float, remaining: float, hub: str | None, model: str | None,
        kind: str | None = None,
    ) -> BudgetExceededError:
        message = (
            f"{self._what(model)} could cost up to {_fmt(amount)} {self.unit}; "
            f"{self._state(remaining)}. Nothing was sent. Fix: raise the budget "
            f"(Budget(max_cost=...)) {_fix_for(kind)}."
        )
        return BudgetExceededError(
            message, hub=hub, spent=self._spent.value, limit=self.max_cost, estimated=amount,
            reserved=self._held_total(), model=model,
        )

    def _unpriced_refusal(
        self, hub: str | None, model: str | None, remaining: float
    ) -> BudgetExceededError:
        if self.strict:
            why = (
                f"the price of {model or 'this model'} in {self.unit} is unknown and the budget "
                "is strict. Nothing was sent. Fix: use a model with a known price, or "
                "Budget(strict=False) to let unpriced calls through (counted in "
                "budget.unpriced_calls)."
            )
        else:
            why = (
                f"the budget is used up ({self._state(remaining)}) and the price of "
                f"{model or 'this model'} is unknown. Nothing was sent. Fix: raise the budget "
                "(Budget(max_cost=...))."
            )
        return BudgetExceededError(
            f"{self._what(model)} was refused: {why}", hub=hub, spent=self._spent.value,
            limit=self.max_cost, estimated=None, reserved=self._held_total(), model=model,
        )

    def _held_total(self) -> float:
        return math.fsum(self._held.values())

    def _finish(self, token: int | None, charged: float | None) -> None:
        with self._lock:
            if token is not None:
                self._held.pop(token, None)
            if charged:
                self._spent.add(charged)

    # -- plumbing --------------------------------------------------------------------------

    def __repr__(self) -> str:
        return (
            f"Budget(max_cost={self.max_cost:g}, unit={self.unit!r}, spent={_fmt(self.spent)}, "
            f"reserved={_fmt(self.reserved)}, unpriced_calls={self._unpriced}, "
            f"strict={self.strict})"
        )

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            state = self.__dict__.copy()
            state["_spent"] = ExactSum([*self._spent._partials, *self._held.values()])
            state["_held"] = {}
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Let pydantic models (chat models, LLMs, embeddings) hold a budget field as is."""
        from pydantic_core import core_schema

        return core_schema.is_instance_schema(cls)


class Reservation:
    """One call's hold on a :class:`Budget`; finish it exactly once (later calls are no-ops).

    ``amount`` is the reserved worst case (0 for an unpriced call), ``priced`` whether the
    estimate was known in the budget's unit.
    """

    __slots__ = ("_open", "_token", "amount", "budget", "hub", "model", "priced")

    def __init__(
        self,
        budget: Budget,
        amount: float,
        *,
        priced: bool,
        hub: str | None = None,
        model: str | None = None,
        token: int | None = None,
    ) -> None:
        self.budget = budget
        self.amount = amount
        self.priced = priced
        self._token = token
        self.hub = hub
        self.model = model
        self._open = True

    @property
    def open(self) -> bool:
        """True until settled or released."""
        return self._open

    def _close(self) -> bool:
        if not self._open:
            return False
        self._open = False
        return True

    def settle(self, actual_cost: Cost | float | None = None) -> float:
        """The reply came: count what the call really cost; returns the amount counted.

        When the real cost is unknown (None, or in another unit) the reserved worst case stays
        counted, so an unknown never lowers ``spent`` below what may have been charged.
        """
        if not self._close():
            return 0.0
        amount = self.budget.amount_in_unit(actual_cost)
        charged = self.amount if amount is None else amount
        self.budget._finish(self._token, charged)
        return charged

    def release(self) -> None:
        """The call failed before the hub could charge: give the reservation back."""
        if self._close():
            self.budget._finish(self._token, None)

    def settle_worst(self) -> float:
        """The call failed after the hub may have charged: count the whole worst case."""
        if not self._close():
            return 0.0
        self.budget._finish(self._token, self.amount)
        return self.amount

    def __repr__(self) -> str:
        state = "open" if self._open else "closed"
        return f"Reservation({_fmt(self.amount)} {self.budget.unit}, {state})"
