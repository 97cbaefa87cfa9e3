"""Helpers for the load tests: unique prompt tokens, answer checks, and a watch on httpx's pool.

The pool is read (never changed) through the transport, as tests/core/test_transport_stream.py
does: ``transport._aclient()._transport._pool`` is httpcore's ``AsyncConnectionPool``.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub_core.client import HubClient
from hub_core.transport.pools import LIMITS

TOKEN = re.compile(r"load-\d+-[0-9a-f]{8}")
N_CHATS = 1000
N_STREAMS = 200
HOLD = 0.3  # the emulator holds each request this long, so all of them are in flight together


def tokens(n: int) -> list[str]:
    """``n`` unique prompt tokens; none is a prefix of another (fixed-width random tail)."""
    run = uuid.uuid4().hex[:8]
    return [f"load-{i}-{run}" for i in range(n)]


def prompt(token: str) -> str:
    return f"Repeat {token} back to me"


def mixups(sent: Sequence[str], answers: Sequence[str]) -> list[tuple[int, list[str]]]:
    """Answers that do not quote exactly their own token (lost, empty or someone else's)."""
    bad = []
    for i, (token, text) in enumerate(zip(sent, answers, strict=True)):
        found = TOKEN.findall(text)
        if found != [token]:
            bad.append((i, found))
    return bad


def async_pool(client: HubClient) -> Any:
    """httpcore's pool behind this client on the running event loop (read only)."""
    return client.transport._aclient()._transport._pool


class PoolWatch:
    """Samples the pool's connection count while a burst runs: the peak and the count after."""

    def __init__(self, client: HubClient) -> None:
        self.pool = async_pool(client)
        self.peak = 0
        self.samples = 0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, len(self.pool.connections))
            self.samples += 1
            await asyncio.sleep(0.005)

    async def __aenter__(self) -> PoolWatch:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        self.peak = max(self.peak, len(self.pool.connections))

    @property
    def open_now(self) -> int:
        return len(self.pool.connections)

    @property
    def idle_now(self) -> int:
        return sum(1 for conn in self.pool.connections if conn.is_idle())


MAX_CONNECTIONS = LIMITS.max_connections
MAX_IDLE = LIMITS.max_keepalive_connections


def established_to(port: int) -> int:
    """Open TCP connections from this machine to ``127.0.0.1:port`` (Linux ``/proc/net/tcp``).

    Counted outside httpx, so a connection that left the pool without being closed shows here.
    """
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote, state = fields[2], fields[3]
        if state == "01" and int(remote.split(":")[1], 16) == port:  # 01 = ESTABLISHED
            count += 1
    return count


@dataclass
class Burst:
    """What one burst of concurrent chats and streams sent and got back."""

    chat_tokens: list[str]
    stream_tokens: list[str]
    chat_answers: list[str] = field(default_factory=list)
    stream_answers: list[str] = field(default_factory=list)
    peak_connections: int = 0
    open_after: int = 0
    idle_after: int = 0
    samples: int = 0


async def burst(client: HubClient, chat: Callable[[str], Awaitable[str]],
                stream: Callable[[str], Awaitable[str]], n_chats: int, n_streams: int) -> Burst:
    """Run ``n_chats`` chats and ``n_streams`` streams at once on one object; watch its pool."""
    sent = tokens(n_chats + n_streams)
    out = Burst(sent[:n_chats], sent[n_chats:])
    async with PoolWatch(client) as watch:
        answers = await asyncio.gather(*(chat(prompt(t)) for t in out.chat_tokens),
                                       *(stream(prompt(t)) for t in out.stream_tokens))
    out.chat_answers, out.stream_answers = answers[:n_chats], answers[n_chats:]
    out.peak_connections, out.samples = watch.peak, watch.samples
    out.open_after, out.idle_after = watch.open_now, watch.idle_now
    return out


def check_ledger(rows: list[dict[str, Any]], result: Burst) -> None:
    """The hub saw each prompt exactly once, and answered every one with 200."""
    assert all(row["status"] == 200 for row in rows), {row["status"] for row in rows}
    seen = [TOKEN.findall(row["body"]["messages"][-1]["content"])[0] for row in rows]
    assert sorted(seen) == sorted(result.chat_tokens + result.stream_tokens)
    streamed = {t for row, t in zip(rows, seen) if row["body"].get("stream")}
    assert streamed == set(result.stream_tokens)


def port_of(emu: Any) -> int:
    return int(emu.url.rsplit(":", 1)[1])


def check_burst(emu: Any, hub: str, key: str, path: str, result: Burst, sockets_before: int
                ) -> None:
    """No answer lost or mixed up, each prompt seen once, the pool inside its limits."""
    assert mixups(result.chat_tokens, result.chat_answers) == []
    assert mixups(result.stream_tokens, result.stream_answers) == []
    assert all(a.endswith("free of charge.") for a in result.stream_answers)  # whole streams
    check_ledger(emu.admin.ledger(hub, key)["requests"], result)
    assert all(f["path"] != path for f in emu.admin.faults())  # every request was held
    # the pool was used to its limit and never past it; afterwards only keep-alive ones remain
    assert result.samples > 0
    assert MAX_IDLE < result.peak_connections <= MAX_CONNECTIONS
    assert result.open_after <= MAX_IDLE
    # and nothing is open outside the pool either
    assert established_to(port_of(emu)) - sockets_before <= MAX_IDLE
