"""LlamaIndex integrations for Electron Hub, ChainHub, API Hub and TokenHub.

Names are imported lazily so ``import llamaindex_hub`` stays cheap.

Example:
    >>> from llamaindex_hub import TokenHubLLM
    >>> llm = TokenHubLLM(model="openai/gpt-4.1")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub_core._lazy import lazy_exports
from hub_core._version import __version__

if TYPE_CHECKING:
    from hub_core.budget import Budget
    from hub_core.errors import BudgetExceededError
    from llamaindex_hub.embeddings import (
        APIHubEmbedding,
        ChainHubEmbedding,
        ElectronHubEmbedding,
        HubEmbedding,
        TokenHubEmbedding,
    )
    from llamaindex_hub.hub_llms import APIHubLLM, ChainHubLLM, ElectronHubLLM, TokenHubLLM
    from llamaindex_hub.llms import HubLLM
    from llamaindex_hub.media_tools import HubMediaToolSpec
    from llamaindex_hub.usage import HubUsageEvent, HubUsageHandler

_EXPORTS: dict[str, str] = {
    "HubLLM": "llamaindex_hub.llms",
    "ElectronHubLLM": "llamaindex_hub.hub_llms",
    "ChainHubLLM": "llamaindex_hub.hub_llms",
    "APIHubLLM": "llamaindex_hub.hub_llms",
    "TokenHubLLM": "llamaindex_hub.hub_llms",
    "HubEmbedding": "llamaindex_hub.embeddings",
    "ElectronHubEmbedding": "llamaindex_hub.embeddings",
    "ChainHubEmbedding": "llamaindex_hub.embeddings",
    "APIHubEmbedding": "llamaindex_hub.embeddings",
    "TokenHubEmbedding": "llamaindex_hub.embeddings",
    "Budget": "hub_core.budget",
    "BudgetExceededError": "hub_core.errors",
    "HubMediaToolSpec": "llamaindex_hub.media_tools",
    "HubUsageEvent": "llamaindex_hub.usage",
    "HubUsageHandler": "llamaindex_hub.usage",
}

__all__ = [
    "APIHubEmbedding",
    "APIHubLLM",
    "Budget",
    "BudgetExceededError",
    "ChainHubEmbedding",
    "ChainHubLLM",
    "ElectronHubEmbedding",
    "ElectronHubLLM",
    "HubEmbedding",
    "HubLLM",
    "HubMediaToolSpec",
    "HubUsageEvent",
    "HubUsageHandler",
    "TokenHubEmbedding",
    "TokenHubLLM",
    "__version__",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
