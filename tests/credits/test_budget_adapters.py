"""Every class that can spend takes ``budget=``, and every call path reserves and settles.

Against the emulator: a strict budget of 0 refuses before any request (the ledger stays empty);
a roomy one ends with ``spent`` equal to what the ledger charged, in the budget's unit, for
invoke / ainvoke / stream / astream / batch (LangChain) and chat / achat / stream_chat /
astream_chat / complete / acomplete / stream_complete (LlamaIndex), and for embeddings.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from budget_support import CHAT_MODEL, ledger, new_key
from llama_index.core.base.llms.types import ChatMessage

import langchain_hub
import llamaindex_hub
from hub_core import Budget, BudgetExceededError, get_hub

HUBS = ("electronhub", "chainhub", "apihub", "tokenhub")
LC_CHAT = {"electronhub": "ChatElectronHub", "chainhub": "ChatChainHub", "apihub": "ChatAPIHub",
           "tokenhub": "ChatTokenHub"}
LC_EMB = {"electronhub": "ElectronHubEmbeddings", "chainhub": "ChainHubEmbeddings",
          "apihub": "APIHubEmbeddings", "tokenhub": "TokenHubEmbeddings"}
LI_LLM = {"electronhub": "ElectronHubLLM", "chainhub": "ChainHubLLM", "apihub": "APIHubLLM",
          "tokenhub": "TokenHubLLM"}
LI_EMB = {"electronhub": "ElectronHubEmbedding", "chainhub": "ChainHubEmbedding",
          "apihub": "APIHubEmbedding", "tokenhub": "TokenHubEmbedding"}
PRICED_EMBEDDINGS = ("chainhub", "tokenhub")  # their replies state usage.cost
QWEN_PRICE = 0.30 / 1_000_000


def _expected_spend(emu: Any, hub: str, key: str, *, embeddings: bool = False) -> float:
    """What the ledger charged, in the unit the client can know it in."""
    rows = ledger(emu, hub, key)["requests"]
    if embeddings and hub not in PRICED_EMBEDDINGS:
        return 0.0  # no documented price and no usage.cost: unpriced, nothing to add
    if hub == "apihub":  # the ledger counts tokens; the documented price is $ per token
        return math.fsum(round(r["credits"] * QWEN_PRICE, 10) for r in rows)
    return math.fsum(r["credits"] for r in rows)


def _settings(emu: Any, hub: str, key: str, budget: Budget) -> dict[str, Any]:
    return {"api_key": key, "base_url": emu.base_url(hub), "rpm": 0, "budget": budget}


def _lc_chat(emu: Any, hub: str, key: str, budget: Budget, generic: bool) -> Any:
    settings = {**_settings(emu, hub, key, budget), "model": CHAT_MODEL[hub], "max_tokens": 40}
    if generic:
        return langchain_hub.ChatHub(hub=hub, **settings)
    return getattr(langchain_hub, LC_CHAT[hub])(**settings)


def _li_llm(emu: Any, hub: str, key: str, budget: Budget, generic: bool) -> Any:
    settings = {**_settings(emu, hub, key, budget), "max_tokens": 40}
    if generic:
        return llamaindex_hub.HubLLM(CHAT_MODEL[hub], hub=hub, **settings)
    return getattr(llamaindex_hub, LI_LLM[hub])(CHAT_MODEL[hub], **settings)


def _lc_emb(emu: Any, hub: str, key: str, budget: Budget, generic: bool) -> Any:
    settings = _settings(emu, hub, key, budget)
    if generic:
        return langchain_hub.HubEmbeddings(hub=hub, batch_size=2, **settings)
    return getattr(langchain_hub, LC_EMB[hub])(batch_size=2, **settings)


def _li_emb(emu: Any, hub: str, key: str, budget: Budget, generic: bool) -> Any:
    settings = _settings(emu, hub, key, budget)
    if generic:
        return llamaindex_hub.HubEmbedding(hub=hub, batch_size=2, **settings)
    return getattr(llamaindex_hub, LI_EMB[hub])(batch_size=2, **settings)


def _one_call(kind: str, obj: Any) -> Any:
    if kind == "lc_chat":
        return obj.invoke("hello")
    if kind == "li_llm":
        return obj.complete("hello")
    if kind == "lc_emb":
        return obj.embed_documents(["alpha", "beta", "gamma"])
    return obj.get_text_embedding_batch(["alpha", "beta", "gamma"])


MAKERS = {"lc_chat": _lc_chat, "li_llm": _li_llm, "lc_emb": _lc_emb, "li_emb": _li_emb}


@pytest.mark.parametrize("generic", [True, False], ids=["generic", "per-hub"])
@pytest.mark.parametrize("kind", list(MAKERS))
@pytest.mark.parametrize("hub", HUBS)
def test_a_strict_empty_budget_refuses_before_any_request(
    hub_emulator: Any, hub: str, kind: str, generic: bool
) -> None:
    key = new_key(hub)
    budget = Budget(0, get_hub(hub).price_unit, strict=True)
    obj = MAKERS[kind](hub_emulator, hub, key, budget, generic)
    with pytest.raises(BudgetExceededError) as info:
        _one_call(kind, obj)
    assert info.value.hub == hub and "Nothing was sent" in str(info.value)
    assert ledger(hub_emulator, hub, key)["requests"] == []
    assert budget.spent == budget.reserved == 0


@pytest.mark.parametrize("generic", [True, False], ids=["generic", "per-hub"])
@pytest.mark.parametrize("kind", list(MAKERS))
@pytest.mark.parametrize("hub", HUBS)
def test_a_roomy_budget_ends_at_what_the_ledger_charged(
    hub_emulator: Any, hub: str, kind: str, generic: bool
) -> None:
    key = new_key(hub)
    budget = Budget(1000, get_hub(hub).price_unit)
    _one_call(kind, MAKERS[kind](hub_emulator, hub, key, budget, generic))
    rows = ledger(hub_emulator, hub, key)["requests"]
    assert rows and budget.calls == len(rows) and budget.reserved == 0
    embeddings = kind.endswith("emb")
    assert budget.spent == _expected_spend(hub_emulator, hub, key, embeddings=embeddings)
    priced_up_front = hub in ("electronhub", "apihub") and not embeddings
    assert budget.unpriced_calls == (0 if priced_up_front else len(rows))


@pytest.mark.parametrize("hub", HUBS)
async def test_every_langchain_call_path_reserves_and_settles(hub_emulator: Any, hub: str) -> None:
    key, budget = new_key(hub), Budget(1000, get_hub(hub).price_unit)
    llm = _lc_chat(hub_emulator, hub, key, budget, generic=True)
    llm.invoke("one")
    await llm.ainvoke("two")
    assert "".join(str(c.content) for c in llm.stream("three"))
    assert [c async for c in llm.astream("four")]
    llm.batch(["five", "six"])
    await llm.abatch(["seven", "eight"])
    assert len(ledger(hub_emulator, hub, key)["requests"]) == budget.calls == 8
    assert budget.spent == _expected_spend(hub_emulator, hub, key) > 0
    assert budget.reserved == 0


@pytest.mark.parametrize("hub", HUBS)
async def test_every_llamaindex_call_path_reserves_and_settles(
    hub_emulator: Any, hub: str
) -> None:
    key, budget = new_key(hub), Budget(1000, get_hub(hub).price_unit)
    llm = _li_llm(hub_emulator, hub, key, budget, generic=True)
    hello = [ChatMessage(role="user", content="hello")]
    llm.chat(hello)
    await llm.achat(hello)
    assert [r.delta for r in llm.stream_chat(hello)]
    assert [r.delta async for r in await llm.astream_chat(hello)]
    llm.complete("one")
    await llm.acomplete("two")
    assert "".join(r.delta or "" for r in llm.stream_complete("three"))
    assert len(ledger(hub_emulator, hub, key)["requests"]) == budget.calls == 7
    assert budget.spent == _expected_spend(hub_emulator, hub, key) > 0
    assert budget.reserved == 0


@pytest.mark.parametrize("hub", PRICED_EMBEDDINGS)
async def test_async_embeddings_settle_each_batch(hub_emulator: Any, hub: str) -> None:
    key, budget = new_key(hub), Budget(1000, "credits")
    lc = _lc_emb(hub_emulator, hub, key, budget, generic=True)
    li = _li_emb(hub_emulator, hub, key, budget, generic=True)
    await lc.aembed_documents(["a", "b", "c", "d", "e"])
    await lc.aembed_query("f")
    await li.aget_text_embedding_batch(["g", "h", "i"])
    await li.aget_query_embedding("j")
    rows = ledger(hub_emulator, hub, key)["requests"]
    assert len(rows) == budget.calls == 3 + 1 + 2 + 1
    assert budget.spent == _expected_spend(hub_emulator, hub, key, embeddings=True) > 0


def test_adapters_re_export_budget_and_pickle_an_independent_copy(hub_emulator: Any) -> None:
    import pickle

    from hub_core import Budget as CoreBudget

    assert langchain_hub.Budget is CoreBudget is llamaindex_hub.Budget
    assert langchain_hub.BudgetExceededError is BudgetExceededError
    budget = Budget(10, "credits")
    key = new_key("electronhub")
    for maker in (_lc_chat, _li_llm):
        obj = maker(hub_emulator, "electronhub", key, budget, True)
        copy = pickle.loads(pickle.dumps(obj))
        assert copy.budget is not budget and copy.budget.max_cost == 10
        _one_call("lc_chat" if maker is _lc_chat else "li_llm", copy)
        assert copy.budget.spent == 1 and budget.spent == 0  # the copy spends on its own
        assert "budget" not in obj.model_dump()  # never serialised with the settings
