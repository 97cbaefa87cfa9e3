"""Hub profiles: everything that differs between hubs, as data.

Adapters never branch on a hub's name; they read its :class:`HubProfile`. A fifth hub is one more
profile passed to :func:`register_hub`, and no adapter code.

Example:
    >>> from hub_core.hubs import get_hub
    >>> get_hub("tokenhub").default_base_url
    'https://tokenhub.store/api/v1'
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal

from hub_core.validate import check_base_url

ModelIdStyle = Literal["plain", "vendor/model"]
ErrorDialect = Literal["openai", "openai-int-code", "detail", "relay"]

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class PlanLimits:
    """A subscription plan's request limit; ``rpm=None`` means the hub states no limit."""

    name: str
    rpm: int | None


@dataclass(frozen=True)
class ModelPrice:
    """What one call to a model costs, in the profile's ``price_unit``.

    Hubs price differently: Electron Hub (2024) per request, API Hub per million tokens (one
    price for input and output), TokenHub video per second of output, relays' image models per
    image made (``n`` images cost ``n`` times ``per_image``).
    """

    per_request: float | None = None
    input_per_mtok: float | None = None
    output_per_mtok: float | None = None
    per_second: float | None = None
    per_image: float | None = None
    per_second_by_resolution: tuple[tuple[str, float], ...] = ()
    """``(resolution, rate)`` pairs where the per-second rate differs by output resolution
    (TokenHub Seedance: 480p is cheaper). A tuple, so prices stay hashable and picklable."""


@dataclass(frozen=True)
class BalanceRoute:
    """Where a hub reports the balance, and in what unit."""

    path: str
    """Relative to the chat base URL, or to the host root when it starts with ``/``."""
    field: str
    unit: str


@dataclass(frozen=True)
class UsageRoute:
    """Where a hub lists recent requests (usage history), and the unit their cost is in."""

    path: str
    """Relative to the chat base URL, or to the host root when it starts with ``/``."""
    cost_unit: str
    limit_param: str | None = None
    """Query parameter that caps the number of records; None: the client trims the list."""


