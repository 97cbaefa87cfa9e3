"""Embeddings (e), connection reuse (g) and memory of many open streams (h)."""

from __future__ import annotations

import array
import asyncio
import base64
import gc
import json
import tracemalloc
from collections.abc import Callable
from typing import Any

from clients import (
    API_KEY,
    E_DIM,
    E_RAW_BATCH,
    EMBED_MODEL,
    G_CHUNKS,
    H_BARRIER_S,
    H_CHUNKS,
    H_ROUND_S,
    HUB,
    LC,
    Ctx,
    Job,
    JobOut,
    _auth,
    _retry_without,
    chat_payload,
    lc_messages,
    li_messages,
    mk_lc,
    mk_li,
    mk_openai,
    rss_bytes,
    sizes,
    sse_events,
    stream_model,
    trim_heap,
)


# --------------------------------------------------------------------------- (e) embeddings
def build_e(client: str, ctx: Ctx) -> dict[str, Job]:
    n_texts = sizes(ctx.quick)[0]
    texts = [f"short text number {i}" for i in range(n_texts)]
    few = texts[:100]

    def check(vecs: Any, n: int = n_texts) -> JobOut:
        good = len(vecs) == n and len(vecs[0]) == E_DIM and len(vecs[-1]) == E_DIM
        # the warm-up embeds 100 texts; report it as the full count when it went right
        return (n_texts if good else -1), {}

    if client == "httpx":
        import httpx

        hc = httpx.Client(base_url=ctx.v1, headers=_auth(), timeout=60)

        def hx(texts: list[str] = texts) -> JobOut:
            out: list[list[float]] = []
            for i in range(0, len(texts), E_RAW_BATCH):
                r = hc.post("embeddings", json={"model": EMBED_MODEL, "input":
                            texts[i : i + E_RAW_BATCH], "encoding_format": "base64"})
                r.raise_for_status()
                out.extend(array.array("f", base64.b64decode(d["embedding"])).tolist()
                           for d in r.json()["data"])
            return check(out, len(texts))

        return {"embed": hx, "_warmup": lambda: hx(few)}
    if client == "openai":
        oc = mk_openai(ctx)

        def oa(texts: list[str] = texts) -> JobOut:
            out: list[list[float]] = []
            for i in range(0, len(texts), E_RAW_BATCH):
                r = oc.embeddings.create(model=EMBED_MODEL, input=texts[i : i + E_RAW_BATCH])
                out.extend(d.embedding for d in r.data)
            return check(out, len(texts))

        return {"embed": oa, "_warmup": lambda: oa(few)}
    if client == "OpenAIEmbeddings":
        from langchain_openai import OpenAIEmbeddings

        # check_embedding_ctx_length=False: the default tokenises every text with tiktoken,
        # which needs a download (offline here) and is what non-OpenAI hubs are told to turn off.
        emb = OpenAIEmbeddings(model=EMBED_MODEL, base_url=ctx.v1, api_key=API_KEY,
                               check_embedding_ctx_length=False)
        return {"embed": lambda: check(emb.embed_documents(texts)),
                "_warmup": lambda: check(emb.embed_documents(few), len(few))}
    if client == "HubEmbeddings":
        from langchain_hub import HubEmbeddings

        args = {"hub": HUB, "model": EMBED_MODEL, "api_key": API_KEY, "base_url": ctx.v1, "rpm": 0}
        hemb = _retry_without(HubEmbeddings, ctx, client, args)
        return {"embed": lambda: check(hemb.embed_documents(texts)),
                "_warmup": lambda: check(hemb.embed_documents(few), len(few))}
    if client == "OpenAILikeEmbedding":
        from llama_index.embeddings.openai_like import OpenAILikeEmbedding

        lemb = OpenAILikeEmbedding(model_name=EMBED_MODEL, api_base=ctx.v1, api_key=API_KEY)
        return {"embed": lambda: check(lemb.get_text_embedding_batch(texts)),
                "_warmup": lambda: check(lemb.get_text_embedding_batch(few), len(few))}
    from llamaindex_hub import HubEmbedding

    args = {"hub": HUB, "model_name": EMBED_MODEL, "api_key": API_KEY, "base_url": ctx.v1,
            "rpm": 0}
    iemb = _retry_without(HubEmbedding, ctx, client, args)
    return {"embed": lambda: check(iemb.get_text_embedding_batch(texts)),
            "_warmup": lambda: check(iemb.get_text_embedding_batch(few), len(few))}


