"""The client-side plan limiter under load keeps the hub's 429 count at zero.

Electron Hub's free plan is 5 requests in any 60 s. The tests scale that minute down to a few
seconds on both sides (the emulator's ``set_account(rate_window=W)`` and the models'
``rate_window=W``), so the plan is the same "5 per window" and the run stays short, while every
test still sends more calls than one window allows. The emulator is the judge: it answers 429 to
any request over the plan, and its ledger lists every status.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from llama_index.core.llms import ChatMessage
from load_support import mixups, prompt, tokens

from hub_core.errors import RateLimitError
from hub_emulator import Emulator
from langchain_hub import ChatHub
from llamaindex_hub import HubLLM

pytestmark = pytest.mark.slow

WINDOW = 2.0  # seconds standing in for the plan's minute
CALLS = 12  # more than two windows' worth of the free plan's 5


def _free_plan_key(emu: Emulator) -> str:
    key = f"ek-rate-{uuid.uuid4().hex}"
    account = emu.admin.set_account("electronhub", key, plan="free", rate_window=WINDOW)
    assert account["rpm"] == 5
    return key


def _statuses(emu: Emulator, key: str) -> list[int]:
    return [row["status"] for row in emu.admin.ledger("electronhub", key)["requests"]]


async def test_chathub_concurrent_calls_never_hit_429(hub_emulator: Emulator) -> None:
    key = _free_plan_key(hub_emulator)
    chat = ChatHub(hub="electronhub", model="gpt-4o-mini", api_key=key, plan="free",
                   rate_window=WINDOW, base_url=hub_emulator.base_url("electronhub"))
    sent = tokens(CALLS)
    answers = await asyncio.gather(*(chat.ainvoke(prompt(t)) for t in sent))
    assert mixups(sent, [str(a.content) for a in answers]) == []
    assert _statuses(hub_emulator, key) == [200] * CALLS


def test_hubllm_calls_from_threads_never_hit_429(hub_emulator: Emulator) -> None:
    key = _free_plan_key(hub_emulator)
    llm = HubLLM(hub="electronhub", model="gpt-4o-mini", api_key=key, plan="free",
                 rate_window=WINDOW, base_url=hub_emulator.base_url("electronhub"))
    sent = tokens(CALLS)

    def ask(token: str) -> str:
        return str(llm.chat([ChatMessage(role="user", content=prompt(token))]).message.content)

    with ThreadPoolExecutor(max_workers=CALLS) as pool:
        answers = list(pool.map(ask, sent))
    assert mixups(sent, answers) == []
    assert _statuses(hub_emulator, key) == [200] * CALLS


async def test_without_the_limiter_the_same_burst_is_refused(hub_emulator: Emulator) -> None:
    """The control: the emulator does enforce the scaled plan, so the zeros above mean something."""
    key = _free_plan_key(hub_emulator)
    chat = ChatHub(hub="electronhub", model="gpt-4o-mini", api_key=key, rpm=0, max_retries=0,
                   base_url=hub_emulator.base_url("electronhub"))
    results = await asyncio.gather(*(chat.ainvoke(prompt(t)) for t in tokens(CALLS)),
                                   return_exceptions=True)
    assert sum(isinstance(r, RateLimitError) for r in results) == CALLS - 5
    assert sorted(_statuses(hub_emulator, key)) == [200] * 5 + [429] * (CALLS - 5)


def test_a_slow_first_reply_does_not_cost_a_429(hub_emulator: Emulator) -> None:
    """The hub counts a request when it arrives. Here the first one is counted half a second
    after it was sent (the emulator holds it before its rate check); the limiter restarts that
    slot's window from the reply, so the second request is not sent into the same window."""
    key = f"sk-rate-{uuid.uuid4().hex}"
    hub_emulator.admin.set_account("apihub", key, plan=1, rate_window=1.0)
    chat = ChatHub(hub="apihub", model="qwen-max", api_key=key, rpm=1, rate_window=1.0,
                   max_retries=0, base_url=hub_emulator.base_url("apihub"))
    hub_emulator.admin.fault(hub="apihub", path="/apihub/v1/chat/completions", count=1, delay=0.5)
    sent = tokens(2)
    answers = [str(chat.invoke(prompt(t)).content) for t in sent]
    assert mixups(sent, answers) == []
    statuses = [r["status"] for r in hub_emulator.admin.ledger("apihub", key)["requests"]]
    assert statuses == [200, 200]
