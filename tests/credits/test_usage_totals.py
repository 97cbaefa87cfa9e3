"""``hub_usage()`` and ``HubUsageHandler`` totals equal the emulator ledger exactly (issue 12).

A mixed run on two hubs (Electron Hub, priced per request; TokenHub, whose replies state
``usage.cost``): invoke, stream, batch, ``asyncio.gather``, plain threads, embeddings in
several batches, sync and async, and an image (LangChain: HubMedia; LlamaIndex: the
HubMediaToolSpec an agent would call). Requests, input and output tokens and cost are compared with
the ledger of each key, in total and per model.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from budget_support import ledger, new_key
from llama_index.core.base.llms.types import ChatMessage

from hub_core import HubMedia, UsageFigures
from hub_core.credits import Cost
from hub_core.usage import report_usage
from langchain_hub import (
    ChatElectronHub,
    ChatTokenHub,
    HubUsageCallbackHandler,
    TokenHubEmbeddings,
    hub_usage,
)
from llamaindex_hub import (
    ElectronHubLLM,
    HubMediaToolSpec,
    HubUsageHandler,
    TokenHubEmbedding,
    TokenHubLLM,
)

EMBED_MODEL = "openai/text-embedding-3-small"


def _ledger_figures(emu: Any, keys: dict[str, str]) -> tuple[UsageFigures, dict[str, list]]:
    """The ledgers of both keys as figures, and their rows per ``hub:model``.

    Result files fetched from the hub's file host (``/_files/...``, free, no model) are
    downloads, not API calls: usage totals count the call that made them."""
    rows_by_model: dict[str, list] = defaultdict(list)
    requests = input_tokens = output_tokens = 0
    credits: list[float] = []
    for hub, key in keys.items():
        book = ledger(emu, hub, key)
        calls = [row for row in book["requests"] if not row["path"].startswith("/_files/")]
        assert all(row["credits"] == 0 for row in book["requests"] if row not in calls)
        requests += len(calls)
        input_tokens += book["input_tokens"]
        output_tokens += book["output_tokens"]
        for row in calls:
            credits.append(row["credits"])
            rows_by_model[f"{hub}:{row['model']}"].append(row)
    figures = UsageFigures(requests, input_tokens, output_tokens, input_tokens + output_tokens,
                           {"credits": math.fsum(credits)}, 0)
    return figures, rows_by_model


def _assert_equal_to_ledger(usage: Any, emu: Any, keys: dict[str, str]) -> None:
    expected, rows = _ledger_figures(emu, keys)
    got = UsageFigures(usage.requests, usage.input_tokens, usage.output_tokens,
                       usage.total_tokens, usage.cost, usage.unpriced_requests)
    assert got == expected
    assert set(usage.by_model) == set(rows)
    for name, model_rows in rows.items():
        figures = usage.by_model[name]
        assert figures.requests == len(model_rows)
        assert figures.cost == {"credits": math.fsum(r["credits"] for r in model_rows)}


@pytest.fixture
def keys() -> dict[str, str]:
    return {"electronhub": new_key("electronhub"), "tokenhub": new_key("tokenhub")}


def _lc_objects(emu: Any, keys: dict[str, str]) -> tuple[Any, Any, Any]:
    eh = ChatElectronHub(model="gpt-3.5-turbo", api_key=keys["electronhub"], rpm=0,
                         base_url=emu.base_url("electronhub"))
    th = ChatTokenHub(model="openai/gpt-4.1", api_key=keys["tokenhub"], rpm=0, max_tokens=60,
                      base_url=emu.base_url("tokenhub"))
    emb = TokenHubEmbeddings(api_key=keys["tokenhub"], base_url=emu.base_url("tokenhub"),
                             rpm=0, batch_size=2, max_concurrency=3)
    return eh, th, emb


def test_hub_usage_equals_the_ledger_for_a_mixed_run(
    hub_emulator: Any, keys: dict, tmp_path: Any
) -> None:
    eh, th, emb = _lc_objects(hub_emulator, keys)
    media = HubMedia("electronhub", api_key=keys["electronhub"], rpm=0, output_dir=tmp_path,
                     base_url=hub_emulator.base_url("electronhub"))
    with hub_usage() as usage:
        eh.invoke("what is a budget?")
        assert "".join(str(c.content) for c in th.stream("stream a story"))
        th.batch(["first", "second", "third"])
        emb.embed_documents(["one", "two", "three", "four", "five"])  # 3 requests, 3 threads
        emb.embed_query("six")

        async def concurrently() -> None:
            await asyncio.gather(
                eh.ainvoke("async one"), th.ainvoke("async two"),
                emb.aembed_documents(["seven", "eight", "nine"]),
                _drain(th.astream("async stream")),
            )

        asyncio.run(concurrently())
        with ThreadPoolExecutor(max_workers=3) as pool:  # hand-made threads: copy the context
            futures = [pool.submit(contextvars.copy_context().run, call)
                       for call in (lambda: eh.invoke("thread"),
                                    lambda: emb.embed_query("thread"))]
            [f.result() for f in futures]
        image = media.generate_image("a lighthouse", model="sdxl", response_format="b64_json")
    assert image.cost is not None and image.paths
    assert isinstance(usage, HubUsageCallbackHandler)
    _assert_equal_to_ledger(usage, hub_emulator, keys)
    assert usage.requests == 17 and usage.unpriced_requests == 0
    assert usage.by_model["electronhub:sdxl"].cost == {"credits": image.cost.amount}
    chat_tokens = sum(u["total_tokens"] for u in usage.usage_metadata.values())
    embedding = usage.by_model[f"tokenhub:{EMBED_MODEL}"]
    assert chat_tokens + embedding.total_tokens == usage.total_tokens  # LangChain's own sums
    eh.invoke("after the block")
    emb.embed_query("after the block")
    assert usage.requests == 17  # the block is closed


async def _drain(stream: Any) -> None:
    async for _ in stream:
        pass


def test_hub_usage_blocks_nest_and_count_nothing_outside(hub_emulator: Any, keys: dict) -> None:
    eh, _, emb = _lc_objects(hub_emulator, keys)
    with hub_usage() as outer:
        eh.invoke("outer")
        with hub_usage() as inner:
            eh.invoke("inner")
            emb.embed_query("inner")
        eh.invoke("outer again")
    assert (inner.requests, outer.requests) == (2, 4)
    assert outer.cost["credits"] == 3 + inner.by_model[f"tokenhub:{EMBED_MODEL}"].cost["credits"]
    assert inner.usage_metadata and outer.usage_metadata  # langchain-core's own per-model sums


def test_media_and_other_reports_land_in_the_block() -> None:
    with hub_usage() as usage:
        report_usage("electronhub", "dall-e-3", None, Cost(20, "credits"))
        report_usage("electronhub", "mystery-video", None, None)
    assert (usage.requests, usage.cost, usage.unpriced_requests) == (2, {"credits": 20.0}, 1)
    assert usage.by_model["electronhub:dall-e-3"].cost == {"credits": 20.0}


async def test_hub_usage_handler_equals_the_ledger_for_a_mixed_run(
    hub_emulator: Any, keys: dict, tmp_path: Any
) -> None:
    eh = ElectronHubLLM("gpt-3.5-turbo", api_key=keys["electronhub"], rpm=0,
                        base_url=hub_emulator.base_url("electronhub"))
    th = TokenHubLLM("openai/gpt-4.1", api_key=keys["tokenhub"], rpm=0, max_tokens=60,
                     base_url=hub_emulator.base_url("tokenhub"))
    emb = TokenHubEmbedding(api_key=keys["tokenhub"], base_url=hub_emulator.base_url("tokenhub"),
                            rpm=0, batch_size=2, max_concurrency=3)
    media = HubMediaToolSpec("electronhub", api_key=keys["electronhub"], rpm=0,
                             base_url=hub_emulator.base_url("electronhub"), output_dir=tmp_path)
    hello = [ChatMessage(role="user", content="hello")]
    with HubUsageHandler() as usage:
        eh.complete("what is a budget?")
        th.chat(hello)
        assert "".join(r.delta or "" for r in th.stream_complete("stream a story"))
        emb.get_text_embedding_batch(["one", "two", "three", "four", "five"])
        emb.get_query_embedding("six")
        await asyncio.gather(
            eh.acomplete("async one"), th.achat(hello),
            emb.aget_text_embedding_batch(["seven", "eight", "nine"]),
            _drain(await th.astream_chat(hello)),
        )
        with ThreadPoolExecutor(max_workers=2) as pool:  # the handler is process-wide
            list(pool.map(lambda text: eh.complete(text), ["t1", "t2"]))
        made = media.generate_image("a lighthouse", size="1024x1024")
        made_async = await media.agenerate_image("a harbour", size="1024x1024")
    assert "cost: 20 credits" in made and "cost: 20 credits" in made_async
    assert usage.requests == 16
    assert usage.by_model["electronhub:dall-e-3"].cost == {"credits": 40.0}
    _assert_equal_to_ledger(usage, hub_emulator, keys)
    eh.complete("after")
    emb.get_query_embedding("after")
    assert usage.requests == 16  # detached from the root dispatcher
