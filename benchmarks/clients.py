"""Scenarios and the clients that run them.

``build(scenario, client, ctx)`` returns ``{job_name: job}``; a job is a callable (or a coroutine
function for async scenarios) that does one measured round and returns ``(units, extras)``, where
``units`` is what was observed (calls, chunks, texts, streams) and is checked against the spec.
All heavy imports happen inside the builders, so a worker only imports what its client needs.
"""

from __future__ import annotations

import json
import os
import socket
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


def build(scenario: str, client: str, ctx: Ctx) -> dict[str, Job]:
    """The jobs of ``scenario`` for ``client`` (builders live in one module per group)."""
    if scenario == "i":  # budget overhead, in its own module
        from budget_bench import build_i

        return build_i(client, ctx)
    if scenario in "abcd":
        import scenarios_chat as group
    else:
        import scenarios_io as group
    builder: Callable[[str, Ctx], dict[str, Job]] = getattr(group, f"build_{scenario}")
    return builder(client, ctx)
