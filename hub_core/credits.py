"""Credits: what a call costs in the hub's unit, before it is sent (worst case) and after.

Prices come from the hub profile's price table (PROTOCOL.md section 4.17), then from the model
catalog (which also holds what a hub's ``/models`` states, once fetched). Where neither knows a
price the cost is ``None`` ("unknown"): it never blocks a call, budgets count it as unpriced.

After a call, :func:`reply_cost` prefers the hub's own figure (``usage.cost``, sent by ChainHub
and TokenHub) over a price-table computation, so the client's total equals the hub's ledger.

Example:
    >>> from hub_core.hubs import get_hub
    >>> from hub_core.chat import Usage
    >>> cost_of(get_hub("apihub"), "qwen-max", Usage(1000, 1000, 2000))
    Cost(amount=0.0006, unit='USD', estimated=False)
    >>> reply_cost(get_hub("tokenhub"), "openai/gpt-4.1", {"prompt_tokens": 9, "cost": 0.25})
    Cost(amount=0.25, unit='credits', estimated=False)
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub_core.catalog import model_info
from hub_core.chat import Usage, parse_usage
from hub_core.hubs import HubProfile, ModelPrice
from hub_core.tokens import count_message_tokens, count_tokens, message_tokens_bound, utf8_size


@dataclass(frozen=True)
class Cost:
    """An amount in a hub's unit (``credits``, ``USD``, ...)."""

    amount: float
    unit: str
    estimated: bool = False


class ExactSum:
    """A running float sum without rounding drift (Shewchuk's partials, as ``math.fsum``).

    Totals of many small costs (``0.000012`` credits each) then equal the hub ledger's
    correctly rounded sum, whatever the order the calls finished in.
    """

    __slots__ = ("_partials",)

    def __init__(self, values: Iterable[float] = ()) -> None:
        self._partials: list[float] = []
        for value in values:
            self.add(value)

    def add(self, value: float) -> None:
        """Add ``value`` (negative to subtract) exactly."""
        partials = self._partials
        x = float(value)
        i = 0
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo:
                partials[i] = lo
                i += 1
            x = hi
        partials[i:] = [x]

    @property
    def value(self) -> float:
        """The correctly rounded total."""
        return math.fsum(self._partials)


def price_of(profile: HubProfile, model: str) -> ModelPrice | None:
    """The price of ``model``: the profile's table (the exact id, then either side without its
    ``vendor/`` prefix: TokenHub accepts both ``bytedance/doubao-seedance-2.0`` and
    ``doubao-seedance-2.0``), then the model catalog (what the hub's ``/models`` stated, once
    fetched); None if unknown."""
    price = profile.prices.get(model) or profile.prices.get(model.rsplit("/", 1)[-1])
    if price is None and model and "/" not in model:
        price = next(
            (p for key, p in profile.prices.items() if key.rsplit("/", 1)[-1] == model), None
        )
    if price is not None or not model:
        return price
    return model_info(profile, model).price


def _has_token_price(price: ModelPrice) -> bool:
    return price.input_per_mtok is not None or price.output_per_mtok is not None


def _priced(
    profile: HubProfile,
    price: ModelPrice,
    usage: Usage | None,
    seconds: float | None,
    *,
    worst: bool = False,
    images: int | None = None,
) -> Cost:
    amount = 0.0
    if price.per_request is not None:
        amount += price.per_request
    if usage is not None:
        if price.input_per_mtok is not None:
            amount += usage.input_tokens * price.input_per_mtok / 1_000_000
        if price.output_per_mtok is not None:
            amount += usage.output_tokens * price.output_per_mtok / 1_000_000
    if price.per_second is not None and seconds is not None:
        amount += price.per_second * seconds
    if price.per_image is not None and images is not None:
        amount += price.per_image * images
    estimated = worst or (usage.estimated if usage is not None else False)
    return Cost(amount=round(amount, 10), unit=profile.price_unit, estimated=estimated)


def cost_of(
    profile: HubProfile,
    model: str,
    usage: Usage | None = None,
    *,
    seconds: float | None = None,
    images: int | None = None,
) -> Cost | None:
    """Cost of one call, or None when the hub's price for ``model`` is unknown.

    ``seconds`` prices per-second media (video length), ``images`` per-image media (``n``).
    """
    price = price_of(profile, model)
    return None if price is None else _priced(profile, price, usage, seconds, images=images)


def reply_cost(profile: HubProfile, model: str, usage: Mapping[str, Any] | None) -> Cost | None:
    """What a reply cost: the hub's own ``usage.cost`` when it sent one, else the price table.

    None when neither is known, including a token-priced model whose reply carried no usage
    (zero would be a guess that looks like a fact).
    """
    if not isinstance(usage, Mapping):
        usage = None  # a reply whose usage is not an object states nothing
    if usage:
        stated = usage.get("cost")
        if isinstance(stated, int | float) and not isinstance(stated, bool):
            return Cost(amount=float(stated), unit=profile.price_unit)
    price = price_of(profile, model)
    if price is None:
        return None
    parsed = parse_usage(usage)
    if parsed is None and _has_token_price(price):
        return None
    return _priced(profile, price, parsed, None)