@dataclass(frozen=True)
class HubProfile:
    """The facts about one hub that a client needs (PROTOCOL.md section 1 and 3)."""

    name: str
    display_name: str
    default_base_url: str
    key_prefixes: tuple[str, ...]
    model_id_style: ModelIdStyle = "plain"
    api_suffix: str = "/v1"
    """The part of the base URL after the host root; account and task routes hang off the root."""
    endpoints: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    capabilities: frozenset[str] = frozenset({"chat"})
    plans: Mapping[str, PlanLimits] = field(default_factory=dict)
    default_plan: str | None = None
    price_unit: str = "credits"
    prices: Mapping[str, ModelPrice] = field(default_factory=dict)
    balance: BalanceRoute | None = None
    usage_history: UsageRoute | None = None
    error_dialect: ErrorDialect = "openai"
    reasoning_field: str = "reasoning_content"
    special_headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    """Header name -> what it does (documentation; never sent by default)."""
    supports_base64_embeddings: bool = True
    default_embedding_model: str | None = None
    rate_limit_cooldown: float | None = None
    """Seconds a hub locks a key out after a 429 (Electron Hub: 180)."""
    media_models: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    """Default model per media operation (``image``, ``image_edit``, ``image_variation``,
    ``speech``, ``transcription``, ``music``, ``video``) when the caller names none."""
    media_dialects: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    """Task dialect per long-running media kind (``video``, ``music``); see ``hub_core.media``."""

    @property
    def env_prefix(self) -> str:
        """``ELECTRONHUB`` for ``electronhub``: the prefix of the environment variables."""
        return self.name.upper().replace("-", "_")

    @property
    def api_key_env(self) -> str:
        """Environment variable holding the API key, e.g. ``TOKENHUB_API_KEY``."""
        return f"{self.env_prefix}_API_KEY"

    @property
    def base_url_env(self) -> str:
        """Environment variable overriding the base URL, e.g. ``TOKENHUB_BASE_URL``."""
        return f"{self.env_prefix}_BASE_URL"

    def resolve_base_url(self, base_url: str | None = None) -> str:
        """The explicit URL, else ``<HUB>_BASE_URL``, else the documented default.

        Raises:
            HubInputError: the URL is not an absolute http(s) URL (``127.0.0.1:8000/v1``); the
                message names ``base_url`` (and the variable it came from) and the fix.
        """
        if base_url:
            return check_base_url(base_url, hub=self.name)
        from_env = os.environ.get(self.base_url_env)
        if from_env:
            return check_base_url(from_env, hub=self.name, source=self.base_url_env)
        return self.default_base_url.rstrip("/")

    def root_url(self, base_url: str) -> str:
        """The host root for account and task routes: the base URL without ``api_suffix``."""
        base = base_url.rstrip("/")
        if self.api_suffix and base.endswith(self.api_suffix):
            return base[: -len(self.api_suffix)]
        return base

    def url_for(self, endpoint: str, base_url: str) -> str:
        """Absolute URL of a named endpoint (or a literal path) under ``base_url``.

        Paths starting with ``/`` hang off the host root (API Hub's account routes, ChainHub's
        task routes); other paths are relative to the chat base URL.
        """
        path = self.endpoints.get(endpoint, endpoint)
        if path.startswith("/"):
            return self.root_url(base_url) + path
        return f"{base_url.rstrip('/')}/{path}"

    def supports(self, capability: str) -> bool:
        """Whether the hub documents ``capability`` (``"embeddings"``, ``"images"``, ...)."""
        return capability in self.capabilities

    def plan_rpm(self, plan: str | None) -> int | None:
        """Requests per minute for ``plan`` (the default plan when None); None means unlimited.

        Raises:
            ValueError: an unknown plan name; the message lists the valid ones.
        """
        name = plan if plan is not None else self.default_plan
        if name is None:
            return None
        limits = self.plans.get(name.lower())
        if limits is None:
            valid = ", ".join(sorted(self.plans)) or "(none: this hub states no plans)"
            raise ValueError(
                f"plan={name!r} is not a {self.display_name} plan; use one of: {valid}"
            )
        return limits.rpm

    def plan_label(self, plan: str | None, rpm: int | None) -> str | None:
        """The plan a client-side limit comes from (None when ``rpm`` was given explicitly)."""
        if rpm is not None:
            return None
        name = plan if plan is not None else self.default_plan
        return name.lower() if name else None

    def check_key(self, key: str) -> None:
        """Warn (never reject) when a key lacks the hub's documented prefix."""
        if self.key_prefixes and not key.startswith(self.key_prefixes):
            shown = " or ".join(repr(p) for p in self.key_prefixes)
            warnings.warn(
                f"{self.display_name} keys usually start with {shown}; the key given does not. "
                "Sending it anyway; check api_key or "
                f"{self.api_key_env} if the hub answers 401.",
                UserWarning,
                stacklevel=3,
            )

    def normalize_model(self, model: str) -> str:
        """The id to send. Both ``vendor/model`` and unprefixed ids are accepted as given."""
        return model.strip()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle a registered profile by name, any other by value (proxies do not pickle)."""
        if _REGISTRY.get(self.name) is self:
            return (get_hub, (self.name,))
        values = {
            f.name: dict(v) if isinstance(v := getattr(self, f.name), MappingProxyType) else v
            for f in fields(self)
        }
        return (_profile_from_fields, (values,))


def _profile_from_fields(values: dict[str, Any]) -> HubProfile:
    return HubProfile(**values)


_CHAT_ENDPOINTS = {
    "chat": "chat/completions",
    "embeddings": "embeddings",
    "models": "models",
    "images": "images/generations",
    "image_edits": "images/edits",
    "speech": "audio/speech",
    "transcriptions": "audio/transcriptions",
}

ELECTRONHUB = HubProfile(
    name="electronhub",
    display_name="Electron Hub",
    default_base_url="https://api.electronhub.ai/v1",
    key_prefixes=("ek-",),
    endpoints=MappingProxyType(
        {
            **_CHAT_ENDPOINTS,
            "image_variations": "images/variations",
            "music": "audio/music",
            "videos": "videos/generations",
            "user": "user/me",
            "usage": "user/models",
            "logs": "user/logs",
        }
    ),
    capabilities=frozenset(
        {
            "chat", "tools", "json_schema", "vision", "reasoning", "embeddings", "images",
            "image_edits", "image_variations", "speech", "transcriptions", "video", "music",
            "balance", "usage",
        }
    ),
    plans=MappingProxyType(
        {
            "free": PlanLimits("free", 5),
            "starter": PlanLimits("starter", 10),
            "plus": PlanLimits("plus", 15),
            "core": PlanLimits("core", 20),
            "pro": PlanLimits("pro", 30),
            "business": PlanLimits("business", 60),
            "enterprise": PlanLimits("enterprise", 100),
            "dev": PlanLimits("dev", None),
        }
    ),
    default_plan="free",
    price_unit="credits",
    prices=MappingProxyType(
        {
            "gpt-3.5-turbo": ModelPrice(per_request=1),
            "gpt-3.5-turbo-vision": ModelPrice(per_request=2),
            "gpt-3.5-turbo-16k": ModelPrice(per_request=1),
            "gpt-3.5-turbo-16k-0613": ModelPrice(per_request=1),
            "sdxl": ModelPrice(per_request=1),
            "dall-e-3": ModelPrice(per_request=20),
            "midjourney-v6.1": ModelPrice(per_request=30),
            "flux-dev": ModelPrice(per_request=150),
            "eleven-multilingual-v2": ModelPrice(per_request=5),
            "suno-v3.5": ModelPrice(per_request=20),
            "svd-turbo": ModelPrice(per_request=20),
            "t2v-turbo": ModelPrice(per_request=30),
            "dream-machine": ModelPrice(per_request=80),
        }
    ),
    balance=BalanceRoute(path="user/me", field="credits", unit="credits"),
    usage_history=UsageRoute(path="user/logs", cost_unit="credits"),
    media_models=MappingProxyType(
        {
            "image": "dall-e-3",
            "image_edit": "dall-e-2",
            "image_variation": "dall-e-2",
            "speech": "tts-1",
            "transcription": "whisper-1",
            "music": "suno-v3.5",
            "video": "midjourney-video",
        }
    ),
    media_dialects=MappingProxyType({"video": "electronhub-video", "music": "electronhub-music"}),
    error_dialect="openai-int-code",
    reasoning_field="reasoning",
    special_headers=MappingProxyType(
        {"Accept: text/event-stream": "required on /videos/generations (held-open SSE)"}
    ),
    default_embedding_model="text-embedding-3-small",
    rate_limit_cooldown=180.0,
)

CHAINHUB = HubProfile(
    name="chainhub",
    display_name="ChainHub",
    default_base_url="https://api.chainhub.tech/v1",
    key_prefixes=("sk-",),
    endpoints=MappingProxyType(
        {
            **_CHAT_ENDPOINTS,
            "videos": "videos",
            "suno_submit": "/suno/submit/music",
            "suno_fetch": "/suno/fetch/{task_id}",
            "kling_text2video": "/kling/v1/videos/text2video",
            "kling_task": "/kling/v1/videos/text2video/{task_id}",
            "seedance_tasks": "/volc/v1/contents/generations/tasks",
            "seedance_task": "/volc/v1/contents/generations/tasks/{task_id}",
            "mj_imagine": "/mj/submit/imagine",
        }
    ),
    capabilities=frozenset(
        {
            "chat", "tools", "json_schema", "vision", "reasoning", "embeddings", "images",
            "image_edits", "speech", "transcriptions", "video", "music",
        }
    ),
    plans=MappingProxyType({"payg": PlanLimits("payg", None)}),
    default_plan="payg",
    price_unit="credits",
    media_models=MappingProxyType(
        {
            "image": "gpt-image-1",
            "image_edit": "gpt-image-1",
            "speech": "gpt-4o-mini-tts",
            "transcription": "whisper-1",
            "music": "chirp-v3-5",
            "video": "kling-v1",
        }
    ),
    media_dialects=MappingProxyType({"video": "chainhub-video", "music": "suno"}),
    error_dialect="relay",
    reasoning_field="reasoning_content",
    special_headers=MappingProxyType(
        {"X-ChainHub-Enhance-Prompt": "'true' turns on prompt optimisation for image generation"}
    ),
    default_embedding_model="text-embedding-3-small",
)

APIHUB = HubProfile(
    name="apihub",
    display_name="API Hub",
    default_base_url="https://apihub4u.com/v1",
    key_prefixes=("sk-",),
    endpoints=MappingProxyType(
        {
            "chat": "chat/completions",
            "embeddings": "embeddings",
            "models": "models",
            "register": "/auth/register",
            "login": "/auth/login",
            "api_keys": "/api-keys",
            "balance": "/billing/balance",
            "usage": "/billing/usage",
        }
    ),
    capabilities=frozenset({"chat", "tools", "reasoning", "embeddings", "balance", "usage"}),
    plans=MappingProxyType({"free": PlanLimits("free", 60), "paid": PlanLimits("paid", None)}),
    default_plan="free",
    price_unit="USD",
    prices=MappingProxyType(
        {
            "deepseek-chat": ModelPrice(input_per_mtok=0.25, output_per_mtok=0.25),
            "deepseek-reasoner": ModelPrice(input_per_mtok=0.55, output_per_mtok=0.55),
            "qwen-turbo": ModelPrice(input_per_mtok=0.10, output_per_mtok=0.10),
            "qwen-plus": ModelPrice(input_per_mtok=0.20, output_per_mtok=0.20),
            "qwen-max": ModelPrice(input_per_mtok=0.30, output_per_mtok=0.30),
            "glm-4-flash": ModelPrice(input_per_mtok=0.15, output_per_mtok=0.15),
        }
    ),
    balance=BalanceRoute(path="/billing/balance", field="balance", unit="tokens"),
    usage_history=UsageRoute(path="/billing/usage", cost_unit="USD", limit_param="limit"),
    error_dialect="detail",
    reasoning_field="reasoning_content",
    default_embedding_model="text-embedding-3-small",
)

TOKENHUB = HubProfile(
    name="tokenhub",
    display_name="TokenHub",
    default_base_url="https://tokenhub.store/api/v1",
    key_prefixes=("th-",),
    model_id_style="vendor/model",
    api_suffix="/api/v1",
    endpoints=MappingProxyType(
        {
            "chat": "chat/completions",
            "embeddings": "embeddings",
            "models": "models",
            "images": "images/generations",
            "videos": "videos/generations",
            "video_status": "videos/generations/{task_id}",
        }
    ),
    capabilities=frozenset(
        {"chat", "tools", "json_schema", "vision", "reasoning", "embeddings", "images", "video"}
    ),
    plans=MappingProxyType({"payg": PlanLimits("payg", None)}),
    default_plan="payg",
    price_unit="credits",
    prices=MappingProxyType(
        {
            "bytedance/doubao-seedance-2.0": ModelPrice(
                per_second=0.20,
                per_second_by_resolution=(("720p", 0.20), ("480p", 0.12)),
            ),
            "bytedance/doubao-seedance-2.0-fast": ModelPrice(
                per_second=0.16,
                per_second_by_resolution=(("720p", 0.16), ("480p", 0.10)),
            ),
            "kling/kling-std": ModelPrice(per_second=0.168),
            "kling/kling-pro": ModelPrice(per_second=0.224),
        }
    ),
    media_models=MappingProxyType(
        {"image": "bytedance/doubao-seedream-5.0", "video": "bytedance/doubao-seedance-2.0"}
    ),
    media_dialects=MappingProxyType({"video": "tokenhub-video"}),
    error_dialect="openai",
    reasoning_field="reasoning_content",
    default_embedding_model="openai/text-embedding-3-small",
)

_REGISTRY: dict[str, HubProfile] = {
    p.name: p for p in (ELECTRONHUB, CHAINHUB, APIHUB, TOKENHUB)
}
_LOCK = threading.Lock()


def register_hub(profile: HubProfile, *, replace: bool = False) -> HubProfile:
    """Add a hub. Every client and adapter then accepts ``hub=profile.name``.

    Raises:
        ValueError: the name is taken and ``replace`` is False.
    """
    key = profile.name.lower()
    with _LOCK:
        if key in _REGISTRY and not replace:
            raise ValueError(
                f"a hub named {key!r} is already registered; pass replace=True to override it"
            )
        _REGISTRY[key] = profile
    return profile


def get_hub(name: str | HubProfile) -> HubProfile:
    """The profile for ``name`` (case-insensitive); a profile passes through unchanged.

    Raises:
        ValueError: an unknown name; the message lists the valid ones.
    """
    if isinstance(name, HubProfile):
        return name
    key = name.lower()
    profile = _REGISTRY.get(key) or _REGISTRY.get(
        key.replace(" ", "").replace("_", "").replace("-", "")
    )
    if profile is None:
        valid = ", ".join(repr(n) for n in sorted(_REGISTRY))
        raise ValueError(f"unknown hub {name!r}; valid hubs: {valid}")
    return profile


def list_hubs() -> list[str]:
    """Names of every registered hub."""
    return sorted(_REGISTRY)
