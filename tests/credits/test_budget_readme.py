"""README's "Budgets and usage totals" section runs as written, against the emulator.

Each python block runs with ``exec`` (keys and base URLs from the ``<HUB>_*`` variables, as a
user's would be); a ``# -> text`` comment is output that must appear. The figures the blocks
leave behind are then checked against the emulator's ledger.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from budget_support import PREFIX, ledger

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Budgets and usage totals"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(HEADING)
    end = text.find("\n## ", start + len(HEADING))
    return BLOCK.findall(text[start : end if end != -1 else len(text)])


@pytest.fixture
def readme_env(hub_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for hub, prefix in PREFIX.items():
        monkeypatch.setenv(f"{hub.upper()}_API_KEY", f"{prefix}readme-{uuid.uuid4().hex}")
        monkeypatch.setenv(f"{hub.upper()}_BASE_URL", hub_emulator.base_url(hub))


def run_block(index: int) -> dict[str, Any]:
    code = blocks()[index]
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README.md budgets block {index + 1}", "exec"), namespace)
    expected = re.findall(r"# -> (.+)", code)
    assert expected, "every block shows what it prints"
    for text in expected:
        assert text.strip() in out.getvalue(), out.getvalue()
    return namespace


def test_the_section_has_three_blocks() -> None:
    assert len(blocks()) == 3


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
