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
    from hub_core.budget import Budget, Reservation
    from hub_core.catalog import ModelInfo, model_info
    from hub_core.client import HubClient
    from hub_core.credits import Cost, cost_of, media_worst_case
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
        MediaFormatError,
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
    from hub_core.media import HubMedia, JobRecord, MediaJob, MediaResult, Transcription
    from hub_core.tokens import count_message_tokens, count_tokens
    from hub_core.usage import UsageFigures, UsageTally, collecting, report_usage

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
    "MediaFormatError",
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
    "Budget": "hub_core.budget",
    "Reservation": "hub_core.budget",
    "Cost": "hub_core.credits",
    "cost_of": "hub_core.credits",
    "media_worst_case": "hub_core.credits",
    "UsageFigures": "hub_core.usage",
    "UsageTally": "hub_core.usage",
    "collecting": "hub_core.usage",
    "report_usage": "hub_core.usage",
    "count_tokens": "hub_core.tokens",
    "EmbeddingsEngine": "hub_core.embeddings",
    "EmbeddingInputError": "hub_core.embeddings",
    "count_message_tokens": "hub_core.tokens",
    "HubMedia": "hub_core.media.client",
    "MediaJob": "hub_core.media.jobs",
    "MediaResult": "hub_core.media.results",
    "JobRecord": "hub_core.media.journal",
    "Transcription": "hub_core.media.audio",
    **dict.fromkeys(_ERRORS, "hub_core.errors"),
}

__all__ = [
    "APIHubAccount",
    "APIKey",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "Budget",
    "BudgetExceededError",
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
    "HubMedia",
    "HubProfile",
    "HubTimeoutError",
    "InsufficientCreditsError",
    "InvalidResponseError",
    "JobRecord",
    "LoginResult",
    "MediaFormatError",
    "MediaJob",
    "MediaJobError",
    "MediaJobTimeout",
    "MediaResult",
    "ModelInfo",
    "ModelNotFoundError",
    "ModelPrice",
    "NotFoundError",
    "PermissionDeniedError",
    "PlanLimits",
    "RateLimitError",
    "RegisterResult",
    "Reservation",
    "ServerError",
    "StreamError",
    "Transcription",
    "UnsupportedFeatureError",
    "UpstreamError",
    "UsageFigures",
    "UsageRecord",
    "UsageTally",
    "__version__",
    "collecting",
    "cost_of",
    "count_message_tokens",
    "count_tokens",
    "get_hub",
    "list_hubs",
    "media_worst_case",
    "model_info",
    "register_hub",
    "report_usage",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
