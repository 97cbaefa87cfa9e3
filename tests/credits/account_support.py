"""Helpers shared by the account, catalog and CLI tests (fresh keys, clients, ledger reads)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from hub_core import HubClient
from hub_core.catalog import clear_catalog

PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}
MODEL = {"electronhub": "gpt-4o", "chainhub": "gpt-4o", "apihub": "qwen-max", "tokenhub": "openai/gpt-4.1"}
HELLO = [{"role": "user", "content": "hello there"}]
UNREACHABLE = "http://127.0.0.1:9/apihub/v1"  # discard port: nothing listens, a request would fail


def new_key(hub: str) -> str:
    return f"{PREFIX[hub]}test-{uuid.uuid4().hex}"


def client_for(emu, hub: str, key: str | None = None, **kwargs: Any) -> HubClient:
    return HubClient(hub, api_key=key or new_key(hub), base_url=emu.base_url(hub), rpm=0, **kwargs)


def requests_of(emu, hub: str, key: str) -> list[dict[str, Any]]:
    return emu.admin.ledger(hub, key)["requests"]


def chat(client: HubClient, text: str = "hello there", **extra: Any) -> dict[str, Any]:
    payload = {"model": MODEL[client.hub], "messages": [{"role": "user", "content": text}], **extra}
    return client.chat(payload).json()


@pytest.fixture
def fresh_catalog() -> Iterator[None]:
    """Each catalog test starts and ends with no /models answer merged (static tables only)."""
    clear_catalog()
    yield
    clear_catalog()
