"""The catalog: typed ModelInfo from /models merged with the profile tables, TTL cache, 404s."""

from __future__ import annotations

import asyncio

import pytest
from account_support import client_for, fresh_catalog, new_key, requests_of

from hub_core import ModelInfo, ModelNotFoundError
from hub_core.catalog import DEFAULT_CATALOG_TTL, model_info
from hub_core.catalog_entries import entries_of, fields_from_entry, price_from_entry
from hub_core.errors import HubAPIError, HubInputError
from hub_core.hubs import ModelPrice

pytestmark = pytest.mark.usefixtures(fresh_catalog.__name__)


def model_reads(emu, hub: str, key: str) -> list[str]:
    return [r["path"] for r in requests_of(emu, hub, key) if "/models" in r["path"]]


@pytest.mark.parametrize("hub", ["electronhub", "chainhub", "apihub", "tokenhub"])
def test_models_are_typed_and_listed_on_every_hub(hub_emulator, hub: str) -> None:
    infos = client_for(hub_emulator, hub).models()
    assert infos and all(isinstance(i, ModelInfo) and i.hub == hub and i.listed for i in infos)
    embedding = next(i for i in infos if i.embedding)
    assert embedding.capabilities == ("embeddings",) and embedding.endpoints == ("embeddings",)
    chat_model = next(i for i in infos if not i.embedding)
    assert chat_model.capabilities[0] == "chat" and "chat/completions" in chat_model.endpoints
    assert all(i.context_window > 0 and i.max_output_tokens > 0 and i.price is not None for i in infos)


def test_hub_values_merge_with_the_profile_tables(hub_emulator) -> None:
    before = model_info("apihub", "qwen-max")  # asked (and remembered) before the listing
    assert before.context_window == 131_072 and not before.listed  # the qwen family default
    assert model_info("apihub", "qwen-max") is before  # asked again: the same answer
    by_id = {i.id: i for i in client_for(hub_emulator, "apihub").models()}
    qwen = by_id["qwen-max"]
    assert qwen.context_window == 32_768  # the hub says so; the qwen family default is 131,072
    assert qwen.price == ModelPrice(input_per_mtok=0.30, output_per_mtok=0.30)  # price table
    after = model_info("apihub", "qwen-max")  # offline readers see the merged listing too
    assert after.context_window == 32_768 and after.listed
    eh = {i.id: i for i in client_for(hub_emulator, "electronhub").models()}["gpt-4o"]
    # credits per request are what Electron Hub charges; the token figures beside them are not
    assert eh.price == ModelPrice(per_request=5)
    assert eh.owned_by == "openai" and eh.supports_vision and eh.known
    th = {i.id: i for i in client_for(hub_emulator, "tokenhub").models()}["openai/gpt-4.1"]
    assert th.max_output_tokens == 16_384 and th.supports_json_schema and th.supports_vision


def test_listing_is_cached_for_the_ttl_and_refresh_asks_again(hub_emulator) -> None:
    key = new_key("electronhub")
    client = client_for(hub_emulator, "electronhub", key)
    assert client.catalog_ttl == DEFAULT_CATALOG_TTL
    first = client.models()
    assert client.models() == first
    other = client_for(hub_emulator, "electronhub", key)  # same hub and base URL: shared
    assert asyncio.run(other.amodels()) == first
    assert len(model_reads(hub_emulator, "electronhub", key)) == 1
    client.models(refresh=True)
    assert len(model_reads(hub_emulator, "electronhub", key)) == 2
    expired = client_for(hub_emulator, "electronhub", key, catalog_ttl=0)
    expired.models()
    asyncio.run(expired.amodels())
    assert len(model_reads(hub_emulator, "electronhub", key)) == 4


def test_one_model_comes_from_the_listing_else_from_the_hub(hub_emulator) -> None:
    key = new_key("tokenhub")
    client = client_for(hub_emulator, "tokenhub", key)
    fetched = client.model("openai/gpt-5.4")  # no listing yet: GET /models/openai/gpt-5.4
    assert fetched.listed and fetched.context_window == 400_000
    assert model_reads(hub_emulator, "tokenhub", key)[-1].endswith("/models/openai/gpt-5.4")
    client.models()
    reads = len(model_reads(hub_emulator, "tokenhub", key))
    assert client.model("openai/gpt-4.1").id == "openai/gpt-4.1"
    assert asyncio.run(client.amodel("openai/gpt-4.1")).listed
    assert len(model_reads(hub_emulator, "tokenhub", key)) == reads  # answered from the listing


