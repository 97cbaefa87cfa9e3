"""README's "Budgets and usage totals" blocks leave figures that equal the emulator's ledger.

tests/test_readme.py runs every README block and checks what it prints; this test also compares
what the budget and usage blocks leave behind with the ledger of the keys they used.
"""

from __future__ import annotations

import math
import os
import uuid
from typing import Any

import pytest
from budget_support import PREFIX, ledger
from readme_support import blocks, run

SECTION = "Budgets and usage totals"


@pytest.fixture
def readme_env(hub_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for hub, prefix in PREFIX.items():
        monkeypatch.setenv(f"{hub.upper()}_API_KEY", f"{prefix}readme-{uuid.uuid4().hex}")
        monkeypatch.setenv(f"{hub.upper()}_BASE_URL", hub_emulator.base_url(hub))


def run_block(index: int) -> dict[str, Any]:
    namespace, _ = run(blocks(section=SECTION)[index])
    return namespace


def test_the_section_has_three_blocks() -> None:
    assert len(blocks(section=SECTION)) == 3


def test_budget_block(hub_emulator: Any, readme_env: None) -> None:
    ns = run_block(0)
    rows = ledger(hub_emulator, "apihub", os.environ["APIHUB_API_KEY"])["requests"]
    assert 1 <= len(rows) < 10  # the loop was stopped by the budget, before sending
    spent = math.fsum(round(r["credits"] * 0.30e-6, 10) for r in rows)  # tokens x $ per token
    assert ns["budget"].spent == spent <= ns["budget"].max_cost
    assert ns["budget"].refused_calls == 1


def test_hub_usage_block(hub_emulator: Any, readme_env: None) -> None:
    ns = run_block(1)
    rows = ledger(hub_emulator, "tokenhub", os.environ["TOKENHUB_API_KEY"])["requests"]
    usage = ns["usage"]
    assert usage.requests == len(rows) == 5 and ns["text"]
    assert usage.cost == {"credits": math.fsum(r["credits"] for r in rows)}


def test_hub_usage_handler_block(hub_emulator: Any, readme_env: None) -> None:
    ns = run_block(2)
    book = ledger(hub_emulator, "tokenhub", os.environ["TOKENHUB_API_KEY"])
    usage = ns["usage"]
    assert usage.requests == len(book["requests"]) == 2
    assert usage.input_tokens == book["input_tokens"]
    assert usage.cost == {"credits": math.fsum(r["credits"] for r in book["requests"])}
