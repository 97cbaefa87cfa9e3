"""What each model can do: context window, tools, structured output, vision, reasoning.

Adapters read :func:`model_info` to fill LangChain ``profile`` / LlamaIndex ``metadata`` and to pick
the structured-output method. Knowledge comes from three places, later ones winning:

1. model families (``claude-*`` has 200k context, ``deepseek-r1`` reasons, ...): any name gets
   sensible values, never an error;
2. the hub's price table (a priced model is a known model);
3. the hub's live ``/models`` list, merged with :func:`update_from_models_list`.

Example:
    >>> from hub_core.catalog import model_info
    >>> info = model_info("tokenhub", "openai/gpt-4.1")
    >>> info.context_window, info.supports_json_schema
    (1047576, True)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from hub_core.hubs import HubProfile, ModelPrice, get_hub

DEFAULT_CONTEXT_WINDOW = 32_768
DEFAULT_MAX_OUTPUT = 4_096


@dataclass(frozen=True)
class ModelInfo:
    """Capabilities and limits of one model on one hub."""

    id: str
    hub: str
    context_window: int = DEFAULT_CONTEXT_WINDOW
    max_output_tokens: int = DEFAULT_MAX_OUTPUT
    supports_tools: bool = True
    supports_json_schema: bool = False
    supports_json_mode: bool = True
    supports_vision: bool = False
    reasoning: bool = False
    embedding: bool = False
    embedding_dimensions: int | None = None
    known: bool = False
    """True when the hub's catalog or price table names this model (not only its family)."""
    price: ModelPrice | None = None

    def as_langchain_profile(self) -> dict[str, Any]:
        """The keys LangChain's ``ModelProfile`` understands."""
        return {
            "max_input_tokens": self.context_window,
            "max_output_tokens": self.max_output_tokens,
            "tool_calling": self.supports_tools,
            "tool_choice": self.supports_tools,
            "structured_output": self.supports_json_schema,
            "image_inputs": self.supports_vision,
            "image_url_inputs": self.supports_vision,
            "reasoning_output": self.reasoning,
        }


# (substring of the bare model id, overrides); the first match wins, so specific entries go first.
_FAMILIES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("text-embedding-3-large", {"embedding": True, "embedding_dimensions": 3072,
                                "context_window": 8191, "supports_tools": False}),
    ("text-embedding", {"embedding": True, "embedding_dimensions": 1536,
                        "context_window": 8191, "supports_tools": False}),
    ("embed", {"embedding": True, "embedding_dimensions": 1024, "context_window": 8191,
               "supports_tools": False}),
    ("gpt-4o", {"context_window": 128_000, "max_output_tokens": 16_384,
                "supports_json_schema": True, "supports_vision": True}),
    ("gpt-4.1", {"context_window": 1_047_576, "max_output_tokens": 32_768,
                 "supports_json_schema": True, "supports_vision": True}),
    ("gpt-5", {"context_window": 400_000, "max_output_tokens": 128_000,
               "supports_json_schema": True, "supports_vision": True, "reasoning": True}),
    ("gpt-4", {"context_window": 128_000, "supports_vision": True}),
    ("gpt-3.5", {"context_window": 16_385}),
    ("o1", {"context_window": 200_000, "max_output_tokens": 100_000, "reasoning": True,
            "supports_json_schema": True}),
    ("o3", {"context_window": 200_000, "max_output_tokens": 100_000, "reasoning": True,
            "supports_json_schema": True, "supports_vision": True}),
    ("o4", {"context_window": 200_000, "max_output_tokens": 100_000, "reasoning": True,
            "supports_json_schema": True, "supports_vision": True}),
    ("claude", {"context_window": 200_000, "max_output_tokens": 8_192, "supports_vision": True}),
    ("gemini", {"context_window": 1_048_576, "max_output_tokens": 8_192,
                "supports_json_schema": True, "supports_vision": True}),
    ("deepseek-r1", {"context_window": 64_000, "max_output_tokens": 8_192, "reasoning": True}),
    ("deepseek-reasoner", {"context_window": 64_000, "max_output_tokens": 8_192,
                           "reasoning": True}),
    ("deepseek", {"context_window": 64_000, "max_output_tokens": 8_192}),
    ("qwen", {"context_window": 131_072, "max_output_tokens": 8_192}),
    ("glm", {"context_window": 128_000, "max_output_tokens": 4_096}),
    ("kimi", {"context_window": 131_072, "max_output_tokens": 8_192}),
    ("grok", {"context_window": 131_072, "max_output_tokens": 8_192, "supports_json_schema": True}),
    ("thinking", {"reasoning": True}),
    ("seedance", {"supports_tools": False, "supports_json_mode": False}),
    ("seedream", {"supports_tools": False, "supports_json_mode": False}),
    ("dall-e", {"supports_tools": False, "supports_json_mode": False}),
)

