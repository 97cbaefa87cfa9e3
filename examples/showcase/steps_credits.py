"""Steps 6-7: what calls cost (``hub_usage()``), a budget refusal, running out of credits."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from showcase import ui
from showcase.connect import CHAT_MODEL, Connection


def usage_table(conn: Connection) -> None:
    """A mixed run on two hubs inside ``hub_usage()``: requests, tokens and cost per model; then
    what earlier steps spent in their own blocks (the media agent), each against the ledger."""
    import langchain_hub
    from hub_core import HubClient
    from langchain_hub import hub_usage

    hubs = [h for h in ("electronhub", "tokenhub") if h in conn.hubs] or list(conn.hubs[:1])
    for hub in hubs:  # the hub's /models carries its prices; the catalog keeps them (TTL)
        with HubClient(hub, **conn.settings(hub, "usage")) as client:
            client.models()
    with hub_usage() as usage:
        for hub in hubs:
            settings = conn.settings(hub, "usage")
            llm = langchain_hub.ChatHub(hub=hub, model=CHAT_MODEL[hub], **settings)
            llm.invoke("What is a credit?")
            "".join(chunk.text for chunk in llm.stream("Stream a short story"))
            llm.batch(["one", "two"])

            async def together(llm=llm) -> None:  # type: ignore[no-untyped-def]
                await asyncio.gather(llm.ainvoke("async one"), llm.ainvoke("async two"))

            asyncio.run(together())
            embed = langchain_hub.HubEmbeddings(hub=hub, **settings)
            embed.embed_documents(["alpha", "beta", "gamma"])
    ui.say("block", "with hub_usage() as usage: invoke, stream, batch, asyncio.gather, embeddings")
    ui.table(USAGE_HEADERS, _usage_rows(usage))
    for block in conn.spent:  # what earlier steps spent in their own blocks (step 5's media)
        ui.say("block", f"step {block.step} on {block.hub}, in its own hub_usage()")
        ui.table(USAGE_HEADERS, _usage_rows(block.usage))
    if conn.emu is not None:  # the hub's own books agree
        spent = {h: conn.emu.admin.ledger(h, conn.key(h, "usage"))["spent"] for h in hubs}
        charged = [f"{hub} charged {amount:.6g} credits" for hub, amount in spent.items()]
        earlier = [_ledger_total(conn, block.hub, block.account) for block in conn.spent]
        charged += [f"{block.hub} charged {amount:.6g} credits in step {block.step}"
                    for block, amount in zip(conn.spent, earlier, strict=True)]
        ui.say("hub ledger", ", ".join(charged))
        assert sum(spent.values()) == sum(usage.cost.values()), "totals differ from the ledger"
        for block, amount in zip(conn.spent, earlier, strict=True):
            assert amount == sum(block.usage.cost.values()), f"step {block.step}: {amount}"
    assert usage.requests == 7 * len(hubs), f"counted {usage.requests} requests"


USAGE_HEADERS = ["hub:model", "requests", "input tokens", "output tokens", "cost"]


def _usage_rows(usage: Any) -> list[tuple[object, ...]]:
    """One row per ``hub:model`` of a ``hub_usage()`` handler, then the total."""
    rows: list[tuple[object, ...]] = []
    for name, figures in sorted(usage.by_model.items()):
        cost = ", ".join(f"{amount:.6g} {unit}" for unit, amount in figures.cost.items())
        rows.append((name, figures.requests, figures.input_tokens, figures.output_tokens,
                     cost or "unpriced"))
    total = ", ".join(f"{amount:.6g} {unit}" for unit, amount in usage.cost.items())
    rows.append(("total", usage.requests, usage.input_tokens, usage.output_tokens, total))
    return rows


def _ledger_total(conn: Connection, hub: str, account: str) -> float:
    """What the emulator charged ``account`` on ``hub``, summed exactly (``math.fsum``, as the
    usage tally sums), so the two compare with ``==`` whatever order the calls ended in."""
    requests = conn.emu.admin.ledger(hub, conn.key(hub, account))["requests"]
    return math.fsum(request["credits"] for request in requests)


def budget_refusal(conn: Connection) -> None:
    """A shared ``Budget`` refuses the call that could overspend, before anything is sent."""
    from hub_core import Budget, BudgetExceededError
    from langchain_hub import ChatAPIHub

    hub = "apihub"
    if hub not in conn.hubs:
        ui.say("skipped", "needs APIHUB_API_KEY (API Hub prices every model per token)")
        return
    budget = Budget(max_cost=0.0001, unit="USD")
    llm = ChatAPIHub(model="qwen-max", max_tokens=100, budget=budget,
                     **conn.settings(hub, "budget"))
    answered = 0
    try:
        for _ in range(50):
            llm.invoke("Hello!")
            answered += 1
    except BudgetExceededError as err:
        ui.say("budget", "Budget(max_cost=0.0001, unit='USD') shared by every call")
        ui.say("answered", f"{answered} calls, then:")
        ui.say("BudgetExceededError", err)
    else:
        raise AssertionError("the budget never refused a call")
    ui.table(["spent", "reserved", "remaining", "calls", "refused"],
             [(budget.spent, budget.reserved, budget.remaining, budget.calls,
               budget.refused_calls)])
    assert budget.spent <= budget.max_cost
    if conn.emu is not None:
        sent = len(conn.emu.admin.ledger(hub, conn.key(hub, "budget"))["requests"])
        ui.say("hub saw", f"{sent} requests (the refused call was never sent)")
        assert sent == answered


def out_of_credits(conn: Connection) -> None:
    """A 402 is a typed error with the balance and what the account can still afford."""
    from hub_core import InsufficientCreditsError
    from langchain_hub import ChatTokenHub

    if conn.emu is None:
        ui.say("skipped", "needs an empty account; shown against the emulator only")
        return
    key = "th-demo-empty-account"
    conn.emu.admin.set_account("tokenhub", key, balance=0.0001)
    llm = ChatTokenHub(model="openai/gpt-4.1", api_key=key, base_url=conn.emu.base_url("tokenhub"),
                       rpm=0)
    try:
        llm.invoke("Write a long essay about credits.")
    except InsufficientCreditsError as err:
        ui.say("InsufficientCreditsError", err)
        ui.table(["balance", "affordable max_tokens", "retried?"],
                 [(err.balance if err.balance is not None else "not stated",
                   err.affordable_max_tokens, "no (it cannot succeed)")])
    else:
        raise AssertionError("an empty account answered")
    sent = len(conn.emu.admin.ledger("tokenhub", key)["requests"])
    ui.say("hub saw", f"{sent} request")
    assert sent == 1


def refusals(conn: Connection) -> None:
    """Step 7: a budget refusal, then an out-of-credits error, as a user meets them."""
    budget_refusal(conn)
    print()
    out_of_credits(conn)
