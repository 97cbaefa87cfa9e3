"""Scenarios and the clients that run them.

``build(scenario, client, ctx)`` returns ``{job_name: job}``; a job is a callable (or a coroutine
function for async scenarios) that does one measured round and returns ``(units, extras)``, where
``units`` is what was observed (calls, chunks, texts, streams) and is checked against the spec.
All heavy imports happen inside the builders, so a worker only imports what its client needs.
"""

from __future__ import annotations

import array
import asyncio
import base64
import gc
import json
import os
import socket
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

JobOut = tuple[int, dict[str, Any]]
Job = Callable[[], JobOut] | Callable[[], Awaitable[JobOut]]

API_KEY = "th-bench"
HUB = "tokenhub"
CHAT_MODEL = "bench/chat"
EMBED_MODEL = "bench/embed"
PROMPT = "Say hello to the benchmark."
TOOL_SCHEMA: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look something up.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
        },
    },
}


def stream_model(n: int) -> str:
    return f"{CHAT_MODEL}-c{n}"


def expected_query(n: int) -> str:
    """The ``query`` argument the server's ``n``-fragment tool call carries (see server.py)."""
    return "abcd" * (max(n, 3) - 2)


@dataclass
class Ctx:
    base: str  # http://127.0.0.1:PORT
    quick: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def v1(self) -> str:
        return self.base + "/v1"


@dataclass(frozen=True)
class JobSpec:
    units: int  # expected units per round
    unit: str  # what one unit is


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    baseline: str
    clients: tuple[str, ...]
    jobs: dict[str, JobSpec]
    rounds: int
    quick_rounds: int
    is_async: bool = False


# --------------------------------------------------------------------------- scenario sizes
A_CALLS = 200
A_CALLS_QUICK = 20
B_CHUNKS = 1000
B_STREAMS = 2
C_SMALL, C_MID, C_LARGE = 100, 500, 1000
D_CONCURRENCY = 200
E_TEXTS = 10_000
E_TEXTS_QUICK = 2_000
E_DIM = 1536
E_RAW_BATCH = 1000
G_STREAMS = 100
G_STREAMS_QUICK = 20
G_CHUNKS = 20
H_STREAMS = 1000
H_STREAMS_QUICK = 200
H_CHUNKS = 20
H_BARRIER_S = 15.0  # the streams wait for each other at most this long after the round starts
H_ROUND_S = 90.0

LC = ("ChatOpenAI", "ChatHub")
LI = ("OpenAILike", "HubLLM")
OURS = {"ChatHub", "HubLLM", "HubEmbeddings", "HubEmbedding"}


def sizes(quick: bool) -> tuple[int, int, int]:
    """(texts for e, streams for g, streams for h): smaller in the --quick smoke mode."""
    if quick:
        return E_TEXTS_QUICK, G_STREAMS_QUICK, H_STREAMS_QUICK
    return E_TEXTS, G_STREAMS, H_STREAMS


def scenarios(quick: bool) -> dict[str, Scenario]:
    from budget_bench import scenario as budget_scenario

    calls = A_CALLS_QUICK if quick else A_CALLS
    e_texts, g_streams, h_streams = sizes(quick)
    return {
        "a": Scenario(
            "a", "sequential non-streaming chat", "httpx",
            ("rawsock", "httpx", "openai", *LC, *LI),
            {"call": JobSpec(calls, "call")}, rounds=9, quick_rounds=2,
        ),
        "b": Scenario(
            "b", f"one {B_CHUNKS}-chunk stream, consumed fully", "httpx",
            ("rawsock", "httpx", "openai", *LC, *LI),
            {"stream": JobSpec(B_CHUNKS * (1 if quick else B_STREAMS), "chunk")},
            rounds=9, quick_rounds=2,
        ),
        "c": Scenario(
            "c", "streamed tool call in argument fragments", "httpx",
            ("rawsock", "httpx", "openai", *LC, *LI),
            {
                f"stream{C_SMALL}": JobSpec(C_SMALL, "chunk"),
                f"stream{C_MID}": JobSpec(C_MID, "chunk"),
                f"stream{C_LARGE}": JobSpec(C_LARGE, "chunk"),
                f"invoke{C_LARGE}": JobSpec(C_LARGE, "chunk"),
            },
            rounds=7, quick_rounds=2,
        ),
        "d": Scenario(
            "d", f"{D_CONCURRENCY} concurrent async calls", "httpx_async",
            ("httpx_async", "openai_async", *LC, *LI),
            {"gather": JobSpec(D_CONCURRENCY, "call"),
             "gather_warm": JobSpec(D_CONCURRENCY, "call")},
            rounds=5, quick_rounds=2, is_async=True,
        ),
        "e": Scenario(
            "e", f"{e_texts:,} short texts embedded, dim {E_DIM}", "httpx",
            ("httpx", "openai", "OpenAIEmbeddings", "HubEmbeddings", "OpenAILikeEmbedding",
             "HubEmbedding"),
            {"embed": JobSpec(e_texts, "text")}, rounds=3, quick_rounds=1,
        ),
        "g": Scenario(
            "g", f"{g_streams} sequential streams: new TCP connections", "httpx",
            ("httpx", "openai", *LC, *LI),
            {"full": JobSpec(g_streams, "stream"), "break": JobSpec(g_streams, "stream")},
            rounds=3, quick_rounds=1,
        ),
        "h": Scenario(
            "h", f"memory of {h_streams:,} concurrent streams", "httpx_async",
            ("httpx_async", "openai_async", *LC, *LI),
            {"streams": JobSpec(h_streams, "stream"), "traced": JobSpec(h_streams, "stream")},
            rounds=2, quick_rounds=1, is_async=True,
        ),
        "i": budget_scenario(quick),
    }


