"""ai-hubs core: framework-free client for Electron Hub, ChainHub, API Hub and TokenHub.

Names are imported on first use, so ``import hub_core`` stays cheap.

Example:
    >>> from hub_core import HubClient, get_hub
    >>> get_hub("electronhub").api_key_env
    'ELECTRONHUB_API_KEY'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub_core._lazy import lazy_exports
from hub_core._version import __version__

if TYPE_CHECKING:
    from hub_core.account import (
        APIHubAccount,
        APIKey,
        Balance,
        LoginResult,
        RegisterResult,
        UsageRecord,
    )
    from hub_core.catalog import ModelInfo, model_info
    from hub_core.client import HubClient
    from hub_core.credits import BudgetGuard, Cost, UsageTally, cost_of
    from hub_core.embeddings import EmbeddingInputError, EmbeddingsEngine
    from hub_core.errors import (
        AuthenticationError,
        BadRequestError,
        BudgetExceededError,
        DownloadError,
        HubAPIError,
        HubCapabilityError,
        HubConnectionError,
        HubError,
        HubInputError,
        HubTimeoutError,
        InsufficientCreditsError,
        InvalidResponseError,
        MediaJobError,
        MediaJobTimeout,
        ModelNotFoundError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        StreamError,
        UnsupportedFeatureError,
        UpstreamError,
    )
    from hub_core.hubs import HubProfile, ModelPrice, PlanLimits, get_hub, list_hubs, register_hub
    from hub_core.tokens import count_message_tokens, count_tokens

_ERRORS = [
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "DownloadError",
    "HubAPIError",
    "HubCapabilityError",
    "HubConnectionError",
    "HubError",
    "HubInputError",
    "HubTimeoutError",
    "InsufficientCreditsError",
    "InvalidResponseError",
    "MediaJobError",
    "MediaJobTimeout",
    "ModelNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StreamError",
    "UnsupportedFeatureError",
    "UpstreamError",
]

_EXPORTS: dict[str, str] = {
    "HubClient": "hub_core.client",
    "APIHubAccount": "hub_core.account",
    "APIKey": "hub_core.account",
    "Balance": "hub_core.account",
    "LoginResult": "hub_core.account",
    "RegisterResult": "hub_core.account",
    "UsageRecord": "hub_core.account",
    "HubProfile": "hub_core.hubs",
    "ModelPrice": "hub_core.hubs",
    "PlanLimits": "hub_core.hubs",
    "get_hub": "hub_core.hubs",
    "list_hubs": "hub_core.hubs",
    "register_hub": "hub_core.hubs",
    "ModelInfo": "hub_core.catalog",
    "model_info": "hub_core.catalog",
    "BudgetGuard": "hub_core.credits",
    "Cost": "hub_core.credits",
    "UsageTally": "hub_core.credits",
    "cost_of": "hub_core.credits",
    "count_tokens": "hub_core.tokens",
    "EmbeddingsEngine": "hub_core.embeddings",
    "EmbeddingInputError": "hub_core.embeddings",
    "count_message_tokens": "hub_core.tokens",
    **dict.fromkeys(_ERRORS, "hub_core.errors"),
}

__all__ = [
    "APIHubAccount",
    "APIKey",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "BudgetExceededError",
    "BudgetGuard",
    "Cost",
    "DownloadError",
    "EmbeddingInputError",
    "EmbeddingsEngine",
    "HubAPIError",
    "HubCapabilityError",
    "HubClient",
    "HubConnectionError",
    "HubError",
    "HubInputError",
    "HubProfile",
    "HubTimeoutError",
    "InsufficientCreditsError",
    "InvalidResponseError",
    "LoginResult",
    "MediaJobError",
    "MediaJobTimeout",
    "ModelInfo",
    "ModelNotFoundError",
    "ModelPrice",
    "NotFoundError",
    "PermissionDeniedError",
    "PlanLimits",
    "RateLimitError",
    "RegisterResult",
    "ServerError",
    "StreamError",
    "UnsupportedFeatureError",
    "UpstreamError",
    "UsageRecord",
    "UsageTally",
    "__version__",
    "cost_of",
    "count_message_tokens",
    "count_tokens",
    "get_hub",
    "list_hubs",
    "model_info",
    "register_hub",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
