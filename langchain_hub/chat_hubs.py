"""The per-hub LangChain chat models: ``ChatHub`` with the hub fixed (and its env vars).

Their serialized ids stay ``["langchain_hub", "chat_models", <class>]`` (``ChatHub``'s
namespace); ``chat_models`` resolves these names lazily.
"""

from __future__ import annotations

from langchain_hub.chat_models import ChatHub, register_serializable

__all__ = ["ChatAPIHub", "ChatChainHub", "ChatElectronHub", "ChatTokenHub"]


class ChatElectronHub(ChatHub):
    """Electron Hub chat model (keys ``ek-``; env ``ELECTRONHUB_API_KEY`` / ``_BASE_URL``).

    Example:
        .. code-block:: python

            from langchain_hub import ChatElectronHub

            llm = ChatElectronHub(model="gpt-4o")
            llm.invoke("Hello")
    """

    hub: str = "electronhub"


class ChatChainHub(ChatHub):
    """ChainHub chat model (keys ``sk-``; env ``CHAINHUB_API_KEY`` / ``_BASE_URL``).

    Example:
        .. code-block:: python

            from langchain_hub import ChatChainHub

            llm = ChatChainHub(model="gpt-4o-mini")
    """

    hub: str = "chainhub"


class ChatAPIHub(ChatHub):
    """API Hub chat model (keys ``sk-``; env ``APIHUB_API_KEY`` / ``_BASE_URL``; 402 = no tokens).

    Example:
        .. code-block:: python

            from langchain_hub import ChatAPIHub

            llm = ChatAPIHub(model="deepseek-chat")
    """

    hub: str = "apihub"


class ChatTokenHub(ChatHub):
    """TokenHub chat model (keys ``th-``; ``vendor/model`` ids; env ``TOKENHUB_API_KEY``).

    Example:
        .. code-block:: python

            from langchain_hub import ChatTokenHub

            llm = ChatTokenHub(model="openai/gpt-4.1")
    """

    hub: str = "tokenhub"


register_serializable(ChatElectronHub, ChatChainHub, ChatAPIHub, ChatTokenHub)
