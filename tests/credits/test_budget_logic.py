"""Budget arithmetic without a hub: reserve, settle, release, refusals, pickling, concurrency."""

from __future__ import annotations

import math
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from hub_core import Budget, BudgetExceededError, Cost, HubInputError
from hub_core.credits import ExactSum


def test_reserve_then_settle_counts_the_real_cost() -> None:
    budget = Budget(10, "credits")
    r = budget.reserve(4, hub="electronhub", model="m")
    assert (budget.reserved, budget.spent, budget.remaining) == (4.0, 0.0, 6.0)
    assert r.settle(Cost(1.5, "credits")) == 1.5
    assert (budget.reserved, budget.spent, budget.remaining) == (0.0, 1.5, 8.5)
    assert r.settle(3) == 0.0 and budget.spent == 1.5  # a reservation finishes once
    assert budget.calls == 1 and not r.open


def test_release_gives_back_and_settle_worst_counts_the_whole_estimate() -> None:
    budget = Budget(10)
    budget.reserve(4).release()
    assert (budget.spent, budget.reserved) == (0.0, 0.0)
    assert budget.reserve(4).settle_worst() == 4.0
    assert (budget.spent, budget.reserved) == (4.0, 0.0)


def test_unknown_actual_cost_keeps_the_worst_case() -> None:
    budget = Budget(10)
    assert budget.reserve(4).settle(None) == 4.0
    assert budget.reserve(2).settle(Cost(1, "USD")) == 2.0  # another unit: not comparable
    assert budget.spent == 6.0


def test_an_actual_cost_above_the_estimate_is_counted_as_is() -> None:
    budget = Budget(10)
    budget.reserve(1).settle(3)
    assert budget.spent == 3.0


def test_refusal_sends_nothing_and_explains_itself() -> None:
    budget = Budget(5, "credits")
    held = budget.reserve(3)
    with pytest.raises(BudgetExceededError) as info:
        budget.reserve(Cost(2.5, "credits"), hub="apihub", model="qwen-max")
    err = info.value
    assert (err.estimated, err.spent, err.reserved, err.limit) == (2.5, 0.0, 3.0, 5.0)
    assert (err.hub, err.model) == ("apihub", "qwen-max")
    text = str(err)
    for part in ("apihub:", "qwen-max", "2.5 credits", "0 credits spent", "3 reserved",
                 "leave 2 of the 5 credits budget", "raise the budget", "max_tokens"):
        assert part in text, text
    assert budget.reserved == 3.0 and budget.refused_calls == 1 and budget.calls == 1
    held.release()
    budget.reserve(2.5)  # fits once the first reservation is gone


def test_exactly_filling_the_budget_is_allowed() -> None:
    budget = Budget(1)
    for _ in range(10):
        budget.reserve(0.1).settle_worst()
    assert budget.spent == 1.0 and budget.remaining == 0.0
    with pytest.raises(BudgetExceededError):
        budget.reserve(0.1)


def test_unpriced_calls_pass_are_counted_and_still_add_what_they_cost() -> None:
    budget = Budget(1, "credits")
    r = budget.reserve(None, model="mystery")
    assert r.amount == 0.0 and not r.priced and budget.unpriced_calls == 1
    r.settle(Cost(0.25, "credits"))  # the hub's usage.cost arrived after all
    assert budget.spent == 0.25
    budget.reserve(None).settle(None)  # nothing known at all: nothing added
    assert budget.spent == 0.25 and budget.unpriced_calls == 2


def test_strict_budget_refuses_unpriced_calls() -> None:
    budget = Budget(1, strict=True)
    with pytest.raises(BudgetExceededError, match="unknown and the budget is strict") as info:
        budget.reserve(None, hub="chainhub", model="gpt-4o-mini")
    assert info.value.estimated is None and "strict=False" in str(info.value)
    assert budget.unpriced_calls == 0 and budget.refused_calls == 1


def test_a_used_up_budget_refuses_unpriced_calls_too() -> None:
    budget = Budget(1)
    budget.reserve(1).settle_worst()
    with pytest.raises(BudgetExceededError, match="used up"):
        budget.reserve(None, model="mystery")


