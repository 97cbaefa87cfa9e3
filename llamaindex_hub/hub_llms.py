"""The per-hub LlamaIndex LLMs: ``HubLLM`` with the hub fixed (and its env vars).

Their ``class_name()`` is the class name (``"TokenHubLLM"``), as before the split;
``llamaindex_hub.llms`` resolves these names lazily.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import SecretStr

from llamaindex_hub.llms import HubLLM

__all__ = ["APIHubLLM", "ChainHubLLM", "ElectronHubLLM", "TokenHubLLM"]


class _FixedHubLLM(HubLLM):
    """A ``HubLLM`` bound to one hub; ``hub`` may be passed only if it matches."""

    HUB: ClassVar[str] = ""

    def __init__(
        self,
        model: str | None = None,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        plan: str | None = None,
        rpm: int | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        additional_kwargs: Mapping[str, Any] | None = None,
        stream_usage: bool = True,
        reasoning_effort: str | None = None,
        rate_limiter: Any = None,
        **kwargs: Any,
    ) -> None:
        hub = kwargs.pop("hub", None) or self.HUB
        if hub != self.HUB:
            raise ValueError(f"{type(self).__name__} talks to {self.HUB!r}, not {hub!r}")
        super().__init__(
            model,
            hub=hub,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            plan=plan,
            rpm=rpm,
            temperature=temperature,
            max_tokens=max_tokens,
            additional_kwargs=additional_kwargs,
            stream_usage=stream_usage,
            reasoning_effort=reasoning_effort,
            rate_limiter=rate_limiter,
            **kwargs,
        )

    @classmethod
    def class_name(cls) -> str:
        return cls.__name__


class ElectronHubLLM(_FixedHubLLM):
    """Electron Hub chat models (``ek-`` keys; env ``ELECTRONHUB_API_KEY`` / ``_BASE_URL``).

    Same arguments and behaviour as :class:`~llamaindex_hub.llms.HubLLM`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from llamaindex_hub import ElectronHubLLM

            llm = ElectronHubLLM(model="gpt-4o")  # ELECTRONHUB_API_KEY, ELECTRONHUB_BASE_URL
            llm.complete("Hello").text
    """

    HUB: ClassVar[str] = "electronhub"

    __init__ = _FixedHubLLM.__init__  # an explicit signature for type checkers


class ChainHubLLM(_FixedHubLLM):
    """ChainHub chat models (``sk-`` keys; env ``CHAINHUB_API_KEY`` / ``_BASE_URL``).

    Same arguments and behaviour as :class:`~llamaindex_hub.llms.HubLLM`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from llamaindex_hub import ChainHubLLM

            llm = ChainHubLLM(model="gpt-4o-mini")  # CHAINHUB_API_KEY, CHAINHUB_BASE_URL
            llm.complete("Hello").text
    """

    HUB: ClassVar[str] = "chainhub"

    __init__ = _FixedHubLLM.__init__  # an explicit signature for type checkers


class APIHubLLM(_FixedHubLLM):
    """API Hub chat models (``sk-`` keys; env ``APIHUB_API_KEY`` / ``_BASE_URL``; 402 = no tokens).

    Same arguments and behaviour as :class:`~llamaindex_hub.llms.HubLLM`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from llamaindex_hub import APIHubLLM

            llm = APIHubLLM(model="deepseek-chat")  # APIHUB_API_KEY, APIHUB_BASE_URL
            llm.complete("Hello").text
    """

    HUB: ClassVar[str] = "apihub"

    __init__ = _FixedHubLLM.__init__  # an explicit signature for type checkers


class TokenHubLLM(_FixedHubLLM):
    """TokenHub chat models (``th-`` keys; ``vendor/model`` ids; env ``TOKENHUB_API_KEY``).

    Same arguments and behaviour as :class:`~llamaindex_hub.llms.HubLLM`, with ``hub`` fixed.

    Example:
        .. code-block:: python

            from llamaindex_hub import TokenHubLLM

            llm = TokenHubLLM(model="openai/gpt-4.1")  # TOKENHUB_API_KEY, TOKENHUB_BASE_URL
            llm.complete("Hello").text
    """

    HUB: ClassVar[str] = "tokenhub"

    __init__ = _FixedHubLLM.__init__  # an explicit signature for type checkers