def _worst(
    profile: HubProfile, price: ModelPrice, usage: Usage | None, seconds: float | None = None
) -> Cost:
    return _priced(profile, price, usage, seconds, worst=True)


def estimate_call_cost(
    profile: HubProfile, model: str, prompt_tokens: int, max_output_tokens: int
) -> Cost | None:
    """Upper bound of a chat call's cost before it is sent (``estimated=True``)."""
    total = prompt_tokens + max_output_tokens
    usage = Usage(prompt_tokens, max_output_tokens, total, estimated=True)
    return cost_of(profile, model, usage)


def _json_tokens(value: Any, model: str, exact: bool) -> int:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return count_tokens(text, model) if exact else utf8_size(text)


def chat_prompt_tokens(payload: Mapping[str, Any], model: str, *, exact: bool = True) -> int:
    """Prompt tokens of a chat request body, counted offline: messages, tools, response format.

    ``exact=False`` gives a free upper bound instead (UTF-8 bytes: a token is at least a byte).
    """
    messages = payload.get("messages") or []
    tokens = count_message_tokens(messages, model) if exact else message_tokens_bound(messages)
    for extra in ("tools", "functions", "response_format"):
        if payload.get(extra):
            tokens += _json_tokens(payload[extra], model, exact)
    return tokens


def chat_max_output(profile: HubProfile, payload: Mapping[str, Any], model: str) -> int:
    """The most output tokens a chat request can be billed for (all ``n`` choices).

    ``max_tokens`` / ``max_completion_tokens`` when set, else the model's maximum output from
    the catalog.
    """
    limit = payload.get("max_tokens") or payload.get("max_completion_tokens")
    if not isinstance(limit, int) or limit <= 0:
            limit = model_info(profile, model).max_output_tokens
    choices = payload.get("n")
    return limit * (choices if isinstance(choices, int) and choices > 1 else 1)


def chat_worst_case(
    profile: HubProfile, payload: Mapping[str, Any], *, exact: bool = True
) -> Cost | None:
    """The most a chat request can cost: offline prompt tokens + max output x price.

    None when the model's price is unknown (the call is then unpriced). A per-request price
    needs no token count. ``exact=False`` bounds the prompt by its UTF-8 size instead of
    counting tokens: free, and never below the exact figure.

    Example:
        >>> from hub_core.hubs import get_hub
        >>> body = {"model": "qwen-max", "max_tokens": 100,
        ...         "messages": [{"role": "user", "content": "hi"}]}
        >>> chat_worst_case(get_hub("apihub"), body)
        Cost(amount=3.24e-05, unit='USD', estimated=True)
        >>> chat_worst_case(get_hub("apihub"), body, exact=False)
        Cost(amount=3.36e-05, unit='USD', estimated=True)
    """
    model = str(payload.get("model") or "")
    price = price_of(profile, model)
    if price is None:
        return None
    if not _has_token_price(price):
        return _worst(profile, price, None)
    prompt = chat_prompt_tokens(payload, model, exact=exact)
    output = chat_max_output(profile, payload, model)
    return _worst(profile, price, Usage(prompt, output, prompt + output))


def embeddings_worst_case(
    profile: HubProfile, model: str, inputs: str | Sequence[str], *, exact: bool = True
) -> Cost | None:
    """What embedding ``inputs`` can cost: their tokens (counted offline) x the input price.

    ``exact=False`` bounds each input by its UTF-8 size instead (free, never below the count).
    """
    price = price_of(profile, model)
    if price is None:
        return None
    if not _has_token_price(price):
        return _worst(profile, price, None)
    texts = [inputs] if isinstance(inputs, str) else inputs
    size = (lambda text: count_tokens(text, model)) if exact else utf8_size
    tokens = sum(size(text) for text in texts if isinstance(text, str))
    return _worst(profile, price, Usage(tokens, 0, tokens))


def media_worst_case(profile: HubProfile, model: str, seconds: float | None = None) -> Cost | None:
    """What one media request can cost: its per-request price plus per-second x ``seconds``.

    None when the price is unknown, or when the model is priced per second and ``seconds`` (the
    longest output the request allows) is not given.

    Example:
        >>> from hub_core.hubs import get_hub
        >>> media_worst_case(get_hub("electronhub"), "dall-e-3")
        Cost(amount=20.0, unit='credits', estimated=True)
        >>> media_worst_case(get_hub("tokenhub"), "bytedance/doubao-seedance-2.0", seconds=5)
        Cost(amount=1.0, unit='credits', estimated=True)
    """
    price = price_of(profile, model)
    if price is None or (price.per_second is not None and seconds is None):
        return None
    return _worst(profile, price, None, seconds)