# --------------------------------------------------------------------------- helpers
def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def trim_heap() -> None:
    """glibc ``malloc_trim(0)``: return free heap pages to the OS (no-op elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class RawSock:
    """A keep-alive HTTP/1.1 client on a bare socket: the floor the server allows."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.addr = (host, int(port))
        self.sock = socket.create_connection(self.addr)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, path: str, payload: dict[str, Any]) -> bytes:
        body = json.dumps(payload).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.addr[0]}\r\nAuthorization: Bearer {API_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        return head + body

    def roundtrip(self, req: bytes) -> bytes:
        self.sock.sendall(req)
        buf = b""
        while (end := buf.find(b"\r\n\r\n")) < 0:
            buf += self.sock.recv(65536)
        head, rest = buf[:end].lower(), buf[end + 4 :]
        if b"transfer-encoding: chunked" in head:
            while not rest.endswith(b"\r\n0\r\n\r\n"):
                rest += self.sock.recv(262144)
            return rest
        length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(rest) < length:
            rest += self.sock.recv(262144)
        return rest


def sse_events(lines: Any) -> Any:
    for line in lines:
        if line.startswith("data: "):
            data = line[6:]
            if data != "[DONE]":  # keep reading to the end: the connection goes back to the pool
                yield json.loads(data)


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEY}"}


def chat_payload(model: str = CHAT_MODEL, *, stream: bool = False, tools: bool = False
                 ) -> dict[str, Any]:
    p: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": PROMPT}]}
    if stream:
        p["stream"] = True
        p["stream_options"] = {"include_usage": True}
    if tools:
        p["tools"] = [TOOL_SCHEMA]
    return p


# --------------------------------------------------------------------------- client factories
def mk_openai(ctx: Ctx, aio: bool = False) -> Any:
    import openai

    cls = openai.AsyncOpenAI if aio else openai.OpenAI
    return cls(base_url=ctx.v1, api_key=API_KEY)


def _retry_without(factory: Callable[..., Any], ctx: Ctx, name: str, kw: dict[str, Any]) -> Any:
    """Build ours with ``rpm=0``; if the class has no such field, say so and build without."""
    try:
        return factory(**kw)
    except Exception as exc:  # TypeError or pydantic ValidationError
        if "rpm" not in kw or "rpm" not in str(exc):
            raise
        ctx.notes.append(f"{name}: no `rpm` field ({type(exc).__name__}); built without it")
        kw = {k: v for k, v in kw.items() if k != "rpm"}
        return factory(**kw)


def mk_lc(client: str, ctx: Ctx, model: str, **kw: Any) -> Any:
    if client == "ChatOpenAI":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=model, base_url=ctx.v1, api_key=API_KEY, stream_usage=True, **kw)
    from langchain_hub import ChatHub

    args = dict(hub=HUB, model=model, api_key=API_KEY, base_url=ctx.v1, rpm=0, **kw)
    return _retry_without(ChatHub, ctx, client, args)


def mk_li(client: str, ctx: Ctx, model: str, **kw: Any) -> Any:
    if client == "OpenAILike":
        from llama_index.llms.openai_like import OpenAILike

        return OpenAILike(model=model, api_base=ctx.v1, api_key=API_KEY, is_chat_model=True,
                          is_function_calling_model=True, context_window=128_000, **kw)
    from llamaindex_hub import HubLLM

    args = dict(hub=HUB, model=model, api_key=API_KEY, base_url=ctx.v1, rpm=0, **kw)
    return _retry_without(HubLLM, ctx, client, args)


def li_messages() -> list[Any]:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role="user", content=PROMPT)]


def lc_messages() -> list[Any]:
    from langchain_core.messages import HumanMessage

    return [HumanMessage(PROMPT)]


def li_tool() -> Any:
    from llama_index.core.tools import FunctionTool

    def lookup(query: str) -> str:
        """Look something up."""
        return query

    return FunctionTool.from_defaults(fn=lookup)


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


BUILDERS: dict[str, Callable[[str, Ctx], dict[str, Job]]] = {
    "a": build_a, "b": build_b, "c": build_c, "d": build_d, "e": build_e, "g": build_g,
    "h": build_h,
}


def build(scenario: str, client: str, ctx: Ctx) -> dict[str, Job]:
    if scenario == "i":  # budget overhead, in its own module
        from budget_bench import build_i

        return build_i(client, ctx)
    return BUILDERS[scenario](client, ctx)
