"""HubClient against the emulator: the chat stream rule, account routes, env config, a fifth hub."""

from __future__ import annotations

import asyncio
import pickle
import uuid
from dataclasses import replace

import pytest

from hub_core import HubClient, StreamError
from hub_core.errors import UnsupportedFeatureError
from hub_core.hubs import get_hub, register_hub

PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}
MODEL = {"electronhub": "gpt-4o", "chainhub": "gpt-4o", "apihub": "qwen-max", "tokenhub": "openai/gpt-4.1"}
HELLO = [{"role": "user", "content": "hello there"}]


def new_key(hub: str) -> str:
    return f"{PREFIX[hub]}test-{uuid.uuid4().hex}"


def client_for(emu, hub: str, key: str | None = None, **kwargs) -> HubClient:
    return HubClient(hub, api_key=key or new_key(hub), base_url=emu.base_url(hub), rpm=0, **kwargs)


@pytest.mark.parametrize("hub", sorted(PREFIX))
def test_stream_and_invoke_agree_on_every_hub(hub_emulator, hub: str) -> None:
    client = client_for(hub_emulator, hub)
    payload = {"model": MODEL[hub], "messages": HELLO}
    whole = client.chat(payload).json()["choices"][0]["message"]["content"]
    chunks = list(client.stream_chat({**payload, "stream_options": {"include_usage": True}}))
    streamed = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices"))
    assert whole
    assert streamed == whole
    assert chunks[-1]["usage"]["total_tokens"] > 0  # include_usage honoured, usage chunk last


def test_stream_without_done_or_finish_reason_raises_with_partial_text(hub_emulator) -> None:
    key = new_key("tokenhub")
    client = client_for(hub_emulator, "tokenhub", key)
    payload = {"model": MODEL["tokenhub"], "messages": HELLO}
    expected = client.chat(payload).json()["choices"][0]["message"]["content"]
    hub_emulator.admin.fault(hub="tokenhub", path="chat/completions", sse="no_finish", count=1)
    with pytest.raises(StreamError) as info:
        list(client.stream_chat(payload))
    assert info.value.partial_text
    assert expected.startswith(info.value.partial_text)


def test_stream_cut_after_k_chunks_carries_partial_text(hub_emulator) -> None:
    client = client_for(hub_emulator, "chainhub")
    payload = {"model": MODEL["chainhub"], "messages": HELLO}
    hub_emulator.admin.fault(hub="chainhub", path="chat/completions", drop="after_chunks", after_chunks=3)
    seen = []
    with pytest.raises(StreamError) as info:
        for chunk in client.stream_chat(payload):
            seen.append(chunk)
    assert len(seen) == 3
    assert info.value.partial_text == "".join(
        c["choices"][0]["delta"].get("content") or "" for c in seen if c.get("choices")
    )


def test_a_missing_done_alone_is_fine_when_finish_reason_came(hub_emulator) -> None:
    client = client_for(hub_emulator, "apihub")
    hub_emulator.admin.fault(hub="apihub", path="chat/completions", sse="missing_done", count=1)
    chunks = list(client.stream_chat({"model": MODEL["apihub"], "messages": HELLO}))
    assert any(c.get("choices") and c["choices"][0].get("finish_reason") for c in chunks)


def test_async_stream_raises_the_same_way(hub_emulator) -> None:
    client = client_for(hub_emulator, "electronhub")
    hub_emulator.admin.fault(hub="electronhub", path="chat/completions", sse="no_finish", count=1)

    async def consume() -> list[dict]:
        return [c async for c in client.astream_chat({"model": "gpt-4o", "messages": HELLO})]

    with pytest.raises(StreamError):
        asyncio.run(consume())
    assert asyncio.run(consume())  # a second event loop works with the same client


def test_balance_routes_per_hub(hub_emulator) -> None:
    eh_key, ah_key = new_key("electronhub"), new_key("apihub")
    hub_emulator.admin.set_account("electronhub", eh_key, balance=123)
    hub_emulator.admin.set_account("apihub", ah_key, balance=4567)
    eh = client_for(hub_emulator, "electronhub", eh_key).balance()
    ah = client_for(hub_emulator, "apihub", ah_key).balance()
    assert (eh.amount, eh.unit) == (123, "credits")
    assert (ah.amount, ah.unit) == (4567, "tokens")
    with pytest.raises(UnsupportedFeatureError, match="no balance route"):
        client_for(hub_emulator, "chainhub").balance()


def test_key_and_base_url_from_environment(hub_emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    key = new_key("tokenhub")
    monkeypatch.setenv("TOKENHUB_API_KEY", key)
    monkeypatch.setenv("TOKENHUB_BASE_URL", hub_emulator.base_url("tokenhub"))
    client = HubClient("tokenhub", rpm=0)
    client.chat({"model": MODEL["tokenhub"], "messages": HELLO})
    assert len(hub_emulator.admin.ledger("tokenhub", key)["requests"]) == 1
    assert key not in repr(client)


def test_client_pickles_and_rebuilds_its_transport(hub_emulator) -> None:
    client = client_for(hub_emulator, "apihub")
    client.chat({"model": MODEL["apihub"], "messages": HELLO})
    clone = pickle.loads(pickle.dumps(client))
    reply = clone.chat({"model": MODEL["apihub"], "messages": HELLO}).json()
    assert reply["choices"][0]["message"]["content"]


def test_models_list_feeds_the_catalog(hub_emulator) -> None:
    client = client_for(hub_emulator, "tokenhub")
    ids = {m.id for m in client.models()}
    assert "openai/gpt-4.1" in ids
    assert client.model_info("openai/gpt-4.1").known


def test_a_fifth_hub_is_one_profile_and_no_adapter_code(hub_emulator) -> None:
    """A new hub that speaks TokenHub's wire format, registered under its own name."""
    profile = replace(
        get_hub("tokenhub"),
        name="examplehub",
        display_name="Example Hub",
        default_base_url=hub_emulator.base_url("tokenhub"),
        key_prefixes=("th-",),
    )
    register_hub(profile, replace=True)
    key = new_key("tokenhub")
    client = HubClient("examplehub", api_key=key, rpm=0)
    assert client.base_url == hub_emulator.base_url("tokenhub")
    reply = client.chat({"model": MODEL["tokenhub"], "messages": HELLO}).json()
    assert reply["choices"][0]["message"]["content"]

    from langchain_hub import ChatHub
    from llamaindex_hub import HubLLM

    chat = ChatHub(hub="examplehub", model=MODEL["tokenhub"], api_key=key, rpm=0)
    assert chat.invoke("hello there").response_metadata["model_provider"] == "examplehub"
    llm = HubLLM(hub="examplehub", model=MODEL["tokenhub"], api_key=key, rpm=0)
    assert llm.complete("hello there").text
    assert len(hub_emulator.admin.ledger("tokenhub", key)["requests"]) == 3
