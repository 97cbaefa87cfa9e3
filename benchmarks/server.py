"""A tiny, fast OpenAI-compatible HTTP/1.1 server for the benchmarks.

Pure asyncio ``Protocol`` (no framework), keep-alive, responses prebuilt and cached, so the
server costs a few microseconds per request and never dominates what the clients measure.

Routes (matched by path suffix, so ``/v1/...`` and ``/api/v1/...`` both work):

* ``POST .../chat/completions``
  - ``stream`` false: one prebuilt ``chat.completion`` (a tool call when ``tools`` is sent).
  - ``stream`` true: ``N`` content chunks (``N`` from header ``x-bench-chunks`` or ``-c<N>`` in
    the model name, default 20), chunked transfer encoding, one HTTP chunk per SSE event, a final
    ``finish_reason`` chunk, a usage chunk when ``stream_options.include_usage``, then ``[DONE]``.
  - with ``tools`` and ``stream`` true: one tool call, its JSON arguments in ``N`` fragments.
* ``POST .../embeddings``: ``float`` or ``base64``; dimension from ``dimensions`` (default 1536).
* ``GET .../models``: a small list.
* ``GET /_stats``: ``{"requests", "connections", "cpu"}``; admin requests (paths starting with
  ``/_``) and their connections are not counted.

Run: ``python benchmarks/server.py [--port 0]``; it prints ``PORT <n>`` on stdout when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import resource
import signal
import struct
import sys
import time
from typing import Any

_MODEL_CHUNKS = re.compile(r"-c(\d+)")
CREATED = 1_700_000_000
ARG_FRAGMENT = "abcd"  # each tool-call argument fragment carries this many characters

_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found"}


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _head(status: int, ctype: bytes, length: int | None) -> bytes:
    lines = [
        b"HTTP/1.1 %d %s" % (status, _REASONS.get(status, b"OK")),
        b"content-type: " + ctype,
        b"x-request-id: req-bench",
        b"connection: keep-alive",
    ]
    if length is None:
        lines.append(b"transfer-encoding: chunked")
    else:
        lines.append(b"content-length: %d" % length)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def json_response(body: bytes, status: int = 200) -> bytes:
    return _head(status, b"application/json", len(body)) + body


def _chunk(event: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(event), event)


def _sse(obj: Any) -> bytes:
    return _chunk(b"data: " + _dumps(obj) + b"\n\n")


_USAGE = {"prompt_tokens": 12, "completion_tokens": 20, "total_tokens": 32}
TOOL = {"name": "lookup", "description": "Look something up."}


def chat_completion(model: str, tools: bool) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": "Hello from the bench server!"}
    finish = "stop"
    if tools:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_bench_1",
                    "type": "function",
                    "function": {"name": TOOL["name"], "arguments": '{"query":"bench"}'},
                }
            ],
        }
        finish = "tool_calls"
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": _USAGE,
        "system_fingerprint": None,
    }
    return json_response(_dumps(body))


def _chunk_obj(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "system_fingerprint": None,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }


def tool_arguments(n: int) -> list[str]:
    """``n`` fragments that concatenate to a valid JSON object."""
    n = max(n, 3)
    middle = n - 2
    return ['{"query":"', *([ARG_FRAGMENT] * middle), '"}']


def chat_stream(model: str, n: int, usage: bool, tools: bool) -> bytes:
    parts = [_head(200, b"text/event-stream; charset=utf-8", None)]
    if tools:
        frags = tool_arguments(n)
        first = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_bench_1",
                    "type": "function",
                    "function": {"name": TOOL["name"], "arguments": ""},
                }
            ],
        }
        parts.append(_sse(_chunk_obj(model, first)))
        for frag in frags:
            delta = {"tool_calls": [{"index": 0, "function": {"arguments": frag}}]}
            parts.append(_sse(_chunk_obj(model, delta)))
        parts.append(_sse(_chunk_obj(model, {}, "tool_calls")))
    else:
        parts.append(_sse(_chunk_obj(model, {"role": "assistant", "content": ""})))
        parts.extend(_sse(_chunk_obj(model, {"content": f"tok{i % 10} "})) for i in range(n))
        parts.append(_sse(_chunk_obj(model, {}, "stop")))
    if usage:
        last = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "system_fingerprint": None,
            "choices": [],
            "usage": {"prompt_tokens": 12, "completion_tokens": n, "total_tokens": 12 + n},
        }
        parts.append(_sse(last))
    parts.append(_chunk(b"data: [DONE]\n\n"))
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


class _EmbedCache:
    """Per (dimension, format): one prebuilt vector; a response is a join of per-item pieces."""

    def __init__(self) -> None:
        self.vectors: dict[tuple[int, str], bytes] = {}

    def vector(self, dim: int, fmt: str) -> bytes:
        key = (dim, fmt)
        vec = self.vectors.get(key)
        if vec is None:
            values = [((i * 7919) % 2000 - 1000) / 1337.0 for i in range(dim)]
            packed = struct.pack(f"<{dim}f", *values)
            if fmt == "base64":
                vec = b'"' + base64.b64encode(packed) + b'"'
            else:
                floats = struct.unpack(f"<{dim}f", packed)
                vec = _dumps([round(v, 8) for v in floats])
            self.vectors[key] = vec
        return vec

    def response(self, model: str, count: int, dim: int, fmt: str) -> bytes:
        vec = self.vector(dim, fmt)
        items = b",".join(
            b'{"object":"embedding","index":%d,"embedding":%s}' % (i, vec) for i in range(count)
        )
        tail = _dumps({"prompt_tokens": count * 2, "total_tokens": count * 2})
        body = (
            b'{"object":"list","data":['
            + items
            + b'],"model":'
            + _dumps(model)
            + b',"usage":'
            + tail
            + b"}"
        )
        return json_response(body)


class Stats:
    def __init__(self) -> None:
        self.requests = 0
        self.connections = 0
        self.open = 0
        self.peak_open = 0


STATS = Stats()
_CACHE: dict[tuple[Any, ...], bytes] = {}
_EMBED = _EmbedCache()
_MODELS = json_response(
    _dumps({"object": "list", "data": [{"id": "bench/chat", "object": "model", "created": CREATED,
                                          "owned_by": "bench"}]})
)
_NOT_FOUND = json_response(_dumps({"error": {"message": "not found", "type": "not_found"}}), 404)


def _chunks_for(model: str, headers: dict[bytes, bytes]) -> int:
    raw = headers.get(b"x-bench-chunks")
    if raw is not None:
        return int(raw)
    m = _MODEL_CHUNKS.search(model)
    return int(m.group(1)) if m else 20


def handle(method: bytes, path: bytes, headers: dict[bytes, bytes], body: bytes) -> bytes:
    if path.endswith(b"/chat/completions") and method == b"POST":
        req = json.loads(body)
        model = str(req.get("model", "bench/chat"))
        tools = bool(req.get("tools"))
        if req.get("stream"):
            n = _chunks_for(model, headers)
            usage = bool((req.get("stream_options") or {}).get("include_usage"))
            key: tuple[Any, ...] = ("s", model, n, usage, tools)
            resp = _CACHE.get(key)
            if resp is None:
                resp = _CACHE[key] = chat_stream(model, n, usage, tools)
            return resp
        key = ("c", model, tools)
        resp = _CACHE.get(key)
        if resp is None:
            resp = _CACHE[key] = chat_completion(model, tools)
        return resp
    if path.endswith(b"/embeddings") and method == b"POST":
        req = json.loads(body)
        inp = req.get("input")
        count = 1 if isinstance(inp, str) or (inp and isinstance(inp[0], int)) else len(inp or [])
        dim = int(req.get("dimensions") or 1536)
        fmt = "base64" if req.get("encoding_format") == "base64" else "float"
        return _EMBED.response(str(req.get("model", "bench/embed")), count, dim, fmt)
    if path.endswith(b"/models"):
        return _MODELS
    return _NOT_FOUND


class HTTPProtocol(asyncio.Protocol):
    __slots__ = ("admin", "buf", "transport")

    def __init__(self) -> None:
        self.buf = bytearray()
        self.admin = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        STATS.connections += 1
        STATS.open += 1
        STATS.peak_open = max(STATS.peak_open, STATS.open)

    def connection_lost(self, exc: Exception | None) -> None:
        STATS.open -= 1

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).split(b"\r\n")
            method, path, _ = head[0].split(b" ", 2)
            headers: dict[bytes, bytes] = {}
            for line in head[1:]:
                k, _, v = line.partition(b":")
                headers[k.strip().lower()] = v.strip()
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buf) < end + 4 + length:
                return
            body = bytes(self.buf[end + 4 : end + 4 + length])
            del self.buf[: end + 4 + length]
            assert self.transport is not None
            if path.startswith(b"/_"):
                self._admin(path)
                continue
            STATS.requests += 1
            try:
                resp = handle(method, path, headers, body)
            except Exception as exc:  # a bad request must not kill the server
                resp = json_response(_dumps({"error": {"message": repr(exc)}}), 400)
            self.transport.write(resp)

    def _admin(self, path: bytes) -> None:
        assert self.transport is not None
        if not self.admin:
            self.admin = True
            STATS.connections -= 1
        ru = resource.getrusage(resource.RUSAGE_SELF)
        body = _dumps(
            {
                "requests": STATS.requests,
                "connections": STATS.connections,
                "open": STATS.open - 1,
                "peak_open": STATS.peak_open,
                "cpu": ru.ru_utime + ru.ru_stime,
                "time": time.time(),
            }
        )
        if path.startswith(b"/_reset_peak"):
            STATS.peak_open = STATS.open
        self.transport.write(json_response(body))


async def serve(port: int, host: str = "127.0.0.1") -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(HTTPProtocol, host, port, backlog=4096)
    sock_port = server.sockets[0].getsockname()[1]
    print(f"PORT {sock_port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