# --------------------------------------------------------------------------- (g) connection reuse
def build_g(client: str, ctx: Ctx) -> dict[str, Job]:
    """``full``: 100 streams consumed to the end; ``break``: stop after the first content chunk
    (the caller walks away; a client may drain, or must close the connection)."""
    model = stream_model(G_CHUNKS)
    n_streams = sizes(ctx.quick)[1]
    one: Callable[[bool], bool]
    if client == "httpx":
        import httpx

        hc = httpx.Client(base_url=ctx.v1, headers=_auth())
        payload = chat_payload(model, stream=True)

        def hx(stop: bool) -> bool:
            n = 0
            with hc.stream("POST", "chat/completions", json=payload) as r:
                for ev in sse_events(r.iter_lines()):
                    n += bool(ev["choices"] and ev["choices"][0]["delta"].get("content"))
                    if stop and n:
                        return True
            return n == G_CHUNKS

        one = hx
    elif client == "openai":
        oc = mk_openai(ctx)
        msgs = chat_payload()["messages"]

        def oa(stop: bool) -> bool:
            n = 0
            with oc.chat.completions.create(model=model, messages=msgs, stream=True,
                                            stream_options={"include_usage": True}) as stream:
                for chunk in stream:
                    n += bool(chunk.choices and chunk.choices[0].delta.content)
                    if stop and n:
                        return True
            return n == G_CHUNKS

        one = oa
    elif client in LC:
        llm = mk_lc(client, ctx, model)
        lmsgs = lc_messages()

        def lc(stop: bool) -> bool:
            n = 0
            for chunk in llm.stream(lmsgs):
                n += bool(chunk.content)
                if stop and n:
                    return True
            return n == G_CHUNKS

        one = lc
    else:
        llm = mk_li(client, ctx, model)
        imsgs = li_messages()

        def li(stop: bool) -> bool:
            n = 0
            for r in llm.stream_chat(imsgs):
                n += bool(r.delta)
                if stop and n:
                    return True
            return n == G_CHUNKS

        one = li

    def job(stop: bool, n: int = n_streams) -> JobOut:
        if not stop:
            return sum(one(False) for _ in range(n)), {}
        # An abandoned openai-SDK stream that the cyclic GC finalises while httpcore holds its
        # pool lock deadlocks (the finaliser closes the response, which takes the same lock).
        # So no cyclic GC while streams are being abandoned; collect at the end, at a safe point.
        gc.disable()
        try:
            return sum(one(True) for _ in range(n)), {}
        finally:
            gc.enable()
            gc.collect()

    return {"full": lambda: job(False), "break": lambda: job(True),
            "_warmup": lambda: (n_streams if one(False) else 0, {})}


