"""A malformed SSE event mid-stream raises StreamError with the text that did arrive.

Before the fix the event was skipped with a log line and the stream ended "successfully" without
that event's text. Unknown but well-formed events are still ignored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from reliab_columns import CHAT_COLUMNS, CHAT_MODEL, EXPECTED_REPLY, HUB, PROMPT, Setup

from hub_core import HubClient
from hub_core.errors import InvalidResponseError, StreamError
from langchain_hub import ChatHub
from llamaindex_hub import HubLLM

STREAMS = [c for c in CHAT_COLUMNS if c.stream]
K = 3
"""Events the emulator sends before the broken one: role chunk + two content chunks."""


def _fault(emu: Any, mode: str) -> None:
    emu.admin.fault(hub=HUB, path="chat/completions", sse=mode, after_chunks=K)


def _requests(emu: Any, key: str) -> int:
    return len(emu.admin.ledger(HUB, key)["requests"])


@pytest.mark.parametrize("column", STREAMS, ids=lambda c: c.name)
def test_malformed_event_raises_with_partial_text(
    hub_emulator: Any, hub_key: Callable[[str], str], column: Any
) -> None:
    key = hub_key(HUB)
    _fault(hub_emulator, "malformed_line")
    outcome = column.run(Setup(hub_emulator.base_url(HUB), key, max_retries=2))
    err = outcome.error
    assert isinstance(err, StreamError), repr(err)
    assert "not valid JSON" in str(err)
    assert isinstance(err.error, InvalidResponseError)
    assert err.chunks == K
    assert outcome.shown  # the user saw the first events...
    assert err.partial_text == outcome.shown  # ...and the error carries exactly that text
    assert EXPECTED_REPLY.startswith(err.partial_text)
    assert _requests(hub_emulator, key) == 1  # the body had started: never retried


def test_async_twins_raise_with_partial_text(
    hub_emulator: Any, hub_key: Callable[[str], str]
) -> None:
    base = hub_emulator.base_url(HUB)

    async def lc() -> tuple[str, StreamError]:
        llm = ChatHub(hub=HUB, model=CHAT_MODEL, api_key=hub_key(HUB), base_url=base, rpm=0)
        shown = ""
        try:
            async for chunk in llm.astream(PROMPT):
                shown += chunk.text
        except StreamError as exc:
            return shown, exc
        raise AssertionError("no StreamError")

    async def li() -> tuple[str, StreamError]:
        llm = HubLLM(model=CHAT_MODEL, hub=HUB, api_key=hub_key(HUB), base_url=base, rpm=0)
        shown = ""
        try:
            gen = await llm.astream_chat([ChatMessage(role="user", content=PROMPT)])
            async for response in gen:
                shown += response.delta or ""
        except StreamError as exc:
            return shown, exc
        raise AssertionError("no StreamError")

    for run in (lc, li):
        _fault(hub_emulator, "malformed_line")
        shown, err = asyncio.run(run())
        assert shown and err.partial_text == shown


def test_hub_client_stream_keeps_partial_text(
    hub_emulator: Any, hub_key: Callable[[str], str]
) -> None:
    client = HubClient(HUB, api_key=hub_key(HUB), base_url=hub_emulator.base_url(HUB), rpm=0)
    _fault(hub_emulator, "malformed_line")
    body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    got = []
    with pytest.raises(StreamError) as info:
        for chunk in client.stream_chat(body):
            got.append(chunk)
    assert len(got) == K
    assert info.value.partial_text and EXPECTED_REPLY.startswith(info.value.partial_text)


@pytest.mark.parametrize("column", STREAMS, ids=lambda c: c.name)
def test_unknown_well_formed_events_are_ignored(
    hub_emulator: Any, hub_key: Callable[[str], str], column: Any
) -> None:
    key = hub_key(HUB)
    clean = column.run(Setup(hub_emulator.base_url(HUB), key))
    _fault(hub_emulator, "unknown_event")
    odd = column.run(Setup(hub_emulator.base_url(HUB), key))
    assert odd.error is None, repr(odd.error)
    assert odd.answer == clean.answer
    assert clean.answer and clean.answer.startswith(EXPECTED_REPLY)
