"""Load: 1,000 concurrent connections and 200 concurrent streams, nothing dropped or mixed.

The client is a minimal raw HTTP/1.1 one on asyncio sockets: httpx's pool gets slow with
1,000 connections, and this test measures the server, not a client.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from urllib.parse import urlsplit

import pytest

from hub_emulator import Emulator

pytestmark = pytest.mark.slow


async def _request(url: str, key: str, body: dict) -> tuple[int, bytes]:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    data = json.dumps(body).encode()
    writer.write(f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                 f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status = int(head.split(" ", 2)[1])
    headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip()
               for line in head.split("\r\n")[1:] if ":" in line}
    if "content-length" in headers:
        payload = await reader.readexactly(int(headers["content-length"]))
    else:  # chunked
        pieces = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            pieces.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        payload = b"".join(p[:-2] for p in pieces)
    writer.close()
    return status, payload


async def test_thousand_concurrent_connections(hub_emulator: Emulator) -> None:
    n = 1000
    key = f"sk-load-{uuid.uuid4().hex}"
    path = "/apihub/v1/chat/completions"
    # the server holds every request a moment, so all 1,000 connections are open together
    hub_emulator.admin.fault(hub="apihub", path=path, count=n, delay=0.5)
    url = hub_emulator.url + path

    async def one(i: int) -> tuple[int, str]:
        status, payload = await _request(url, key, {
            "model": "qwen-turbo", "messages": [{"role": "user", "content": f"marker-{i}"}]})
        return status, json.loads(payload)["choices"][0]["message"]["content"]

    results = await asyncio.gather(*(one(i) for i in range(n)))
    assert all(status == 200 for status, _ in results)
    assert all(f'"marker-{i}"' in text for i, (_, text) in enumerate(results))
    assert len(hub_emulator.admin.ledger("apihub", key)["requests"]) == n
    assert all(f["path"] != path for f in hub_emulator.admin.faults())


async def test_two_hundred_concurrent_streams(hub_emulator: Emulator) -> None:
    n = 200
    key = f"th-load-{uuid.uuid4().hex}"
    url = hub_emulator.base_url("tokenhub") + "/chat/completions"

    async def one(i: int) -> tuple[str, bool, int]:
        status, payload = await _request(url, key, {
            "model": "openai/gpt-4.1", "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": f"stream-{i}"}]})
        assert status == 200
        text, done, usage = "", False, 0
        for line in payload.decode().split("\n\n"):
            if line == "data: [DONE]":
                done = True
            elif line.startswith("data: "):
                chunk = json.loads(line[6:])
                if chunk["choices"]:
                    text += chunk["choices"][0]["delta"].get("content") or ""
                if chunk.get("usage"):
                    usage = chunk["usage"]["completion_tokens"]
        return text, done, usage

    results = await asyncio.gather(*(one(i) for i in range(n)))
    for i, (text, done, usage) in enumerate(results):
        assert f'"stream-{i}"' in text and done and usage > 0
