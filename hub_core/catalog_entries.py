"""Read one entry of a hub's ``GET /models`` answer into ``ModelInfo`` fields.

Each hub extends the OpenAI entry its own way (PROTOCOL.md 2.9): Electron Hub adds ``tokens``,
``pricing`` and ``endpoints`` and capability flags under ``metadata``; OpenRouter-style lists add
``context_length``, ``top_provider`` and ``supported_parameters``; relay lineages add
``capabilities`` lists. Parsing is tolerant: a field in an unknown shape is skipped, never an error.

Example:
    >>> fields = fields_from_entry({"id": "m", "tokens": 8192, "metadata": {"vision": True}})
    >>> fields["context_window"], fields["supports_vision"]
    (8192, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from hub_core.errors import HubAPIError
from hub_core.hubs import ModelPrice
from hub_core.replies import first, number, positive

# capability words (lower case) -> the ModelInfo flag they set
_FLAG_WORDS: dict[str, str] = {
    "tools": "supports_tools",
    "tool_calling": "supports_tools",
    "tool_choice": "supports_tools",
    "function_call": "supports_tools",
    "function_calling": "supports_tools",
    "structured_output": "supports_json_schema",
    "structured_outputs": "supports_json_schema",
    "json_schema": "supports_json_schema",
    "json_mode": "supports_json_mode",
    "response_format": "supports_json_mode",
    "vision": "supports_vision",
    "image_input": "supports_vision",
    "reasoning": "reasoning",
    "include_reasoning": "reasoning",
}
# flags a complete capability list can switch off by leaving them out
_LISTABLE = ("supports_tools", "supports_json_schema", "supports_json_mode", "supports_vision")
_NEW_API_ENDPOINTS = {"openai": "chat/completions", "embeddings": "embeddings"}


def _first_int(entry: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    return first(entry, keys, positive)


def price_from_entry(entry: Mapping[str, Any]) -> ModelPrice | None:
    """The price a ``/models`` entry states, else None.

    ``price_per_million_tokens`` is one price for input and output (API Hub). A ``pricing``
    object with ``input``/``output`` (or ``prompt``/``completion``) is per token unless its
    ``unit`` says per 1M. A per-call amount (``credits``/``price``) wins over token prices
    listed beside it. Media prices come as ``{"price"|"credits": x, "per": "request"|
    "image"|"second"}`` or as flat ``per_request``/``per_image``/``per_second`` values.
    """
    flat = number(entry.get("price_per_million_tokens"))
    if flat is not None:
        return ModelPrice(input_per_mtok=flat, output_per_mtok=flat)
    pricing = entry.get("pricing")
    if not isinstance(pricing, Mapping):
        return None
    unit = str(pricing.get("unit", "")).lower()
    scale = 1.0 if ("1m" in unit or "million" in unit or "mtok" in unit) else 1_000_000.0
    given_in = number(pricing.get("input", pricing.get("prompt")))
    given_out = number(pricing.get("output", pricing.get("completion")))
    media = {
        "request": number(pricing.get("per_request")),
        "image": number(pricing.get("per_image")),
        "second": number(pricing.get("per_second")),
    }
    amount = number(pricing.get("price", pricing.get("credits")))
    if amount is not None:
        per = str(pricing.get("per", "request")).lower()
        media[per if per in media else "request"] = amount
    if amount is not None:
        # One billing mode per model: a stated per-call amount is what is charged (Electron Hub
        # lists per-token figures beside its credits per request); summing both would double it.
        given_in = given_out = None
    if given_in is None and given_out is None and all(v is None for v in media.values()):
        return None
    return ModelPrice(
        per_request=media["request"],
        input_per_mtok=None if given_in is None else round(given_in * scale, 10),
        output_per_mtok=None if given_out is None else round(given_out * scale, 10),
        per_second=media["second"],
        per_image=media["image"],
    )


def _words(value: Any) -> TypeGuard[list[str]]:
    """A non-empty list of strings (a capability or parameter list)."""
    return isinstance(value, list) and bool(value) and all(isinstance(w, str) for w in value)


def _flags_from_words(words: list[str]) -> dict[str, bool]:
    """A complete capability list: flags it names are on, listable flags it leaves out are off."""
    flags = dict.fromkeys(_LISTABLE, False)
    for word in words:
        flag = _FLAG_WORDS.get(word.lower())
        if flag is not None:
            flags[flag] = True
        if word.lower() in ("embeddings", "embedding"):
            flags["embedding"] = True
    if flags["supports_json_schema"]:
        flags["supports_json_mode"] = True
    return flags


def _capability_flags(entry: Mapping[str, Any]) -> dict[str, bool]:
    flags: dict[str, bool] = {}
    for key in ("metadata", "capabilities"):
        value = entry.get(key)
        if isinstance(value, Mapping):
            for word, on in value.items():
                flag = _FLAG_WORDS.get(str(word).lower())
                if flag is not None and isinstance(on, bool):
                    flags[flag] = on
        elif key == "capabilities" and _words(value):
            flags.update(_flags_from_words(value))
    params = entry.get("supported_parameters")
    if _words(params):
        flags.update(_flags_from_words(params))
    architecture = entry.get("architecture")
    if isinstance(architecture, Mapping):
        inputs = architecture.get("input_modalities")
        if isinstance(inputs, list):
            flags["supports_vision"] = "image" in inputs
        outputs = architecture.get("output_modalities")
        if isinstance(outputs, list) and "embeddings" in outputs:
            flags["embedding"] = True
    return flags


def _endpoints(entry: Mapping[str, Any]) -> tuple[str, ...]:
    listed = entry.get("endpoints")
    if isinstance(listed, list):
        paths = []
        for item in listed:
            path = str(item).lstrip("/")
            paths.append(path[3:] if path.startswith("v1/") else path)
        return tuple(paths)
    types = entry.get("supported_endpoint_types")
    if isinstance(types, list):
        return tuple(_NEW_API_ENDPOINTS.get(str(t), str(t)) for t in types)
    return ()


def fields_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """:class:`~hub_core.catalog.ModelInfo` field values one ``/models`` entry states."""
    fields: dict[str, Any] = {}
    top = entry.get("top_provider")
    top = top if isinstance(top, Mapping) else {}
    context = _first_int(
        entry, ("tokens", "context_length", "context_window", "max_input_tokens")
    ) or _first_int(top, ("context_length",))
    if context is not None:
        fields["context_window"] = context
    max_output = _first_int(
        entry, ("max_output_tokens", "max_completion_tokens", "output_token_limit")
    ) or _first_int(top, ("max_completion_tokens",))
    if max_output is not None:
        fields["max_output_tokens"] = max_output
    fields.update(_capability_flags(entry))
    endpoints = _endpoints(entry)
    if endpoints:
        fields["endpoints"] = endpoints
        if any("embeddings" in e for e in endpoints):
            fields["embedding"] = True
    if fields.get("embedding"):
        fields.setdefault("supports_tools", False)
    owner = entry.get("owned_by")
    if isinstance(owner, str) and owner:
        fields["owned_by"] = owner
    price = price_from_entry(entry)
    if price is not None:
        fields["price"] = price
    return fields


def entries_of(data: Any, *, hub: str) -> list[Mapping[str, Any]]:
    """The model entries of a ``/models`` (list) or ``/models/{id}`` (one object) reply.

    Raises:
        HubAPIError: the reply holds neither (a 200 we cannot read is not "no models").
    """
    if isinstance(data, Mapping):
        listed = data.get("data", data.get("models"))
        if isinstance(listed, list):
            data = listed
        elif isinstance(data.get("id"), str):
            return [data]
    if not isinstance(data, list):
        shape = sorted(data)[:10] if isinstance(data, Mapping) else type(data).__name__
        raise HubAPIError(
            f"the models reply holds no model list (got {shape})", hub=hub, status_code=200
        )
    return [entry for entry in data if isinstance(entry, Mapping)]
