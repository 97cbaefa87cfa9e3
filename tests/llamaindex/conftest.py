"""Fixtures for the LlamaIndex tests: one case per hub, LLMs pointed at the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from li_support import CASES, HubCase

from llamaindex_hub.llms import HubLLM


@pytest.fixture(params=CASES, ids=[c.hub for c in CASES])
def case(request: pytest.FixtureRequest) -> HubCase:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def key(case: HubCase) -> str:
    """A fresh key for this test, so its ledger holds only this test's requests."""
    return case.new_key()


@pytest.fixture
def make_llm(hub_emulator: Any, case: HubCase, key: str) -> Callable[..., HubLLM]:
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
