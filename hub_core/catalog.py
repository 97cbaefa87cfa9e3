"""What each model can do: context window, tools, structured output, vision, reasoning.

Adapters read :func:`model_info` to fill LangChain ``profile`` / LlamaIndex ``metadata`` and to pick
the structured-output method. Knowledge comes from three places, later ones winning:

1. model families (``claude-*`` has 200k context, ``deepseek-r1`` reasons, ...): any name gets
   sensible values, never an error;
2. the hub's price table (a priced model is a known model);
3. the hub's live ``/models`` list (``HubClient.models()``), merged with :func:`remember_models`.

``HubClient.models()`` keeps each (hub, base URL) listing for a TTL (:data:`DEFAULT_CATALOG_TTL`),
so adapters and the CLI can ask often; :func:`model_info` itself never sends a request.

Example:
    >>> from hub_core.catalog import model_info
    >>> info = model_info("tokenhub", "openai/gpt-4.1")
    >>> info.context_window, info.supports_json_schema
    (1047576, True)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from hub_core.catalog_entries import fields_from_entry
from hub_core.hubs import HubProfile, ModelPrice, get_hub

DEFAULT_CONTEXT_WINDOW = 32_768
DEFAULT_MAX_OUTPUT = 4_096
DEFAULT_CATALOG_TTL = 600.0
"""Seconds a hub's ``/models`` listing is reused before ``HubClient.models()`` asks again."""


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
    """The profile's price table entry when it has one, else the price ``/models`` states."""
    listed: bool = False
    """True when the hub's own ``/models`` answer named this model."""
    owned_by: str | None = None
    capabilities: tuple[str, ...] = ()
    """``chat`` or ``embeddings``, then ``tools``, ``json_mode``, ``structured_output``,
    ``vision``, ``reasoning`` as the flags say."""
    endpoints: tuple[str, ...] = ()
    """Routes the model serves, relative to the base URL (as the hub lists them, else by kind)."""
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    """The hub's ``/models`` entry, when it listed the model."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (price as a dict of its set parts; ``raw`` left out)."""
        out = {k: v for k, v in asdict(self).items() if k not in ("raw", "price")}
        out["capabilities"] = list(self.capabilities)
        out["endpoints"] = list(self.endpoints)
        out["price"] = (
            None
            if self.price is None
            else {k: v for k, v in asdict(self.price).items() if v not in (None, (), [])}
        )
        return out

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

_live: dict[tuple[str, str], tuple[dict[str, Any], Mapping[str, Any]]] = {}
_listings: dict[tuple[str, str], tuple[float, tuple[ModelInfo, ...]]] = {}
_lock = threading.Lock()
_built: dict[tuple[str, str], tuple[HubProfile, ModelInfo]] = {}
"""``model_info`` answers, per (hub, model), for the profile object they were built from:
chat calls ask on every reply (price, capabilities), and ``ModelInfo`` is frozen. Cleared
whenever ``_live`` changes."""


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


def _capabilities(fields: Mapping[str, Any]) -> tuple[str, ...]:
    embedding = bool(fields.get("embedding"))
    words = ["embeddings" if embedding else "chat"]
    if not embedding:
        flags = (
            ("supports_tools", "tools"),
            ("supports_json_mode", "json_mode"),
            ("supports_json_schema", "structured_output"),
            ("supports_vision", "vision"),
            ("reasoning", "reasoning"),
        )
        words += [word for name, word in flags if fields.get(name, _DEFAULTS[name])]
    return tuple(words)


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(ModelInfo)}


def _build(
    profile: HubProfile, model: str, live: Mapping[str, Any] | None, raw: Mapping[str, Any] | None
) -> ModelInfo:
    """Family defaults, then the price table, then what the hub's ``/models`` entry says."""
    values = _family_overrides(model)
    table_price = profile.prices.get(model) or profile.prices.get(_bare(model))
    known = model in _KNOWN.get(profile.name, frozenset()) or table_price is not None
    if live is not None:
        values.update(live)
        known = True
    if table_price is not None:
        values["price"] = table_price
    if profile.name == "electronhub" and model.endswith(":reasoning-exclude"):
        values["reasoning"] = False
    values["capabilities"] = _capabilities(values)
    if not values.get("endpoints"):
        values["endpoints"] = ("embeddings",) if values.get("embedding") else ("chat/completions",)
    return ModelInfo(
        id=model, hub=profile.name, known=known, listed=live is not None, raw=raw, **values
    )


def model_info(hub: str | HubProfile, model: str) -> ModelInfo:
    """Everything known about ``model`` on ``hub``; an unknown name gets family defaults.

    Never sends a request: it reads the static tables and the last ``/models`` answer this
    process saw for the hub (from ``HubClient.models()``).
    """
    profile = get_hub(hub)
    key = (profile.name, model)
    with _lock:
        held = _built.get(key)
        if held is not None and held[0] is profile:
            return held[1]
        live = _live.get(key)
    info = _build(profile, model, *(live if live is not None else (None, None)))
    with _lock:
        if _live.get(key) is live:  # nothing merged meanwhile
            _built[key] = (profile, info)
    return info


def remember_models(
    hub: str | HubProfile, entries: Iterable[Mapping[str, Any]], *, base_url: str | None = None
) -> list[ModelInfo]:
    """Merge a hub's ``/models`` entries into the catalog; returns them as :class:`ModelInfo`.

    With ``base_url`` the list is also kept as that hub's listing (see :func:`cached_models`).
    """
    profile = get_hub(hub)
    infos: list[ModelInfo] = []
    with _lock:
        for entry in entries:
            model_id = entry.get("id") if isinstance(entry, Mapping) else None
            if not isinstance(model_id, str):
                continue
            live = fields_from_entry(entry)
            _live[(profile.name, model_id)] = (live, entry)
            _built.pop((profile.name, model_id), None)
            infos.append(_build(profile, model_id, live, entry))
        if base_url is not None:
            _listings[(profile.name, base_url)] = (time.monotonic(), tuple(infos))
    return infos


def update_from_models_list(hub: str | HubProfile, entries: Iterable[Mapping[str, Any]]) -> int:
    """Merge a hub's live ``/models`` answer into the catalog; returns how many models it named."""
    return len(remember_models(hub, entries))


def cached_models(
    hub: str | HubProfile, base_url: str, ttl: float = DEFAULT_CATALOG_TTL
) -> list[ModelInfo] | None:
    """The listing fetched from ``base_url`` less than ``ttl`` seconds ago, else None."""
    profile = get_hub(hub)
    with _lock:
        held = _listings.get((profile.name, base_url))
    if held is None or time.monotonic() - held[0] >= ttl:
        return None
    return list(held[1])


def clear_catalog() -> None:
    """Forget every ``/models`` answer (listings and merged fields); static tables stay."""
    with _lock:
        _live.clear()
        _listings.clear()
        _built.clear()


def with_overrides(info: ModelInfo, **overrides: Any) -> ModelInfo:
    """A copy of ``info`` with user-supplied values (e.g. ``context_window=8192``)."""
    return replace(info, **{k: v for k, v in overrides.items() if v is not None})