def test_units_compare_case_insensitively_and_other_units_are_unpriced() -> None:
    budget = Budget(1, "usd")
    assert budget.reserve(Cost(0.5, "USD")).priced
    other = budget.reserve(Cost(0.5, "credits"))
    assert not other.priced and budget.unpriced_calls == 1 and budget.reserved == 0.5


@pytest.mark.parametrize(
    ("args", "field"), [((-1,), "max_cost"), (("5",), "max_cost"), ((True,), "max_cost"),
                        ((5, ""), "unit"), ((5, None), "unit")],
)
def test_bad_settings_are_refused_naming_the_field(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(HubInputError) as info:
        Budget(*args)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError) and info.value.field == field
    assert "Fix:" in str(info.value)


def test_a_pickled_budget_is_an_independent_copy_that_counts_reservations_as_spent() -> None:
    budget = Budget(10, "credits")
    budget.reserve(2).settle(1)
    in_flight = budget.reserve(3)
    copy = pickle.loads(pickle.dumps(budget))
    assert (copy.spent, copy.reserved, copy.max_cost, copy.unit) == (4.0, 0.0, 10.0, "credits")
    copy.reserve(5).settle_worst()
    in_flight.settle(0.5)
    assert (budget.spent, copy.spent) == (1.5, 9.0)
    assert "Budget(max_cost=10" in repr(copy)


def test_budget_exceeded_error_pickles_with_its_figures() -> None:
    budget = Budget(1)
    with pytest.raises(BudgetExceededError) as info:
        budget.reserve(2, hub="apihub", model="qwen-max")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.estimated, copy.limit, copy.model, str(copy)) == (
        2.0, 1.0, "qwen-max", str(info.value))


def test_pydantic_models_hold_a_budget_field() -> None:
    class Holder(BaseModel):
        budget: Budget | None = None

    budget = Budget(1)
    assert Holder(budget=budget).budget is budget
    with pytest.raises(ValidationError):
        Holder(budget=5)  # type: ignore[arg-type]


def test_threads_sharing_a_budget_never_overspend() -> None:
    budget = Budget(100, "credits")
    results: list[str] = []
    lock = threading.Lock()

    def call(_: int) -> None:
        try:
            r = budget.reserve(3)
        except BudgetExceededError:
            outcome = "refused"
        else:
            r.settle(2.5)
            outcome = "ok"
        with lock:
            results.append(outcome)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(call, range(200)))
    ok = results.count("ok")
    assert ok + results.count("refused") == 200
    assert budget.spent == ok * 2.5 <= 100 and budget.reserved == 0.0
    assert ok >= 33  # reservations are released as calls finish, never leaked


@settings(max_examples=40, deadline=None)
@given(
    limit=st.floats(0, 50),
    calls=st.lists(
        st.tuples(st.floats(0, 10), st.sampled_from(["settle", "release", "worst"]),
                  st.floats(0, 1)),
        max_size=40,
    ),
)
def test_concurrent_reserve_and_finish_keep_spent_within_the_limit(
    limit: float, calls: list[tuple[float, str, float]]
) -> None:
    """Whatever the interleaving, calls that cost at most their worst case never overspend."""
    budget = Budget(limit)
    finished: list[float] = []

    def run(call: tuple[float, str, float]) -> None:
        worst, how, fraction = call
        try:
            r = budget.reserve(worst)
        except BudgetExceededError:
            return
        if how == "settle":
            finished.append(r.settle(worst * fraction))
        elif how == "worst":
            finished.append(r.settle_worst())
        else:
            r.release()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(run, calls))
    assert budget.reserved == 0.0
    assert budget.spent == math.fsum(finished)
    assert budget.spent <= limit


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=60))
def test_exact_sum_equals_fsum(values: list[float]) -> None:
    total = ExactSum()
    for value in values:
        total.add(value)
    assert total.value == math.fsum(values)


def test_try_reserve_returns_none_without_counting_a_refusal() -> None:
    budget = Budget(1)
    assert budget.try_reserve(2) is None
    assert budget.refused_calls == 0 and budget.reserved == 0
    held = budget.try_reserve(0.5)
    assert held is not None and budget.reserved == 0.5
    strict = Budget(1, strict=True)
    with pytest.raises(BudgetExceededError):
        strict.try_reserve(None)  # an unpriced refusal has no tighter estimate to try
