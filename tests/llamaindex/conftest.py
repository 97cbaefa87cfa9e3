"""Fixtures for the LlamaIndex tests: one case per hub, LLMs pointed at the emulator."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from llamaindex_hub.llms import APIHubLLM, ChainHubLLM, ElectronHubLLM, HubLLM, TokenHubLLM


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


@pytest.fixture(params=CASES, ids=[c.hub for c in CASES])
def case(request: pytest.FixtureRequest) -> HubCase:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def key(case: HubCase) -> str:
    """A fresh key for this test, so its ledger holds only this test's requests."""
    return case.new_key()


MakeLLM = Callable[..., HubLLM]


@pytest.fixture
def make_llm(hub_emulator: Any, case: HubCase, key: str) -> MakeLLM:
    """Builds the case's hub class against the emulator, with ``rpm=0`` unless given."""

    def make(model: str | None = None, **kwargs: Any) -> HubLLM:
        kwargs.setdefault("api_key", key)
        kwargs.setdefault("rpm", 0)
        kwargs.setdefault("base_url", hub_emulator.base_url(case.hub))
        return case.cls(model=model or case.model, **kwargs)

    return make


@pytest.fixture
def ledger(hub_emulator: Any, case: HubCase, key: str) -> Callable[[], dict[str, Any]]:
    """This test's ledger (requests made with this test's key)."""

    def read() -> dict[str, Any]:
        return hub_emulator.admin.ledger(case.hub, key)  # type: ignore[no-any-return]

    return read


def chat_requests(ledger_data: dict[str, Any]) -> list[dict[str, Any]]:
    """The chat-completion requests of a ledger."""
    return [r for r in ledger_data["requests"] if str(r.get("path", "")).endswith("chat/completions")]
