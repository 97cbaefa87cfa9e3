"""Worst cases and reply costs (pure functions), what a failure counts, and the docstring examples."""

from __future__ import annotations

import doctest
import importlib
import json
from dataclasses import replace

import pytest

from hub_core import Cost, ModelPrice, get_hub
from hub_core.catalog import model_info
from hub_core.credits import (
    chat_worst_case,
    embeddings_worst_case,
    media_worst_case,
    price_of,
    reply_cost,
)
from hub_core.errors import (
    BadRequestError,
    HubConnectionError,
    HubInputError,
    HubTimeoutError,
    InsufficientCreditsError,
    RateLimitError,
    ServerError,
    StreamError,
    UpstreamError,
)
from hub_core.spending import may_have_charged
from hub_core.tokens import count_message_tokens, count_tokens

APIHUB = get_hub("apihub")
HI = [{"role": "user", "content": "Summarise the history of the credit card."}]


def test_chat_worst_case_is_prompt_plus_max_tokens_times_price() -> None:
    prompt = count_message_tokens(HI, "qwen-max")
    cost = chat_worst_case(APIHUB, {"model": "qwen-max", "messages": HI, "max_tokens": 200})
    assert cost == Cost(round((prompt + 200) * 0.30 / 1e6, 10), "USD", estimated=True)


def test_chat_worst_case_falls_back_to_the_models_max_output_and_counts_every_choice() -> None:
    prompt = count_message_tokens(HI, "qwen-max")
    max_output = model_info(APIHUB, "qwen-max").max_output_tokens
    unset = chat_worst_case(APIHUB, {"model": "qwen-max", "messages": HI})
    assert unset is not None and unset.amount == round((prompt + max_output) * 0.3e-6, 10)
    two = chat_worst_case(APIHUB, {"model": "qwen-max", "messages": HI, "max_tokens": 100, "n": 2})
    assert two is not None and two.amount == round((prompt + 200) * 0.3e-6, 10)


def test_chat_worst_case_counts_tool_schemas_as_prompt() -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}}}}]
    plain = chat_worst_case(APIHUB, {"model": "qwen-max", "messages": HI, "max_tokens": 10})
    with_tools = chat_worst_case(
        APIHUB, {"model": "qwen-max", "messages": HI, "max_tokens": 10, "tools": tools})
    assert plain is not None and with_tools is not None
    extra = count_tokens(json.dumps(tools), "qwen-max")
    assert with_tools.amount == round(plain.amount + extra * 0.3e-6, 10)


def test_per_request_and_unknown_prices() -> None:
    eh = get_hub("electronhub")
    assert chat_worst_case(eh, {"model": "gpt-3.5-turbo", "messages": HI}) == Cost(
        1, "credits", estimated=True)
    assert chat_worst_case(eh, {"model": "gpt-4o", "messages": HI}) is None  # undocumented
    assert chat_worst_case(get_hub("tokenhub"), {"model": "openai/gpt-4.1", "messages": HI}) is None


def test_embeddings_worst_case_is_input_tokens_times_price() -> None:
    priced = replace(APIHUB, prices={"emb": ModelPrice(input_per_mtok=0.02)})
    texts = ["one two three", "four"]
    tokens = sum(count_tokens(t, "emb") for t in texts)
    assert embeddings_worst_case(priced, "emb", texts) == Cost(
        round(tokens * 0.02e-6, 10), "USD", estimated=True)
    assert embeddings_worst_case(priced, "emb", "one two three") == Cost(
        round(count_tokens("one two three", "emb") * 0.02e-6, 10), "USD", estimated=True)
    assert embeddings_worst_case(get_hub("tokenhub"), "openai/text-embedding-3-small", texts) is None


def test_media_worst_case_per_request_and_per_second() -> None:
    assert media_worst_case(get_hub("electronhub"), "dall-e-3") == Cost(20, "credits", True)
    tokenhub = get_hub("tokenhub")
    assert media_worst_case(tokenhub, "bytedance/doubao-seedance-2.0", seconds=10) == Cost(
        2.0, "credits", True)
    assert media_worst_case(tokenhub, "bytedance/doubao-seedance-2.0") is None  # no duration
    assert media_worst_case(tokenhub, "nobody/knows") is None


def test_reply_cost_prefers_the_hubs_own_figure() -> None:
    tokenhub = get_hub("tokenhub")
    assert reply_cost(tokenhub, "openai/gpt-4.1", {"prompt_tokens": 5, "cost": 0.5}) == Cost(
        0.5, "credits")
    assert reply_cost(tokenhub, "openai/gpt-4.1", {"prompt_tokens": 5}) is None
    assert reply_cost(tokenhub, "openai/gpt-4.1", {"cost": True}) is None  # not a number
    usage = {"prompt_tokens": 1000, "completion_tokens": 1000}
    assert reply_cost(APIHUB, "qwen-max", usage) == Cost(0.0006, "USD")
    assert reply_cost(APIHUB, "qwen-max", None) is None  # token price, tokens unknown
    assert reply_cost(get_hub("electronhub"), "gpt-3.5-turbo", None) == Cost(1, "credits")


def test_price_of_reads_the_table_then_the_catalog() -> None:
    assert price_of(APIHUB, "qwen-max") == ModelPrice(input_per_mtok=0.30, output_per_mtok=0.30)
    tokenhub = get_hub("tokenhub")
    fast = price_of(tokenhub, "doubao-seedance-2.0-fast")
    assert fast is not None and fast.per_second == 0.16
    assert price_of(get_hub("chainhub"), "gpt-4o-mini") is None


@pytest.mark.parametrize(
    ("error", "charged"),
    [
        (BadRequestError("bad", status_code=400), False),
        (InsufficientCreditsError("no money", status_code=402), False),
        (RateLimitError("slow down", status_code=429), False),
        (ServerError("oops", status_code=500), True),
        (UpstreamError("upstream", status_code=502), True),
        (HubConnectionError("refused", sent=False), False),
        (HubConnectionError("dropped", sent=True), True),
        (HubTimeoutError("connect", phase="connect"), False),
        (HubTimeoutError("pool", phase="pool"), False),
        (HubTimeoutError("read", phase="read"), True),
        (StreamError("cut"), True),
        (ValueError("bad input"), False),
        (HubInputError("max_tokens must be positive", field="max_tokens"), False),
        (GeneratorExit(), True),
        (KeyboardInterrupt(), True),
    ],
)
def test_what_a_failure_counts(error: BaseException, charged: bool) -> None:
    assert may_have_charged(error) is charged


@pytest.mark.parametrize(
    "module", ["hub_core.credits", "hub_core.budget", "hub_core.usage", "hub_core.spending"]
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_the_free_bound_is_never_below_the_exact_count() -> None:
    from hub_core.tokens import message_tokens_bound

    texts = ["Summarise the history of the credit card.", "naïve café — 東京", "x" * 500, ""]
    for text in texts:
        messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": text,
                                                               "name": "ann"}]
        for model in ("qwen-max", "gpt-4o", "openai/gpt-4.1"):
            assert message_tokens_bound(messages) >= count_message_tokens(messages, model)
            body = {"model": model, "messages": messages, "max_tokens": 5}
            cheap = chat_worst_case(APIHUB, {**body, "model": "qwen-max"}, exact=False)
            exact = chat_worst_case(APIHUB, {**body, "model": "qwen-max"})
            assert cheap is not None and exact is not None and cheap.amount >= exact.amount
