"""Chat scenarios: (a) per call, (b) per streamed chunk, (c) tool-call streams, (d) fan-out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from clients import (
    A_CALLS,
    A_CALLS_QUICK,
    B_CHUNKS,
    B_STREAMS,
    C_LARGE,
    C_MID,
    C_SMALL,
    CHAT_MODEL,
    D_CONCURRENCY,
    LC,
    TOOL_SCHEMA,
    Ctx,
    Job,
    JobOut,
    RawSock,
    _auth,
    chat_payload,
    expected_query,
    lc_messages,
    li_messages,
    li_tool,
    mk_lc,
    mk_li,
    mk_openai,
    sse_events,
    stream_model,
)


# --------------------------------------------------------------------------- (a) chat per call
def build_a(client: str, ctx: Ctx) -> dict[str, Job]:
    n = A_CALLS_QUICK if ctx.quick else A_CALLS
    expect = "Hello from the bench server!"

    def check(texts: list[str]) -> JobOut:
        return sum(t == expect for t in texts), {}

    if client == "rawsock":
        rs = RawSock(ctx.base)
        req = rs.request("/v1/chat/completions", chat_payload())

        def raw() -> JobOut:
            return check([json.loads(rs.roundtrip(req))["choices"][0]["message"]["content"]
                          for _ in range(n)])

        return {"call": raw}
    if client == "httpx":
        import httpx

        hc = httpx.Client(base_url=ctx.v1, headers=_auth())
        payload = chat_payload()

        def hx() -> JobOut:
            out = []
            for _ in range(n):
                r = hc.post("chat/completions", json=payload)
                r.raise_for_status()
                out.append(r.json()["choices"][0]["message"]["content"])
            return check(out)

        return {"call": hx}
    if client == "openai":
        oc = mk_openai(ctx)
        msgs = chat_payload()["messages"]

        def oa() -> JobOut:
            return check([oc.chat.completions.create(model=CHAT_MODEL, messages=msgs)
                          .choices[0].message.content for _ in range(n)])

        return {"call": oa}
    if client in LC:
        llm = mk_lc(client, ctx, CHAT_MODEL)
        lmsgs = lc_messages()

        def lc() -> JobOut:
            return check([llm.invoke(lmsgs).content for _ in range(n)])

        return {"call": lc}
    llm = mk_li(client, ctx, CHAT_MODEL)
    imsgs = li_messages()

    def li() -> JobOut:
        return check([llm.chat(imsgs).message.content for _ in range(n)])

    return {"call": li}


# --------------------------------------------------------------------------- (b) stream per chunk
def build_b(client: str, ctx: Ctx) -> dict[str, Job]:
    streams = 1 if ctx.quick else B_STREAMS
    model = stream_model(B_CHUNKS)
    if client == "rawsock":
        rs = RawSock(ctx.base)
        req = rs.request("/v1/chat/completions", chat_payload(model, stream=True))

        def raw() -> JobOut:
            return sum(rs.roundtrip(req).count(b'"content":"tok') for _ in range(streams)), {}

        return {"stream": raw}
    if client == "httpx":
        import httpx

        hc = httpx.Client(base_url=ctx.v1, headers=_auth())
        payload = chat_payload(model, stream=True)

        def hx() -> JobOut:
            n = 0
            for _ in range(streams):
                with hc.stream("POST", "chat/completions", json=payload) as r:
                    r.raise_for_status()
                    for ev in sse_events(r.iter_lines()):
                        ch = ev["choices"]
                        if ch and ch[0]["delta"].get("content"):
                            n += 1
            return n, {}

        return {"stream": hx}
    if client == "openai":
        oc = mk_openai(ctx)
        msgs = chat_payload()["messages"]

        def oa() -> JobOut:
            n = 0
            for _ in range(streams):
                for chunk in oc.chat.completions.create(
                    model=model, messages=msgs, stream=True,
                    stream_options={"include_usage": True},
                ):
                    if chunk.choices and chunk.choices[0].delta.content:
                        n += 1
            return n, {}

        return {"stream": oa}
    if client in LC:
        llm = mk_lc(client, ctx, model)
        lmsgs = lc_messages()

        def lc() -> JobOut:
            n = 0
            for _ in range(streams):
                for chunk in llm.stream(lmsgs):
                    if chunk.content:
                        n += 1
            return n, {}

        return {"stream": lc}
    llm = mk_li(client, ctx, model)
    imsgs = li_messages()

    def li() -> JobOut:
        n = 0
        for _ in range(streams):
            for r in llm.stream_chat(imsgs):
                if r.delta:
                    n += 1
        return n, {}

    return {"stream": li}


# --------------------------------------------------------------------------- (c) tool-call stream
def build_c(client: str, ctx: Ctx) -> dict[str, Job]:
    """Per size N: ``streamN`` consumes the stream and keeps the argument text; ``invokeN``
    returns the merged, parsed tool call (LangChain ``invoke`` with ``streaming=True``;
    LlamaIndex: ``stream_chat_with_tools`` then ``get_tool_calls_from_response``)."""
    sizes = (C_SMALL, C_MID, C_LARGE)

    def ok(n: int, args: Any) -> JobOut:
        if isinstance(args, str):
            args = json.loads(args)
        return (n if args == {"query": expected_query(n)} else -1), {}

    jobs: dict[str, Job] = {}
    if client == "rawsock":
        rs = RawSock(ctx.base)
        for n in sizes:
            req = rs.request("/v1/chat/completions",
                             chat_payload(stream_model(n), stream=True, tools=True))

            def raw(req: bytes = req, n: int = n) -> JobOut:
                body = rs.roundtrip(req)
                return body.count(b'"arguments":') - 1, {}

            jobs[f"stream{n}"] = raw
        return jobs
    if client == "httpx":
        import httpx

        hc = httpx.Client(base_url=ctx.v1, headers=_auth())
        for n in sizes:
            payload = chat_payload(stream_model(n), stream=True, tools=True)

            def hx(payload: dict[str, Any] = payload, n: int = n) -> JobOut:
                parts: dict[int, list[str]] = {}
                with hc.stream("POST", "chat/completions", json=payload) as r:
                    r.raise_for_status()
                    for ev in sse_events(r.iter_lines()):
                        ch = ev["choices"]
                        if ch:
                            for tc in ch[0]["delta"].get("tool_calls") or ():
                                parts.setdefault(tc["index"], []).append(
                                    tc["function"].get("arguments") or "")
                return ok(n, "".join(parts[0]))

            jobs[f"stream{n}"] = hx
        jobs[f"invoke{C_LARGE}"] = jobs[f"stream{C_LARGE}"]
        return jobs
    if client == "openai":
        oc = mk_openai(ctx)
        msgs = chat_payload()["messages"]
        for n in sizes:

            def oa(n: int = n) -> JobOut:
                parts: dict[int, list[str]] = {}
                for chunk in oc.chat.completions.create(
                    model=stream_model(n), messages=msgs, tools=[TOOL_SCHEMA], stream=True,
                    stream_options={"include_usage": True},
                ):
                    if chunk.choices:
                        for tc in chunk.choices[0].delta.tool_calls or ():
                            parts.setdefault(tc.index, []).append(
                                (tc.function and tc.function.arguments) or "")
                return ok(n, "".join(parts[0]))

            jobs[f"stream{n}"] = oa
        jobs[f"invoke{C_LARGE}"] = jobs[f"stream{C_LARGE}"]
        return jobs
    if client in LC:
        lmsgs = lc_messages()
        for n in sizes:
            llm = mk_lc(client, ctx, stream_model(n), streaming=True).bind_tools([TOOL_SCHEMA])

            def lcs(llm: Any = llm, n: int = n) -> JobOut:
                parts = [tcc.get("args") or "" for chunk in llm.stream(lmsgs)
                         for tcc in chunk.tool_call_chunks]
                return ok(n, "".join(parts))

            jobs[f"stream{n}"] = lcs
            if n == C_LARGE:

                def lci(llm: Any = llm, n: int = n) -> JobOut:
                    return ok(n, llm.invoke(lmsgs).tool_calls[0]["args"])

                jobs[f"invoke{n}"] = lci
        return jobs
    imsgs = li_messages()
    tool = li_tool()
    for n in sizes:
        llm = mk_li(client, ctx, stream_model(n))

        def lis(llm: Any = llm, n: int = n) -> JobOut:
            last = None
            for last in llm.stream_chat_with_tools([tool], chat_history=imsgs):  # noqa: B007
                pass
            calls = llm.get_tool_calls_from_response(last, error_on_no_tool_call=True)
            return ok(n, calls[0].tool_kwargs)

        jobs[f"stream{n}"] = lis
        if n == C_LARGE:
            jobs[f"invoke{n}"] = lis
    return jobs


# --------------------------------------------------------------------------- (d) async fan-out
def build_d(client: str, ctx: Ctx) -> dict[str, Job]:
    """``gather``: the pool is cold (between a client's rounds the others run for longer than
    httpx's 5 s keep-alive expiry, so connections are new); ``gather_warm`` runs right after it,
    on the connections it left in the pool."""
    expect = "Hello from the bench server!"

    async def fan(one: Callable[[], Awaitable[str]]) -> JobOut:
        out = await asyncio.gather(*(one() for _ in range(D_CONCURRENCY)))
        return sum(t == expect for t in out), {}

    if client == "httpx_async":
        import httpx

        hc = httpx.AsyncClient(base_url=ctx.v1, headers=_auth())
        payload = chat_payload()

        async def hx1() -> str:
            r = await hc.post("chat/completions", json=payload)
            r.raise_for_status()
            return str(r.json()["choices"][0]["message"]["content"])

        return {"gather": lambda: fan(hx1), "gather_warm": lambda: fan(hx1)}
    if client == "openai_async":
        oc = mk_openai(ctx, aio=True)
        msgs = chat_payload()["messages"]

        async def oa1() -> str:
            r = await oc.chat.completions.create(model=CHAT_MODEL, messages=msgs)
            return str(r.choices[0].message.content)

        return {"gather": lambda: fan(oa1), "gather_warm": lambda: fan(oa1)}
    if client in LC:
        llm = mk_lc(client, ctx, CHAT_MODEL)
        lmsgs = lc_messages()

        async def lc1() -> str:
            return str((await llm.ainvoke(lmsgs)).content)

        return {"gather": lambda: fan(lc1), "gather_warm": lambda: fan(lc1)}
    llm = mk_li(client, ctx, CHAT_MODEL)
    imsgs = li_messages()

    async def li1() -> str:
        return str((await llm.achat(imsgs)).message.content)

    return {"gather": lambda: fan(li1), "gather_warm": lambda: fan(li1)}


