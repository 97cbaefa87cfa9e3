"""Model catalog per hub: what ``/models`` lists, what chat and embeddings accept, prices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CREATED = 1_718_000_000
REASONING_MARKERS = ("reasoning", "thinking", "-r1", "reasoner")


@dataclass(frozen=True)
class ModelSpec:
    """One model of one hub; prices are per token in the hub's unit."""

    id: str
    owned_by: str
    context: int = 128_000
    price_in: float = 0.0  # per input token (hub unit; apihub: a single per-1M $ price)
    price_out: float = 0.0
    credits: int = 1  # Electron Hub: credits per request
    reasoning: bool = False
    embedding: bool = False
    tools: bool = True
    vision: bool = False
    max_output: int = 16_384

    @property
    def kind(self) -> str:
        """``embedding`` or ``chat``."""
        return "embedding" if self.embedding else "chat"


def _m(mid: str, owner: str, ctx: int, pin: float, pout: float, **kw: Any) -> ModelSpec:
    """Prices given per 1M tokens, stored per token."""
    return ModelSpec(mid, owner, ctx, pin / 1e6, pout / 1e6, **kw)


CATALOG: dict[str, tuple[ModelSpec, ...]] = {
    "electronhub": (
        # the one chat model whose price Electron Hub documents (1 credit per request, 2024)
        _m("gpt-3.5-turbo", "openai", 16_385, 0.5, 1.5, credits=1, max_output=4_096),
        _m("gpt-4o", "openai", 128_000, 2.5, 10.0, credits=5, vision=True),
        _m("gpt-4o-mini", "openai", 128_000, 0.15, 0.6, credits=1, vision=True),
        _m("claude-3-5-sonnet-20241022", "anthropic", 200_000, 3.0, 15.0, credits=5, vision=True),
        _m("deepseek-r1", "deepseek", 64_000, 0.55, 2.19, credits=3, reasoning=True),
        _m("text-embedding-3-small", "openai", 8_191, 0.02, 0.0, embedding=True, tools=False),
    ),
    "chainhub": (
        _m("gpt-4o", "openai", 128_000, 2.5, 10.0, vision=True),
        _m("gpt-4o-mini", "openai", 128_000, 0.15, 0.6, vision=True),
        _m("deepseek-reasoner", "deepseek", 64_000, 0.55, 2.19, reasoning=True),
        _m("text-embedding-3-small", "openai", 8_191, 0.02, 0.0, embedding=True, tools=False),
    ),
    "apihub": (
        _m("deepseek-chat", "deepseek", 64_000, 0.25, 0.25),
        _m("deepseek-reasoner", "deepseek", 64_000, 0.55, 0.55, reasoning=True),
        _m("qwen-turbo", "qwen", 131_072, 0.10, 0.10),
        _m("qwen-plus", "qwen", 131_072, 0.20, 0.20),
        _m("qwen-max", "qwen", 32_768, 0.30, 0.30),
        _m("glm-4-flash", "zhipu", 128_000, 0.15, 0.15),
        _m("text-embedding-3-small", "openai", 8_191, 0.02, 0.02, embedding=True, tools=False),
    ),
    "tokenhub": (
        _m("openai/gpt-4.1", "openai", 1_047_576, 2.0, 8.0, vision=True),
        _m("openai/gpt-5.4", "openai", 400_000, 1.25, 10.0, vision=True),
        _m("anthropic/claude-sonnet-4-6", "anthropic", 200_000, 3.0, 15.0, vision=True),
        _m("google/gemini-2.5-pro", "google", 1_048_576, 1.25, 10.0, vision=True),
        _m("deepseek/deepseek-r1", "deepseek", 64_000, 0.55, 2.19, reasoning=True),
        _m("openai/text-embedding-3-small", "openai", 8_191, 0.02, 0.0, embedding=True,
           tools=False),
    ),
}

_INDEX: dict[str, dict[str, ModelSpec]] = {}
for _hub, _models in CATALOG.items():
    idx: dict[str, ModelSpec] = {}
    for _spec in _models:
        idx[_spec.id] = _spec
        idx.setdefault(_spec.id.split("/", 1)[-1], _spec)  # unprefixed form
    _INDEX[_hub] = idx

