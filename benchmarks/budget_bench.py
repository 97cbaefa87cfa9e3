"""Scenario (i): what a ``Budget`` adds to a call, against the same call with no budget.

The model is a priced one (API Hub ``qwen-max``, $0.30 per 1M tokens), so every budgeted call
does the whole job: counts its prompt offline, reserves prompt + ``max_tokens`` x price under the
budget's lock, and settles to the reply's cost (from the usage chunk, for streams). The budget
is large enough never to refuse.

A few percent is below the round-to-round noise of separate workers on a shared machine, so each
worker measures its own A/B pairs: one call without a budget, then the same call with one (the
order alternating), on two otherwise identical objects that share the process's connection
pool. ``budget_ratio`` is the budgeted calls' total time over the unbudgeted calls' total time;
``overhead_us`` the difference of their medians.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from clients import PROMPT, Ctx, Job, JobOut, JobSpec, Scenario, lc_messages, li_messages

I_PAIRS = 200
I_PAIRS_QUICK = 20
I_STREAM_PAIRS = 50
I_STREAM_PAIRS_QUICK = 10
I_CHUNKS = 20
HUB, MODEL, KEY = "apihub", "qwen-max", "sk-bench"
EXPECT = "Hello from the bench server!"


def scenario(quick: bool) -> Scenario:
    pairs = I_PAIRS_QUICK if quick else I_PAIRS
    stream_pairs = I_STREAM_PAIRS_QUICK if quick else I_STREAM_PAIRS
    return Scenario(
        "i", "the same calls with and without a budget (priced model), A/B pairs", "ChatHub",
        ("ChatHub", "HubLLM"),
        {"call": JobSpec(pairs, "pair"), "stream": JobSpec(stream_pairs, "pair")},
        rounds=7, quick_rounds=2,
    )


def _pairs(n: int, plain: Callable[[], bool], budgeted: Callable[[], bool]) -> JobOut:
    """``n`` A/B pairs, alternating which goes first; the ratio of the two total times."""
    times: dict[bool, list[float]] = {False: [], True: []}
    ok = 0
    for i in range(n):
        good = True
        for with_budget in ((False, True) if i % 2 == 0 else (True, False)):
            call = budgeted if with_budget else plain
            t0 = time.perf_counter()
            good = call() and good
            times[with_budget].append(time.perf_counter() - t0)
        ok += good
    extras = {
        "budget_ratio": sum(times[True]) / sum(times[False]),
        "overhead_us": (statistics.median(times[True]) - statistics.median(times[False])) * 1e6,
    }
    return ok, extras


def build_i(client: str, ctx: Ctx) -> dict[str, Job]:
    from hub_core import Budget

    pairs = I_PAIRS_QUICK if ctx.quick else I_PAIRS
    stream_pairs = I_STREAM_PAIRS_QUICK if ctx.quick else I_STREAM_PAIRS
    settings: dict[str, Any] = {"hub": HUB, "api_key": KEY, "base_url": ctx.v1, "rpm": 0,
                                "max_tokens": 256}
    chunked: dict[str, Any] = {"default_headers": {"x-bench-chunks": str(I_CHUNKS)}}
    budget = Budget(1e9, "USD")

    if client == "ChatHub":
        from langchain_hub import ChatHub

        plain, priced = ChatHub(model=MODEL, **settings), ChatHub(model=MODEL, budget=budget,
                                                                  **settings)
        splain = ChatHub(model=MODEL, **settings, **chunked)
        spriced = ChatHub(model=MODEL, budget=budget, **settings, **chunked)
        msgs = lc_messages()

        def lc_call(llm: Any) -> Callable[[], bool]:
            return lambda: llm.invoke(msgs).content == EXPECT

        def lc_stream(llm: Any) -> Callable[[], bool]:
            return lambda: len(list(llm.stream(PROMPT))) >= I_CHUNKS

        return {"call": lambda: _pairs(pairs, lc_call(plain), lc_call(priced)),
                "stream": lambda: _pairs(stream_pairs, lc_stream(splain), lc_stream(spriced))}

    from llamaindex_hub import HubLLM

    lplain, lpriced = HubLLM(MODEL, **settings), HubLLM(MODEL, budget=budget, **settings)
    lsplain = HubLLM(MODEL, **settings, **chunked)
    lspriced = HubLLM(MODEL, budget=budget, **settings, **chunked)
    imsgs = li_messages()

    def li_call(llm: Any) -> Callable[[], bool]:
        return lambda: llm.chat(imsgs).message.content == EXPECT

    def li_stream(llm: Any) -> Callable[[], bool]:
        return lambda: len(list(llm.stream_chat(imsgs))) >= I_CHUNKS

    return {"call": lambda: _pairs(pairs, li_call(lplain), li_call(lpriced)),
            "stream": lambda: _pairs(stream_pairs, li_stream(lsplain), li_stream(lspriced))}
