"""LangChain integrations for Electron Hub, ChainHub, API Hub and TokenHub.

Names are imported lazily so ``import langchain_hub`` stays cheap.

Example:
    >>> from langchain_hub import ChatTokenHub
    >>> llm = ChatTokenHub(model="openai/gpt-4.1")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub_core._lazy import lazy_exports
from hub_core._version import __version__

if TYPE_CHECKING:
    from hub_core.budget import Budget
    from hub_core.errors import BudgetExceededError
    from langchain_hub._errors import is_retryable
    from langchain_hub.chat_hubs import ChatAPIHub, ChatChainHub, ChatElectronHub, ChatTokenHub
    from langchain_hub.chat_models import ChatHub
    from langchain_hub.embeddings import (
        APIHubEmbeddings,
        ChainHubEmbeddings,
        ElectronHubEmbeddings,
        HubEmbeddings,
        TokenHubEmbeddings,
    )
    from langchain_hub.usage import HubUsageCallbackHandler, hub_usage

_EXPORTS: dict[str, str] = {
    "ChatHub": "langchain_hub.chat_models",
    "ChatElectronHub": "langchain_hub.chat_hubs",
    "ChatChainHub": "langchain_hub.chat_hubs",
    "ChatAPIHub": "langchain_hub.chat_hubs",
    "ChatTokenHub": "langchain_hub.chat_hubs",
    "HubEmbeddings": "langchain_hub.embeddings",
    "ElectronHubEmbeddings": "langchain_hub.embeddings",
    "ChainHubEmbeddings": "langchain_hub.embeddings",
    "APIHubEmbeddings": "langchain_hub.embeddings",
    "TokenHubEmbeddings": "langchain_hub.embeddings",
    "is_retryable": "langchain_hub._errors",
    "Budget": "hub_core.budget",
    "BudgetExceededError": "hub_core.errors",
    "HubUsageCallbackHandler": "langchain_hub.usage",
    "hub_usage": "langchain_hub.usage",
}

__all__ = [
    "APIHubEmbeddings",
    "Budget",
    "BudgetExceededError",
    "ChainHubEmbeddings",
    "ChatAPIHub",
    "ChatChainHub",
    "ChatElectronHub",
    "ChatHub",
    "ChatTokenHub",
    "ElectronHubEmbeddings",
    "HubEmbeddings",
    "HubUsageCallbackHandler",
    "TokenHubEmbeddings",
    "__version__",
    "hub_usage",
    "is_retryable",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
