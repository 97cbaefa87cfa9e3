"""A 2xx reply whose body is not JSON (a proxy's HTML page) or is cut short is a typed error.

Before the fix these reached the caller as a raw ``json.JSONDecodeError`` in LangChain invoke,
LlamaIndex chat and both embeddings classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from reliab_columns import CHAT_COLUMNS, HUB, Setup, li_embed

from hub_core.errors import HubAPIError, InvalidResponseError, StreamError
from hub_core.transport import Transport

BY_NAME = {c.name: c for c in CHAT_COLUMNS}
CALLS = [BY_NAME["lc invoke"], BY_NAME["li chat"], BY_NAME["embeddings"], BY_NAME["lc stream"],
         BY_NAME["li stream"]]


def _requests(emu: Any, key: str) -> list[dict[str, Any]]:
    return list(emu.admin.ledger(HUB, key)["requests"])


@pytest.mark.parametrize("mode", ["html", "truncated_json"])
@pytest.mark.parametrize("column", CALLS, ids=lambda c: c.name)
def test_invalid_body_is_a_typed_error(
    hub_emulator: Any, hub_key: Callable[[str], str], column: Any, mode: str
) -> None:
    key = hub_key(HUB)
    hub_emulator.admin.fault(hub=HUB, path=column.path, invalid_body=mode)
    outcome = column.run(Setup(hub_emulator.base_url(HUB), key, max_retries=0))
    err = outcome.error
    assert isinstance(err, InvalidResponseError), repr(err)
    assert isinstance(err, HubAPIError) and not isinstance(err, StreamError)
    assert err.status_code == 200
    assert err.hub == HUB
    if mode == "html":
        assert err.content_type.startswith("text/html")
        assert err.excerpt.startswith("<!DOCTYPE html>")
        assert "text/html" in str(err) and "Bad Gateway" in str(err)
    else:
        assert err.content_type == "application/json"
        assert err.excerpt.startswith('{"id":"chatcmpl-') or err.excerpt.startswith('{"object"')
        assert "not valid JSON" in str(err)
    assert len(err.excerpt) <= 200
    assert err.body  # the whole (redacted) body is kept: nothing the hub sent is lost
    assert len(_requests(hub_emulator, key)) == 1


def test_llamaindex_embedding_async_path(hub_emulator: Any, hub_key: Callable[[str], str]) -> None:
    key = hub_key(HUB)
    hub_emulator.admin.fault(hub=HUB, path="embeddings", invalid_body="html")
    outcome = li_embed(Setup(hub_emulator.base_url(HUB), key, max_retries=0))
    assert isinstance(outcome.error, InvalidResponseError), repr(outcome.error)


@pytest.mark.parametrize("column", CALLS, ids=lambda c: c.name)
def test_retried_like_a_broken_proxy(
    hub_emulator: Any, hub_key: Callable[[str], str], column: Any
) -> None:
    """Retry table: an invalid 2xx body is retried where a 502 is (calls and polls, never a
    paid submission), so one broken reply costs one extra request and the call succeeds."""
    key = hub_key(HUB)
    hub_emulator.admin.fault(hub=HUB, path=column.path, invalid_body="truncated_json")
    outcome = column.run(Setup(hub_emulator.base_url(HUB), key, max_retries=1))
    assert outcome.error is None, repr(outcome.error)
    assert outcome.answer
    assert [r["status"] for r in _requests(hub_emulator, key)] == [200, 200]


def test_submit_is_never_retried(hub_emulator: Any, hub_key: Callable[[str], str]) -> None:
    key = hub_key(HUB)
    t = Transport(hub=HUB, base_url=hub_emulator.base_url(HUB), api_key=key, max_retries=2)
    hub_emulator.admin.fault(hub=HUB, path="chat/completions", invalid_body="truncated_json")
    body = {"model": "openai/gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(InvalidResponseError):
        t.request("POST", "chat/completions", json=body, kind="submit")
    assert len(_requests(hub_emulator, key)) == 1


def test_excerpt_and_body_are_redacted(hub_emulator: Any, hub_key: Callable[[str], str]) -> None:
    key = hub_key(HUB)
    t = Transport(hub=HUB, base_url=hub_emulator.base_url(HUB), api_key=key, max_retries=0)
    hub_emulator.admin.fault(
        hub=HUB, path="models", error_200=True, body=f"<html>your key {key} is blocked</html>"
    )
    # a JSON error body is an error, not an invalid body; only non-JSON is "invalid"
    with pytest.raises(HubAPIError) as info:
        t.request("GET", "models")
    assert key not in str(info.value) and key not in repr(info.value.body)
    hub_emulator.admin.fault(hub=HUB, path="models", invalid_body="html", status=200,
                             headers={"x-echo": key})
    with pytest.raises(InvalidResponseError) as bad:
        t.request("GET", "models", kind="poll")
    assert key not in str(bad.value) and key not in repr(bad.value.__dict__)
