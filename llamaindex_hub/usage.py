"""``HubUsageHandler``: requests, tokens and cost of hub calls, from LlamaIndex instrumentation.

Every ``HubLLM`` reply (chat, complete, streams once they finish) and every ``HubEmbedding``
request dispatches one :class:`HubUsageEvent` (hub, model, tokens, cost) through LlamaIndex's
dispatcher tree. The handler, added to the root dispatcher, sums them; it sees calls from any
thread, task or worker of this process.

Example:
    .. code-block:: python

        from llamaindex_hub import HubUsageHandler, TokenHubLLM

        with HubUsageHandler() as usage:        # added to the root dispatcher, removed after
            TokenHubLLM(model="openai/gpt-4.1").complete("Hello")
        usage.requests, usage.total_tokens, usage.cost   # 1, ..., {"credits": ...}

        totals = HubUsageHandler().attach()     # or keep one for the whole program
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers.base import (  # type: ignore[attr-defined]
    BaseEventHandler,
)
from llama_index.core.instrumentation.events.base import BaseEvent  # type: ignore[attr-defined]
from pydantic import PrivateAttr
from typing_extensions import Self

from hub_core.chat import Usage, parse_usage
from hub_core.credits import Cost, reply_cost
from hub_core.hubs import get_hub
from hub_core.usage import UsageFigures, UsageTally

__all__ = ["HubUsageEvent", "HubUsageHandler", "dispatch_reply_usage", "dispatch_usage"]

dispatcher = get_dispatcher(__name__)


class HubUsageEvent(BaseEvent):
    """One hub request's usage: ``hub``, ``model``, tokens (None: not reported), ``cost`` in
    ``cost_unit`` (None: unpriced) and ``kind`` (``chat``, ``embeddings``, or a media kind)."""

    hub: str
    model: str
    kind: str = "chat"
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    cost: float | None = None
    cost_unit: str | None = None

    @classmethod
    def class_name(cls) -> str:
        return "HubUsageEvent"

    def usage(self) -> Usage | None:
        """The tokens as ``hub_core`` figures, None when the hub reported none."""
        if self.input_tokens is None and self.output_tokens is None:
            return None
        given_in, given_out = self.input_tokens or 0, self.output_tokens or 0
        return Usage(given_in, given_out, self.total_tokens or given_in + given_out)

    def cost_figure(self) -> Cost | None:
        """The cost as a ``hub_core`` :class:`Cost`, None when unpriced."""
        if self.cost is None or self.cost_unit is None:
            return None
        return Cost(self.cost, self.cost_unit)


class UsageEvents:
    """A ``hub_core.usage`` sink that turns each record into a :class:`HubUsageEvent`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def record(self, hub: str, model: str, usage: Usage | None, cost: Cost | None) -> None:
        """Dispatch the record as an event (from the caller's thread and span)."""
        dispatch_usage(hub, model, usage, cost, kind=self.kind)


def dispatch_usage(
    hub: str, model: str, usage: Usage | None, cost: Cost | None, *, kind: str = "chat"
) -> None:
    """Dispatch one request's usage to LlamaIndex's handlers (a media tool calls this too)."""
    dispatcher.event(
        HubUsageEvent(
            hub=hub,
            model=model,
            kind=kind,
            input_tokens=None if usage is None else usage.input_tokens,
            output_tokens=None if usage is None else usage.output_tokens,
            total_tokens=None if usage is None else usage.total_tokens,
            cost=None if cost is None else cost.amount,
            cost_unit=None if cost is None else cost.unit,
        )
    )


def dispatch_reply_usage(hub: str, model: str, usage: Mapping[str, Any] | None) -> None:
    """Dispatch a chat reply's ``usage`` object (its ``cost`` when the hub sent one)."""
    dispatch_usage(hub, model, parse_usage(usage), reply_cost(get_hub(hub), model, usage))


