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
    from llamaindex_hub.embeddings import (
        APIHubEmbedding,
        ChainHubEmbedding,
        ElectronHubEmbedding,
        HubEmbedding,
        TokenHubEmbedding,
    )
    from llamaindex_hub.llms import (
        APIHubLLM,
        ChainHubLLM,
        ElectronHubLLM,
        HubLLM,
        TokenHubLLM,
    )

_EXPORTS: dict[str, str] = {
    "HubLLM": "llamaindex_hub.llms",
    "ElectronHubLLM": "llamaindex_hub.llms",
    "ChainHubLLM": "llamaindex_hub.llms",
    "APIHubLLM": "llamaindex_hub.llms",
    "TokenHubLLM": "llamaindex_hub.llms",
    "HubEmbedding": "llamaindex_hub.embeddings",
    "ElectronHubEmbedding": "llamaindex_hub.embeddings",
    "ChainHubEmbedding": "llamaindex_hub.embeddings",
    "APIHubEmbedding": "llamaindex_hub.embeddings",
    "TokenHubEmbedding": "llamaindex_hub.embeddings",
}

__all__ = [
    "APIHubEmbedding",
    "APIHubLLM",
    "ChainHubEmbedding",
    "ChainHubLLM",
    "ElectronHubEmbedding",
    "ElectronHubLLM",
    "HubEmbedding",
    "HubLLM",
    "TokenHubEmbedding",
    "TokenHubLLM",
    "__version__",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
