"""Load on ONE LlamaIndex ``HubLLM``: 1,000 async chats and 200 streams at once.

The same checks as test_load_langchain.py: every answer quotes its own prompt's token, the hub
sees each prompt once, and the pool stays inside its limits (1,200 requests in flight need more
than its 1,000 connections; afterwards at most the 100 keep-alive ones stay open).
"""

from __future__ import annotations

import uuid

import pytest
from llama_index.core.llms import ChatMessage
from load_support import HOLD, N_CHATS, N_STREAMS, burst, check_burst, established_to, port_of

from hub_emulator import Emulator
from llamaindex_hub import HubLLM

pytestmark = pytest.mark.slow


async def test_one_hubllm_serves_1000_chats_and_200_streams(hub_emulator: Emulator) -> None:
    key = f"th-load-{uuid.uuid4().hex}"
    llm = HubLLM(hub="tokenhub", model="openai/gpt-4.1", api_key=key,
                 base_url=hub_emulator.base_url("tokenhub"), rpm=0)
    path = "/tokenhub/api/v1/chat/completions"
    hub_emulator.admin.fault(hub="tokenhub", path=path, count=N_CHATS + N_STREAMS, delay=HOLD)

    async def ask(text: str) -> str:
        return str((await llm.achat([ChatMessage(role="user", content=text)])).message.content)

    async def stream(text: str) -> str:
        parts = await llm.astream_chat([ChatMessage(role="user", content=text)])
        return "".join([part.delta or "" async for part in parts])

    before = established_to(port_of(hub_emulator))
    result = await burst(llm.client, ask, stream, N_CHATS, N_STREAMS)
    check_burst(hub_emulator, "tokenhub", key, path, result, before)
    await llm.aclose()