# Models a hub's documentation or price table names explicitly.
_KNOWN: dict[str, frozenset[str]] = {
    "electronhub": frozenset(
        {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022", "gemini-pro", "deepseek-r1",
         "text-embedding-3-small", "gpt-3.5-turbo"}
    ),
    "chainhub": frozenset(
        {"gpt-4o", "gpt-4o-mini", "gemini-2.5-flash-all", "deepseek-reasoner",
         "text-embedding-3-small"}
    ),
    "apihub": frozenset(),
    "tokenhub": frozenset(
        {"openai/gpt-4.1", "openai/gpt-5.4", "anthropic/claude-sonnet-4-6", "google/gemini-2.5-pro",
         "deepseek/deepseek-r1", "openai/text-embedding-3-small"}
    ),
}

_live: dict[tuple[str, str], dict[str, Any]] = {}
_lock = threading.Lock()


def _bare(model: str) -> str:
    return model.rsplit("/", 1)[-1].split(":", 1)[0].lower()


def _family_overrides(model: str) -> dict[str, Any]:
    bare = _bare(model)
    merged: dict[str, Any] = {}
    for fragment, overrides in _FAMILIES:
        if fragment in bare:
            for key, value in overrides.items():
                merged.setdefault(key, value)
    if "mini" in bare and "context_window" not in merged:
        merged["context_window"] = 128_000
    return merged


def model_info(hub: str | HubProfile, model: str) -> ModelInfo:
    """Everything known about ``model`` on ``hub``; an unknown name gets family defaults."""
    profile = get_hub(hub)
    fields = _family_overrides(model)
    price = profile.prices.get(model) or profile.prices.get(_bare(model))
    known = model in _KNOWN.get(profile.name, frozenset()) or price is not None
    with _lock:
        live = _live.get((profile.name, model))
    if live:
        fields.update(live)
        known = True
    if profile.name == "electronhub" and model.endswith(":reasoning-exclude"):
        fields["reasoning"] = False
    return ModelInfo(id=model, hub=profile.name, known=known, price=price, **fields)


def _from_models_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Capability fields from one ``/models`` entry (Electron Hub and OpenAI-like shapes)."""
    fields: dict[str, Any] = {}
    for key in ("tokens", "context_length", "context_window", "max_input_tokens"):
        value = entry.get(key)
        if isinstance(value, int) and value > 0:
            fields["context_window"] = value
            break
    capabilities = entry.get("capabilities") or entry.get("metadata") or {}
    if isinstance(capabilities, Mapping):
        flag_map = {
            "function_call": "supports_tools",
            "tools": "supports_tools",
            "tool_calling": "supports_tools",
            "json_schema": "supports_json_schema",
            "structured_output": "supports_json_schema",
            "vision": "supports_vision",
            "reasoning": "reasoning",
        }
        for key, name in flag_map.items():
            if isinstance(capabilities.get(key), bool):
                fields[name] = capabilities[key]
    endpoints = entry.get("endpoints")
    if isinstance(endpoints, list) and any("embeddings" in str(e) for e in endpoints):
        fields["embedding"] = True
    return fields


def update_from_models_list(hub: str | HubProfile, entries: Iterable[Mapping[str, Any]]) -> int:
    """Merge a hub's live ``/models`` answer into the catalog; returns how many models it named."""
    profile = get_hub(hub)
    count = 0
    with _lock:
        for entry in entries:
            model_id = entry.get("id")
            if isinstance(model_id, str):
                _live[(profile.name, model_id)] = _from_models_entry(entry)
                count += 1
    return count


def with_overrides(info: ModelInfo, **overrides: Any) -> ModelInfo:
    """A copy of ``info`` with user-supplied values (e.g. ``context_window=8192``)."""
    return replace(info, **{k: v for k, v in overrides.items() if v is not None})
