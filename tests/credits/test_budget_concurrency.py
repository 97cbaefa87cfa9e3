"""A budget shared by 50 concurrent calls whose worst cases together exceed it (issue 12).

The emulator's ledger is the judge: what it charged stays within the budget, and every refused
call raised ``BudgetExceededError`` without a request (the ledger has one row per call sent).
"""

from __future__ import annotations

import asyncio
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from budget_support import charged, ledger, new_key
from langchain_core.messages import AIMessage

from hub_core import Budget, BudgetExceededError, get_hub
from hub_core.credits import chat_worst_case
from langchain_hub import ChatAPIHub, ChatElectronHub
from llamaindex_hub import ElectronHubLLM

CALLS = 50
QWEN_PRICE = 0.30 / 1_000_000  # API Hub's documented $ per token for qwen-max


def _electronhub(emu: Any, key: str, budget: Budget) -> ChatElectronHub:
    return ChatElectronHub(model="gpt-3.5-turbo", api_key=key, rpm=0,
                           base_url=emu.base_url("electronhub"), budget=budget)


def _split(results: list[Any]) -> tuple[list[Any], list[Any]]:
    refused = [r for r in results if isinstance(r, BudgetExceededError)]
    answered = [r for r in results if not isinstance(r, BaseException)]
    assert len(refused) + len(answered) == len(results), [
        r for r in results if isinstance(r, BaseException) and r not in refused]
    return refused, answered


async def test_fifty_async_calls_on_a_per_request_price_spend_exactly_the_budget(
    hub_emulator: Any,
) -> None:
    key, budget = new_key("electronhub"), Budget(20, "credits")
    llm = _electronhub(hub_emulator, key, budget)
    results = await asyncio.gather(
        *(llm.ainvoke(f"question {i}") for i in range(CALLS)), return_exceptions=True
    )
    refused, answered = _split(results)
    book = ledger(hub_emulator, "electronhub", key)
    assert len(book["requests"]) == len(answered) == 20  # a refused call sent nothing
    assert len(refused) == CALLS - 20
    assert book["spent"] == budget.spent == 20 <= budget.max_cost
    assert budget.reserved == 0 and budget.refused_calls == len(refused)
    assert all(isinstance(r, AIMessage) for r in answered)
    assert "raise the budget" in str(refused[0])


def test_fifty_threads_on_a_token_price_never_overspend(hub_emulator: Any) -> None:
    key = new_key("apihub")
    llm = ChatAPIHub(model="qwen-max", api_key=key, rpm=0, base_url=hub_emulator.base_url("apihub"),
                     max_tokens=64)
    worst = chat_worst_case(get_hub("apihub"), {
        "model": "qwen-max", "max_tokens": 64,
        "messages": [{"role": "user", "content": "question 10"}]})
    bound = chat_worst_case(get_hub("apihub"), {
        "model": "qwen-max", "max_tokens": 64,
        "messages": [{"role": "user", "content": "question 10"}]}, exact=False)
    assert worst is not None and bound is not None
    budget = Budget(worst.amount * 12, "USD")  # 50 worst cases are four times the budget
    limited = llm.model_copy(update={"budget": budget})

    def call(i: int) -> Any:
        try:
            return limited.invoke(f"question {i}")
        except BudgetExceededError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(call, range(CALLS)))
    refused, answered = _split(results)
    rows = ledger(hub_emulator, "apihub", key)["requests"]
    assert len(rows) == len(answered) and refused  # refused calls sent nothing
    ledger_usd = math.fsum(round(r["credits"] * QWEN_PRICE, 10) for r in rows)  # ledger: tokens
    assert ledger_usd <= budget.max_cost
    assert budget.spent == ledger_usd and budget.reserved == 0
    # reservations never leak: at least as many calls as the budget holds free upper bounds of
    # (each in-flight call holds its bound; a call counts exactly only when its bound won't fit)
    assert len(answered) >= math.floor(budget.max_cost / bound.amount)


async def test_llamaindex_and_langchain_objects_share_one_budget(hub_emulator: Any) -> None:
    key, budget = new_key("electronhub"), Budget(15, "credits")
    lc = _electronhub(hub_emulator, key, budget)
    li = ElectronHubLLM(model="gpt-3.5-turbo", api_key=key, rpm=0,
                        base_url=hub_emulator.base_url("electronhub"), budget=budget)
    calls = [lc.ainvoke(f"q{i}") for i in range(25)] + [li.acomplete(f"q{i}") for i in range(25)]
    refused, answered = _split(await asyncio.gather(*calls, return_exceptions=True))
    assert len(answered) == 15 and len(refused) == 35
    assert charged(hub_emulator, "electronhub", key) == 15 == budget.spent
