"""Helpers for the budget and usage tests: fresh keys, adapters on the emulator, ledger reads."""

from __future__ import annotations

import math
import uuid
from typing import Any

PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}
CHAT_MODEL = {
    "electronhub": "gpt-3.5-turbo",  # 1 credit per request, the price Electron Hub documents
    "chainhub": "gpt-4o-mini",  # no documented price; replies carry usage.cost
    "apihub": "qwen-max",  # $0.30 per 1M tokens (the ledger counts tokens)
    "tokenhub": "openai/gpt-4.1",  # no documented price; replies carry usage.cost
}
UNREACHABLE = "http://127.0.0.1:9/v1"  # the discard port: nothing listens, nothing is sent


def new_key(hub: str) -> str:
    return f"{PREFIX[hub]}test-{uuid.uuid4().hex}"


def ledger(emu: Any, hub: str, key: str) -> dict[str, Any]:
    return emu.admin.ledger(hub, key)


def requests_of(emu: Any, hub: str, key: str, path: str = "") -> list[dict[str, Any]]:
    return [r for r in ledger(emu, hub, key)["requests"] if path in r["path"]]


def charged(emu: Any, hub: str, key: str) -> float:
    """The ledger's total for the key, summed exactly (as the client's tallies are)."""
    return math.fsum(r["credits"] for r in ledger(emu, hub, key)["requests"])
