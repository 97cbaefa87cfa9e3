"""``hub_usage()``: requests, tokens and cost of every hub call in a block, for LangChain.

Chat calls are counted by :class:`HubUsageCallbackHandler`, a subclass of langchain-core's
``UsageMetadataCallbackHandler`` (its ``usage_metadata`` per model name is kept as LangChain
computes it); the handler adds the hub, the cost from ``response_metadata["cost"]`` and a request
count. Embeddings have no LangChain usage callback, so ``HubEmbeddings`` report through
``hub_core.usage`` into the same handler. Both channels follow the context, so threads from
``batch``, ``asyncio.gather`` tasks and streams inside the block are counted, each call once.

Example:
    .. code-block:: python

        from langchain_hub import ChatTokenHub, TokenHubEmbeddings, hub_usage

        with hub_usage() as usage:
            ChatTokenHub(model="openai/gpt-4.1").invoke("Hello")
            TokenHubEmbeddings().embed_documents(["one", "two"])
        usage.requests, usage.total_tokens, usage.cost   # 2, ..., {"credits": ...}
        usage.by_model["tokenhub:openai/gpt-4.1"].cost
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import UsageMetadataCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from hub_core.chat import Usage
from hub_core.credits import Cost
from hub_core.usage import UsageTally, collecting

__all__ = ["HubUsageCallbackHandler", "hub_usage"]


def _usage_of(message: AIMessage) -> Usage | None:
    meta = message.usage_metadata
    if not meta:
        return None
    return Usage(meta["input_tokens"], meta["output_tokens"], meta["total_tokens"])


def _cost_of(metadata: Mapping[str, Any]) -> Cost | None:
    amount = metadata.get("cost")
    unit = metadata.get("cost_unit")
    if isinstance(amount, int | float) and not isinstance(amount, bool) and isinstance(unit, str):
        return Cost(float(amount), unit)
    return None


class HubUsageCallbackHandler(UsageMetadataCallbackHandler, UsageTally):
    """``UsageMetadataCallbackHandler`` that also counts requests and cost per hub and model.

    Usually made by :func:`hub_usage`, which attaches it to every run in a block and also counts
    embeddings and media. Passed by hand as a callback it counts the chat runs it is given to.

    Setup:
        Ships with ``ai-hubs[langchain]``; it holds figures only, never a key.

    Attributes:
        ``requests``, ``input_tokens``, ``output_tokens``, ``total_tokens``, ``cost`` (unit ->
        amount), ``unpriced_requests``, ``by_model`` (``"hub:model"`` -> the same figures as a
        ``UsageFigures``), ``figures()`` (a consistent snapshot), and langchain-core's
        ``usage_metadata`` (per model name, as LangChain computes it). All thread-safe.

    Instantiate and count:
        .. code-block:: python

            from langchain_hub import ChatHub, HubUsageCallbackHandler

            llm = ChatHub(hub="tokenhub", model="openai/gpt-4.1", base_url=emu.base_url("tokenhub"),
                          api_key="th-demo", rpm=0)
            handler = HubUsageCallbackHandler()
            llm.invoke("Say hello", config={"callbacks": [handler]})
            handler.requests, handler.total_tokens, handler.cost  # (1, ..., {"credits": ...})

    Per model:
        .. code-block:: python

            handler.by_model["tokenhub:openai/gpt-4.1"].total_tokens
            handler.usage_metadata["openai/gpt-4.1"]  # {"input_tokens": ..., ...}

    A chat model from another integration is counted too (its hub is its ``model_provider``,
    its cost unknown unless its ``response_metadata`` has ``cost`` and ``cost_unit``).
    """

    run_inline = True  # a few additions under a lock: no need for a thread hop in async runs

    def __init__(self, parent: HubUsageCallbackHandler | None = None) -> None:
        UsageMetadataCallbackHandler.__init__(self)
        UsageTally.__init__(self)
        self.parent = parent  # an enclosing hub_usage() handler: it sees every call this one sees

    def __repr__(self) -> str:
        return UsageTally.__repr__(self)

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Count one chat call: langchain-core's tokens per model, plus hub, request and cost."""
        super().on_llm_end(response, **kwargs)
        for generations in response.generations[:1]:
            for generation in generations[:1]:
                if isinstance(generation, ChatGeneration) and isinstance(
                    generation.message, AIMessage
                ):
                    message = generation.message
                    meta = message.response_metadata
                    hub = str(meta.get("model_provider") or "unknown")
                    model = str(meta.get("model_name") or "unknown")
                    self.record(hub, model, _usage_of(message), _cost_of(meta))
        if self.parent is not None:
            self.parent.on_llm_end(response, **kwargs)


_CURRENT: ContextVar[HubUsageCallbackHandler | None] = ContextVar(
    "ai_hubs_hub_usage", default=None
)
register_configure_hook(_CURRENT, inheritable=True)


@contextmanager
def hub_usage() -> Iterator[HubUsageCallbackHandler]:
    """Count every hub call made inside the block (chat, streams, batches, embeddings).

    Like ``langchain_core.callbacks.get_usage_metadata_callback``, the handler is attached to
    every LangChain run started in this context; embeddings and media report into it through
    ``hub_core.usage``. Blocks nest: an outer block also counts what inner blocks count.
    Threads you start by hand must run in a copy of the context
    (``contextvars.copy_context().run``); LangChain's own executors already do.

    Example:
        .. code-block:: python

            from langchain_hub import ChatHub, HubEmbeddings, hub_usage

            llm = ChatHub(hub="tokenhub", model="openai/gpt-4.1", base_url=emu.base_url("tokenhub"),
                          api_key="th-demo", rpm=0)
            emb = HubEmbeddings(hub="tokenhub", base_url=emu.base_url("tokenhub"),
                                api_key="th-demo", rpm=0)
            with hub_usage() as usage:
                llm.invoke("Hello")
                llm.batch(["one", "two"])  # threads: counted
                emb.embed_documents(["one", "two"])
            usage.requests, usage.total_tokens, usage.cost  # (4, ..., {"credits": ...})
            usage.by_model["tokenhub:openai/gpt-4.1"].requests  # 3

    Nested blocks:
        .. code-block:: python

            with hub_usage() as outer:
                llm.invoke("a")
                with hub_usage() as inner:
                    llm.invoke("b")
            outer.requests, inner.requests  # (2, 1)
    """
    handler = HubUsageCallbackHandler(parent=_CURRENT.get())
    token = _CURRENT.set(handler)
    try:
        with collecting(handler):
            yield handler
    finally:
        _CURRENT.reset(token)