EH_SUFFIXES = (":reasoning-exclude", ":free", ":dev", ":online", ":nitro")


def resolve(hub: str, model: str) -> tuple[ModelSpec | None, bool]:
    """The spec for ``model`` on ``hub`` and whether reasoning is excluded; ``None`` if unknown.

    Lenient the way hubs are: vendor prefixes are optional, Electron Hub suffixes are stripped.
    """
    exclude = False
    name = model
    for suffix in EH_SUFFIXES:
        if name.endswith(suffix):
            exclude = exclude or suffix == ":reasoning-exclude"
            name = name[: -len(suffix)]
    idx = _INDEX.get(hub, {})
    spec = idx.get(name) or idx.get(name.split("/", 1)[-1])
    return spec, exclude


def is_reasoning(spec: ModelSpec, requested: str) -> bool:
    """Reasoning models (by catalog flag or by name) emit reasoning before content."""
    low = requested.lower()
    return spec.reasoning or any(m in low for m in REASONING_MARKERS)


def _capabilities(spec: ModelSpec) -> list[str]:
    if spec.embedding:
        return ["embeddings"]
    caps = ["chat", "streaming", "json_mode", "structured_output"]
    if spec.tools:
        caps.append("tools")
    if spec.vision:
        caps.append("vision")
    if spec.reasoning:
        caps.append("reasoning")
    return caps


def model_entry(hub: str, spec: ModelSpec) -> dict[str, Any]:
    """The ``/models`` entry for one model, in the fields that hub returns."""
    base: dict[str, Any] = {
        "id": spec.id,
        "object": "model",
        "created": CREATED,
        "owned_by": spec.owned_by,
    }
    if hub == "electronhub":
        endpoint = "/v1/embeddings" if spec.embedding else "/v1/chat/completions"
        base.update(
            name=spec.id,
            description=f"{spec.id} via Electron Hub (emulated)",
            tokens=spec.context,
            pricing={"input": spec.price_in, "output": spec.price_out, "credits": spec.credits},
            endpoints=[endpoint],
            premium_model=spec.credits >= 5,
            metadata={
                "function_call": spec.tools,
                "vision": spec.vision,
                "reasoning": spec.reasoning,
                "json_mode": not spec.embedding,
            },
        )
    elif hub == "apihub":
        base.update(
            context_length=spec.context,
            price_per_million_tokens=round(spec.price_in * 1e6, 6),
            capabilities=_capabilities(spec),
        )
    elif hub == "tokenhub":
        base.update(
            name=spec.id,
            context_length=spec.context,
            pricing={"prompt": f"{spec.price_in:.10f}", "completion": f"{spec.price_out:.10f}"},
            architecture={
                "input_modalities": ["text", "image"] if spec.vision else ["text"],
                "output_modalities": ["embeddings"] if spec.embedding else ["text"],
            },
            supported_parameters=_supported_params(spec),
            top_provider={"context_length": spec.context, "max_completion_tokens": spec.max_output},
        )
    else:  # chainhub (one-api / new-api lineage)
        base.update(
            context_length=spec.context,
            pricing={"input": round(spec.price_in * 1e6, 6),
                     "output": round(spec.price_out * 1e6, 6),
                     "unit": "credits per 1M tokens"},
            capabilities=_capabilities(spec),
            supported_endpoint_types=["embeddings"] if spec.embedding else ["openai"],
        )
    return base


def _supported_params(spec: ModelSpec) -> list[str]:
    if spec.embedding:
        return ["dimensions", "encoding_format"]
    params = ["max_tokens", "temperature", "stop", "response_format", "structured_outputs", "seed"]
    if spec.tools:
        params += ["tools", "tool_choice"]
    if spec.reasoning:
        params += ["reasoning", "include_reasoning"]
    return params


def models_list(hub: str) -> dict[str, Any]:
    """The whole ``GET /models`` body for ``hub``: chat and embedding models, then media."""
    from . import media_catalog

    return {"object": "list",
            "data": [model_entry(hub, s) for s in CATALOG[hub]] + media_catalog.entries(hub)}