def test_a_model_is_missing_only_when_the_hub_says_404(hub_emulator) -> None:
    client = client_for(hub_emulator, "chainhub")
    guessed = client.model_info("totally-new-model-2031")  # offline: family defaults, no error
    assert not guessed.known and not guessed.listed and guessed.context_window > 0
    with pytest.raises(ModelNotFoundError) as info:
        client.model("totally-new-model-2031")
    assert info.value.status_code == 404 and info.value.model == "totally-new-model-2031"
    with pytest.raises(ModelNotFoundError):
        asyncio.run(client.amodel("totally-new-model-2031"))
    with pytest.raises(HubInputError) as empty:
        client.model("  ")
    assert empty.value.field == "model"


def test_langchain_profile_and_llamaindex_metadata_read_the_catalog(hub_emulator) -> None:
    from langchain_hub import ChatAPIHub
    from llamaindex_hub import APIHubLLM

    settings = {"api_key": new_key("apihub"), "base_url": hub_emulator.base_url("apihub"), "rpm": 0}
    before_lc = ChatAPIHub(model="qwen-max", **settings).profile["max_input_tokens"]
    before_li = APIHubLLM(model="qwen-max", **settings).metadata.context_window
    assert before_lc == before_li == 131_072  # the family default: no /models answer yet
    client_for(hub_emulator, "apihub").models()
    assert ChatAPIHub(model="qwen-max", **settings).profile["max_input_tokens"] == 32_768
    assert APIHubLLM(model="qwen-max", **settings).metadata.context_window == 32_768


def test_entry_shapes_parse_tolerantly() -> None:
    eh = fields_from_entry({
        "id": "m", "tokens": 8192, "endpoints": ["/v1/chat/completions"], "owned_by": "x",
        "pricing": {"input": 0.000002, "output": 0.00001}, "metadata": {"function_call": False},
    })
    assert (eh["context_window"], eh["endpoints"], eh["supports_tools"], eh["owned_by"]) == (
        8192, ("chat/completions",), False, "x")
    assert eh["price"] == ModelPrice(input_per_mtok=2.0, output_per_mtok=10.0)
    openrouter = fields_from_entry({
        "id": "v/m", "context_length": "4096", "top_provider": {"max_completion_tokens": 1000},
        "supported_parameters": ["tools", "response_format"],
        "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
    })
    assert openrouter["context_window"] == 4096 and openrouter["max_output_tokens"] == 1000
    assert openrouter["supports_tools"] and openrouter["supports_json_mode"]
    assert not openrouter["supports_json_schema"] and not openrouter["supports_vision"]
    relay = fields_from_entry({"id": "e", "capabilities": ["embeddings"],
                               "supported_endpoint_types": ["embeddings"],
                               "pricing": {"input": 0.02, "unit": "credits per 1M tokens"}})
    assert relay["embedding"] and relay["endpoints"] == ("embeddings",) and not relay["supports_tools"]
    assert relay["price"] == ModelPrice(input_per_mtok=0.02)
    assert fields_from_entry({"id": "odd", "tokens": "lots", "pricing": "free", "metadata": [1]}) == {}
    assert price_from_entry({"pricing": {"input": "n/a"}}) is None


def test_unreadable_models_reply_raises_rather_than_listing_nothing() -> None:
    assert entries_of({"data": [{"id": "a"}, "junk"]}, hub="x") == [{"id": "a"}]
    assert entries_of({"id": "one"}, hub="x") == [{"id": "one"}]
    with pytest.raises(HubAPIError, match="no model list"):
        entries_of({"object": "error-ish"}, hub="x")


def test_after_the_listing_a_reply_costs_what_the_ledger_charged(hub_emulator) -> None:
    from hub_core.credits import reply_cost
    from hub_core.hubs import get_hub

    key = new_key("electronhub")
    client = client_for(hub_emulator, "electronhub", key)
    client.models(refresh=True)  # gpt-4o's price now comes from the listing
    body = client.chat({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}).json()
    cost = reply_cost(get_hub("electronhub"), "gpt-4o", body.get("usage"))
    charged = hub_emulator.admin.ledger("electronhub", key)["spent"]
    assert cost is not None and cost.amount == charged == 5
