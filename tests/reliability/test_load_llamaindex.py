"""Load on ONE LlamaIndex ``HubLLM``: 1,000 async chats and 200 streams at once.

The same checks as test_load_langchain.py: every answer quotes its own prompt's token, the hub
sees each prompt once, and the pool stays inside its limits (1,200 requests in flight need more
than its 1,000 connections; afterwards at most the 100 keep-alive ones stay open).
"""

from __future__ import annotations

import uuid

import pytest
from llama_index.core.llms import ChatMessage
from load_support import (
    MAX_CONNECTIONS,
    MAX_IDLE,
    burst,
    check_ledger,
    established_to,
    mixups,
)

from hub_emulator import Emulator
from llamaindex_hub import HubLLM

pytestmark = pytest.mark.slow

N_CHATS = 1000
N_STREAMS = 200
HOLD = 0.3  # the emulator holds each request this long, so all of them are in flight together


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

    port = int(hub_emulator.url.rsplit(":", 1)[1])
    before = established_to(port)
    result = await burst(llm.client, ask, stream, N_CHATS, N_STREAMS)

    assert mixups(result.chat_tokens, result.chat_answers) == []
    assert mixups(result.stream_tokens, result.stream_answers) == []
    assert all(a.endswith("free of charge.") for a in result.stream_answers)  # whole streams
    check_ledger(hub_emulator.admin.ledger("tokenhub", key)["requests"], result)
    assert all(f["path"] != path for f in hub_emulator.admin.faults())  # every request held
    assert result.samples > 0
    assert MAX_IDLE < result.peak_connections <= MAX_CONNECTIONS
    assert result.open_after <= MAX_IDLE
    assert established_to(port) - before <= MAX_IDLE  # nothing open outside the pool either
    await llm.aclose()
