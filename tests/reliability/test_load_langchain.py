"""Load on ONE LangChain ``ChatHub``: 1,000 async chats and 200 streams at once.

Every answer must quote its own prompt's token (the emulator's scripted reply quotes the prompt),
the hub must see each prompt once, and the connection pool must stay inside its limits: 1,200
requests in flight need more than the pool's 1,000 connections, so some wait for one, and after
the burst at most the 100 keep-alive connections stay open.
"""

from __future__ import annotations

import uuid

import pytest
from load_support import HOLD, N_CHATS, N_STREAMS, burst, check_burst, established_to, port_of

from hub_emulator import Emulator
from langchain_hub import ChatHub

pytestmark = pytest.mark.slow


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

    before = established_to(port_of(hub_emulator))
    result = await burst(chat.client, ask, stream, N_CHATS, N_STREAMS)
    check_burst(hub_emulator, "electronhub", key, path, result, before)
    await chat.client.aclose()
