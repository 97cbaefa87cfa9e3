"""The docstring examples of the chat models run against the emulator."""

from __future__ import annotations

import asyncio
import re
import textwrap
from typing import Any

import pytest

from langchain_hub import chat_models

_BLOCK = re.compile(r"\.\. code-block:: python\n\n((?:[ ]{12}.*\n|\n)+)")
_PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}


def _blocks(doc: str | None) -> list[str]:
    return [textwrap.dedent(b) for b in _BLOCK.findall(doc or "")]


def test_chathub_docstring_examples_run(hub_emulator: Any, hub_key: Any) -> None:
    blocks = _blocks(chat_models.ChatHub.__doc__)
    assert len(blocks) >= 7
    ns: dict[str, Any] = {"emu": hub_emulator}
    for block in blocks:
        if "await " in block:
            body = textwrap.indent(block.replace("...", "pass"), "    ")
            exec(f"async def _example():\n{body}\n", ns)
            asyncio.run(ns["_example"]())
        else:
            exec(block, ns)
    assert ns["msg"].content
    assert ns["ai"].tool_calls[0]["name"] == "get_weather"


@pytest.mark.parametrize(
    "cls",
    [
        chat_models.ChatElectronHub,
        chat_models.ChatChainHub,
        chat_models.ChatAPIHub,
        chat_models.ChatTokenHub,
    ],
)
def test_per_hub_examples_run_from_env(
    hub_emulator: Any, hub_key: Any, monkeypatch: pytest.MonkeyPatch, cls: type[Any]
) -> None:
    hub = cls.model_fields["hub"].default
    env = hub.upper()
    monkeypatch.setenv(f"{env}_API_KEY", hub_key(hub))
    monkeypatch.setenv(f"{env}_BASE_URL", hub_emulator.base_url(hub))
    (block,) = _blocks(cls.__doc__)
    ns: dict[str, Any] = {}
    exec(block, ns)
    llm = ns["llm"]
    assert llm.base_url == hub_emulator.base_url(hub)
    assert llm.invoke("Hello").response_metadata["model_provider"] == hub