# --------------------------------------------------------------------------- (h) memory
def build_h(client: str, ctx: Ctx) -> dict[str, Job]:
    """1,000 streams opened at once; each reads its first content chunk, then waits until all
    have (or until ``H_BARRIER_S`` after the start, for clients whose pool holds fewer), then
    reads the rest. ``rss_delta_mb`` is the resident memory at that point minus before the
    round, ``rss_kb_per_stream`` that over the streams open then (``open_at_once``).
    ``traced`` runs the same round under ``tracemalloc`` (one frame) for the Python heap alone:
    ``heap_kb_per_stream`` is what was allocated and still alive at that point, per open stream
    (RSS also counts freed-but-kept pages, the allocator's slack and native buffers)."""
    model = stream_model(H_CHUNKS)
    n_streams = sizes(ctx.quick)[2]
    agen: Callable[[], Any]
    if client == "httpx_async":
        import httpx

        hc = httpx.AsyncClient(base_url=ctx.v1, headers=_auth(), timeout=60,
                               # the openai SDK's limits: room for every stream at once
                               limits=httpx.Limits(max_connections=n_streams,
                                                   max_keepalive_connections=100))
        payload = chat_payload(model, stream=True)

        async def hx() -> Any:
            async with hc.stream("POST", "chat/completions", json=payload) as r:
                async for line in r.aiter_lines():
                    if line.startswith("data: ") and line[6:] != "[DONE]":
                        ev = json.loads(line[6:])
                        if ev["choices"]:
                            yield ev["choices"][0]["delta"].get("content")

        agen = hx
    elif client == "openai_async":
        oc = mk_openai(ctx, aio=True)
        msgs = chat_payload()["messages"]

        async def oa() -> Any:
            stream = await oc.chat.completions.create(model=model, messages=msgs, stream=True,
                                                      stream_options={"include_usage": True})
            async for chunk in stream:
                if chunk.choices:
                    yield chunk.choices[0].delta.content

        agen = oa
    elif client in LC:
        llm = mk_lc(client, ctx, model)
        lmsgs = lc_messages()

        async def lc() -> Any:
            async for chunk in llm.astream(lmsgs):
                yield chunk.content

        agen = lc
    else:
        llm = mk_li(client, ctx, model)
        imsgs = li_messages()

        async def li() -> Any:
            async for r in await llm.astream_chat(imsgs):
                yield r.delta

        agen = li

    async def job(n_streams: int = n_streams, traced: bool = False) -> JobOut:
        started = 0
        all_open = asyncio.Event()
        peak: dict[str, float] = {}
        loop = asyncio.get_running_loop()
        barrier_until = loop.time() + H_BARRIER_S

        async def one() -> bool:
            nonlocal started
            n = 0
            try:
                async for piece in agen():
                    if not piece:
                        continue
                    n += 1
                    if n == 1:
                        started += 1
                        if started == n_streams:
                            all_open.set()
                        try:
                            await asyncio.wait_for(all_open.wait(),
                                                   max(0.0, barrier_until - loop.time()))
                        except TimeoutError:
                            pass
                        if "rss" not in peak:
                            peak["rss"] = rss_bytes()
                            peak["open"] = started
                            if traced:
                                peak["heap"] = tracemalloc.get_traced_memory()[0]
            except Exception as exc:
                peak.setdefault("error", 0)
                peak["error"] += 1
                peak.setdefault("error_text", repr(exc)[:200])  # type: ignore[arg-type]
                return False
            return n == H_CHUNKS

        gc.collect()
        trim_heap()  # hand freed memory back, so each round's growth shows, not just the first's
        before = rss_bytes()
        if traced:
            tracemalloc.start(1)  # counts only what is allocated from here on
        try:
            oks = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(n_streams))),
                                         H_ROUND_S)
        except TimeoutError:
            oks = []
            peak["timeout"] = H_ROUND_S
        finally:
            if traced:
                tracemalloc.stop()
        opened = max(peak.get("open", 0), 1)
        extras: dict[str, Any] = {"open_at_once": peak.get("open", 0),
                                  "errors": peak.get("error", 0)}
        if traced:
            extras["heap_kb_per_stream"] = peak.get("heap", 0) / opened / 1024
        else:
            extras["rss_delta_mb"] = (peak.get("rss", before) - before) / 2**20
            extras["rss_kb_per_stream"] = (peak.get("rss", before) - before) / opened / 1024
        if "error_text" in peak:
            extras["error_text"] = peak["error_text"]
        if "timeout" in peak:
            extras["error_text"] = f"round not done in {H_ROUND_S:.0f} s; " + str(
                peak.get("error_text", ""))
        return sum(oks), extras

    async def warm() -> JobOut:
        out = await job(10)
        return (n_streams if out[0] == 10 else out[0]), out[1]

    return {"streams": job, "traced": lambda: job(traced=True), "_warmup": warm}


