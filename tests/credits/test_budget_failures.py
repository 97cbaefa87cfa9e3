"""What a failed call leaves on the budget: released when the hub cannot have charged, the worst
case when it may have (each case driven by an emulator fault, never a mock)."""

from __future__ import annotations

from typing import Any

import pytest
from budget_support import UNREACHABLE, charged, ledger, new_key

from hub_core import Budget, HubClient, get_hub
from hub_core.credits import chat_worst_case, reply_cost
from hub_core.errors import (
    BadRequestError,
    HubConnectionError,
    InsufficientCreditsError,
    StreamError,
    UpstreamError,
)
from langchain_hub import ChatAPIHub

APIHUB = get_hub("apihub")
BODY = {"model": "qwen-max", "max_tokens": 50,
        "messages": [{"role": "user", "content": "tell me about budgets"}]}
WORST = chat_worst_case(APIHUB, BODY)
assert WORST is not None


def _client(emu: Any, key: str, base_url: str | None = None) -> HubClient:
    return HubClient("apihub", api_key=key, base_url=base_url or emu.base_url("apihub"), rpm=0,
                     max_retries=0)


@pytest.fixture
def key() -> str:
    return new_key("apihub")


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, BadRequestError), (402, InsufficientCreditsError)],
)
def test_a_refused_request_releases_its_reservation(
    hub_emulator: Any, key: str, status: int, error: type[Exception]
) -> None:
    budget = Budget(1, "USD")
    hub_emulator.admin.fault(hub="apihub", path="chat/completions", status=status, count=1)
    with pytest.raises(error):
        _client(hub_emulator, key).chat(BODY, budget=budget)
    assert (budget.spent, budget.reserved) == (0.0, 0.0)
    assert charged(hub_emulator, "apihub", key) == 0


def test_a_connection_that_never_opened_releases(key: str) -> None:
    budget = Budget(1, "USD")
    with pytest.raises(HubConnectionError) as info:
        HubClient("apihub", api_key=key, base_url=UNREACHABLE, rpm=0, max_retries=0).chat(
            BODY, budget=budget)
    assert not info.value.sent
    assert (budget.spent, budget.reserved) == (0.0, 0.0)


def test_a_server_error_counts_the_worst_case(hub_emulator: Any, key: str) -> None:
    budget = Budget(1, "USD")
    hub_emulator.admin.fault(hub="apihub", path="chat/completions", status=502, count=1)
    with pytest.raises(UpstreamError):
        _client(hub_emulator, key).chat(BODY, budget=budget)
    assert budget.spent == WORST.amount and budget.reserved == 0


def test_a_stream_cut_after_the_hub_started_counts_the_worst_case(
    hub_emulator: Any, key: str
) -> None:
    budget = Budget(1, "USD")
    hub_emulator.admin.fault(hub="apihub", path="chat/completions", drop="after_chunks",
                             after_chunks=2, count=1)
    with pytest.raises(StreamError):
        list(_client(hub_emulator, key).stream_chat(BODY, budget=budget))
    assert budget.spent == WORST.amount
    assert budget.spent >= charged(hub_emulator, "apihub", key) * 0.30e-6  # never under the ledger


async def test_an_abandoned_stream_counts_the_worst_case(hub_emulator: Any, key: str) -> None:
    budget = Budget(1, "USD")
    stream = _client(hub_emulator, key).astream_chat(BODY, budget=budget)
    async for _ in stream:
        break
    await stream.aclose()  # the consumer stopped early; the hub may bill the whole reply
    assert budget.spent == WORST.amount and budget.reserved == 0


def test_a_finished_stream_settles_to_its_usage_chunk(hub_emulator: Any, key: str) -> None:
    budget = Budget(1, "USD")
    chunks = list(_client(hub_emulator, key).stream_chat(
        {**BODY, "stream_options": {"include_usage": True}}, budget=budget))
    usage = next(c["usage"] for c in reversed(chunks) if c.get("usage"))
    assert budget.spent == reply_cost(APIHUB, "qwen-max", usage).amount < WORST.amount
    assert ledger(hub_emulator, "apihub", key)["requests"][0]["credits"] == usage["total_tokens"]


def test_a_stream_without_usage_settles_to_an_offline_estimate(
    hub_emulator: Any, key: str
) -> None:
    budget = Budget(1, "USD")
    llm = ChatAPIHub(model="qwen-max", api_key=key, base_url=hub_emulator.base_url("apihub"),
                     rpm=0, max_tokens=50, stream_usage=False, budget=budget)
    text = "".join(str(c.content) for c in llm.stream("tell me about budgets"))
    tokens = ledger(hub_emulator, "apihub", key)["requests"][0]["credits"]
    assert text and 0 < budget.spent < WORST.amount
    assert budget.spent == pytest.approx(tokens * 0.30e-6, rel=0.25)  # counted offline


def test_an_electronhub_stream_without_usage_costs_its_per_request_price(
    hub_emulator: Any,
) -> None:
    key, budget = new_key("electronhub"), Budget(5, "credits")
    client = HubClient("electronhub", api_key=key, base_url=hub_emulator.base_url("electronhub"),
                       rpm=0)
    body = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}]}
    list(client.stream_chat(body, budget=budget))
    assert budget.spent == 1 == charged(hub_emulator, "electronhub", key)


def test_the_free_upper_bound_never_refuses_a_call_whose_exact_worst_case_fits(
    hub_emulator: Any, key: str
) -> None:
    bound = chat_worst_case(APIHUB, BODY, exact=False)
    assert bound is not None and bound.amount > WORST.amount  # UTF-8 bytes bound the tokens
    budget = Budget(WORST.amount, "USD")  # room for the exact worst case, not for the bound
    _client(hub_emulator, key).chat(BODY, budget=budget)
    assert budget.refused_calls == 0 and 0 < budget.spent <= WORST.amount
