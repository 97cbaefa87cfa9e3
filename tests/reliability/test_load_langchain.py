"""Load on ONE LangChain ``ChatHub``: 1,000 async chats and 200 streams at once.

Every answer must quote its own prompt's token (the emulator's scripted reply quotes the prompt),
the hub must see each prompt once, and the connection pool must stay inside its limits: 1,200
requests in flight need more than the pool's 1,000 connections, so some wait for one, and after
the burst at most the 100 keep-alive connections stay open.
"""

from __future__ import annotations

import uuid

import pytest
from load_support import (
    MAX_CONNECTIONS,
    MAX_IDLE,
    burst,
    check_ledger,
    established_to,
    mixups,
)

from hub_emulator import Emulator
from langchain_hub import ChatHub

pytestmark = pytest.mark.slow

N_CHATS = 1000
N_STREAMS = 200
HOLD = 0.3  # the emulator holds each request this long, so all of them are in flight together


async def test_one_chathub_serves_1000_chats_and_200_streams(hub_emulator: Emulator) -> None:
    key = f"ek-load-{uuid.uuid4().hex}"
    chat = ChatHub(hub="electronhub", model="gpt-4o-mini", api_key=key,
                   base_url=hub_emulator.base_url("electronhub"), rpm=0)
    path = "/electronhub/v1/chat/completions"
    hub_emulator.admin.fault(hub="electronhub", path=path, count=N_CHATS + N_STREAMS, delay=HOLD)

    async def ask(text: str) -> str:
        return str((await chat.ainvoke(text)).content)

    async def stream(text: str) -> str:
        return "".join([str(chunk.content) async for chunk in chat.astream(text)])

    port = int(hub_emulator.url.rsplit(":", 1)[1])
    before = established_to(port)
    result = await burst(chat.client, ask, stream, N_CHATS, N_STREAMS)

    assert mixups(result.chat_tokens, result.chat_answers) == []
    assert mixups(result.stream_tokens, result.stream_answers) == []
    assert all(a.endswith("free of charge.") for a in result.stream_answers)  # whole streams
    check_ledger(hub_emulator.admin.ledger("electronhub", key)["requests"], result)
    assert all(f["path"] != path for f in hub_emulator.admin.faults())  # every request held
    # the pool was used to its limit and never past it; afterwards only keep-alive ones remain
    assert result.samples > 0
    assert MAX_IDLE < result.peak_connections <= MAX_CONNECTIONS
    assert result.open_after <= MAX_IDLE
    assert established_to(port) - before <= MAX_IDLE  # nothing open outside the pool either
    await chat.client.aclose()
