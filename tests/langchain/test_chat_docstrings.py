"""The docstring examples of the chat models run against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from docstring_support import code_blocks, run_docstring

from langchain_hub import chat_models


def test_chathub_docstring_examples_run(hub_emulator: Any, hub_key: Any) -> None:
    ns = run_docstring(chat_models.ChatHub, {"emu": hub_emulator}, min_blocks=7)
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
    assert len(code_blocks(cls.__doc__)) == 1
    llm = run_docstring(cls)["llm"]
    assert llm.base_url == hub_emulator.base_url(hub)
    assert llm.invoke("Hello").response_metadata["model_provider"] == hub