class HubUsageHandler(BaseEventHandler):
    """Sums :class:`HubUsageEvent`s: the attributes and totals of LangChain's ``hub_usage()``.

    Every ``HubLLM`` reply (a stream once it ends) and every ``HubEmbedding`` request dispatches
    one event through LlamaIndex's dispatcher tree; the handler, added to the root dispatcher,
    sees calls from any thread, task or worker of this process. Thread-safe.

    Setup:
        Ships with ``ai-hubs[llamaindex]``; it holds figures only, never a key.

    Attributes:
        ``requests``, ``input_tokens``, ``output_tokens``, ``total_tokens``, ``cost`` (unit ->
        amount), ``unpriced_requests``, ``by_model`` (``"hub:model"`` -> the same figures as a
        ``UsageFigures``) and ``figures()`` (a consistent snapshot).

    Instantiate and count:
        As a context manager it attaches to the root dispatcher and detaches at the end:

        .. code-block:: python

            from llamaindex_hub import HubEmbedding, HubLLM, HubUsageHandler

            llm = HubLLM(hub="tokenhub", model="openai/gpt-4.1", base_url=emu.base_url("tokenhub"),
                         api_key="th-demo", rpm=0)
            embed_model = HubEmbedding(hub="tokenhub", base_url=emu.base_url("tokenhub"),
                                       api_key="th-demo", rpm=0)
            with HubUsageHandler() as usage:
                llm.complete("Hello")
                embed_model.get_text_embedding_batch(["one", "two"])
            usage.requests, usage.total_tokens, usage.cost  # (2, ..., {"credits": ...})
            usage.by_model["tokenhub:openai/gpt-4.1"].output_tokens

    Keep it for the whole program:
        .. code-block:: python

            totals = HubUsageHandler().attach()  # added once, however often attach() is called
            llm.complete("Hello")
            totals.detach()  # stops counting; the totals are kept
            totals.requests  # 1
    """

    _tally: UsageTally = PrivateAttr(default_factory=UsageTally)

    @classmethod
    def class_name(cls) -> str:
        return "HubUsageHandler"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        """Count a :class:`HubUsageEvent`; every other event is ignored."""
        if isinstance(event, HubUsageEvent):
            self._tally.record(event.hub, event.model, event.usage(), event.cost_figure())

    # -- figures ---------------------------------------------------------------------------

    def figures(self) -> UsageFigures:
        """A consistent snapshot of the totals."""
        return self._tally.figures()

    @property
    def requests(self) -> int:
        """Hub requests counted."""
        return self._tally.requests

    @property
    def input_tokens(self) -> int:
        """Prompt / input tokens."""
        return self._tally.input_tokens

    @property
    def output_tokens(self) -> int:
        """Completion / output tokens."""
        return self._tally.output_tokens

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self._tally.total_tokens

    @property
    def cost(self) -> dict[str, float]:
        """Cost per price unit."""
        return self._tally.cost

    @property
    def unpriced_requests(self) -> int:
        """Requests whose cost is unknown."""
        return self._tally.unpriced_requests

    @property
    def by_model(self) -> dict[str, UsageFigures]:
        """The same figures per ``"hub:model"``."""
        return self._tally.by_model

    # -- attaching -------------------------------------------------------------------------

    def attach(self) -> Self:
        """Add this handler to LlamaIndex's root dispatcher (once); returns it."""
        root = get_dispatcher()
        if not any(handler is self for handler in root.event_handlers):
            root.add_event_handler(self)
        return self

    def detach(self) -> None:
        """Remove this handler from the root dispatcher (totals are kept)."""
        root = get_dispatcher()
        root.event_handlers = [h for h in root.event_handlers if h is not self]

    def __enter__(self) -> Self:
        return self.attach()

    def __exit__(self, *exc: object) -> None:
        self.detach()

    def __repr__(self) -> str:
        return repr(self._tally).replace("UsageTally", "HubUsageHandler", 1)

    __str__ = __repr__  # pydantic's __str__ lists fields, and this handler has none: print() was ""
