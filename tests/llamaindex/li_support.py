"""Shared helpers of the LlamaIndex tests (a uniquely named module, importable from tests)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llamaindex_hub.llms import APIHubLLM, ChainHubLLM, ElectronHubLLM, HubLLM, TokenHubLLM

MakeLLM = Callable[..., HubLLM]


@dataclass(frozen=True)
class HubCase:
    """What differs per hub in the scenario suite."""

    hub: str
    cls: type[HubLLM]
    model: str
    reasoning_model: str | None
    prefix: str

    def new_key(self) -> str:
        return f"{self.prefix}test-{uuid.uuid4().hex}"


CASES = [
    HubCase("electronhub", ElectronHubLLM, "gpt-4o", "deepseek-r1", "ek-"),
    HubCase("chainhub", ChainHubLLM, "gpt-4o", "deepseek-reasoner", "sk-"),
    HubCase("apihub", APIHubLLM, "deepseek-chat", "deepseek-reasoner", "sk-"),
    HubCase("tokenhub", TokenHubLLM, "openai/gpt-4.1", "deepseek/deepseek-r1", "th-"),
]


def chat_requests(ledger_data: dict[str, Any]) -> list[dict[str, Any]]:
    """The chat-completion requests of a ledger."""
    return [r for r in ledger_data["requests"] if str(r.get("path", "")).endswith("chat/completions")]
