"""Usage and cost totals: a thread-safe tally, and a context-scoped way to report into it.

Chat usage reaches the framework totals through the frameworks' own channels (LangChain
callbacks, LlamaIndex events). Embeddings and media calls have no such channel, so they call
:func:`report_usage`, which adds one record to every tally made active with :func:`collecting`
in the current context. Contexts follow ``asyncio`` tasks and LangChain's thread pools, so
``gather`` and ``batch`` report into the tally of the code that started them.

Example:
    >>> from hub_core.chat import Usage
    >>> from hub_core.credits import Cost
    >>> with collecting() as tally:
    ...     report_usage("tokenhub", "openai/text-embedding-3-small", Usage(8, 0, 8),
    ...                  Cost(1.6e-07, "credits"))
    >>> tally.requests, tally.input_tokens, tally.cost
    (1, 8, {'credits': 1.6e-07})
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, overload

from hub_core.chat import Usage
from hub_core.credits import Cost, ExactSum


@dataclass(frozen=True)
class UsageFigures:
    """Totals over some calls: requests, tokens, cost per unit, and calls of unknown cost."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost: Mapping[str, float] = field(default_factory=dict)
    unpriced_requests: int = 0


class _Bucket:
    """Mutable totals behind a lock (the tally's)."""

    __slots__ = ("cost", "input_tokens", "output_tokens", "requests", "total_tokens", "unpriced")

    def __init__(self) -> None:
        self.requests = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.total_tokens = 0
        self.unpriced = 0
        self.cost: dict[str, ExactSum] = {}

    def add(self, usage: Usage | None, cost: Cost | None, requests: int) -> None:
        self.requests += requests
        if usage is not None:
            self.input_tokens += usage.input_tokens
            self.output_tokens += usage.output_tokens
            self.total_tokens += usage.total_tokens or usage.input_tokens + usage.output_tokens
        if cost is None:
            self.unpriced += requests
        else:
            self.cost.setdefault(cost.unit, ExactSum()).add(cost.amount)

    def figures(self) -> UsageFigures:
        return UsageFigures(
            requests=self.requests,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            total_tokens=self.total_tokens,
            cost={unit: total.value for unit, total in self.cost.items()},
            unpriced_requests=self.unpriced,
        )


class UsageTally:
    """Running totals of requests, tokens and cost, overall and per ``"hub:model"``.

    Thread-safe; cost sums are exact (:class:`~hub_core.credits.ExactSum`), so they equal the
    hub ledger's total for the same calls. ``unpriced_requests`` counts calls whose cost is
    unknown (they add tokens but no cost).
    """

    def __init__(self) -> None:
        self._tally_lock = threading.Lock()
        self._total = _Bucket()
        self._models: dict[str, _Bucket] = {}

    def record(
        self,
        hub: str,
        model: str,
        usage: Usage | None,
        cost: Cost | None,
        *,
        requests: int = 1,
    ) -> None:
        """Add one call (or ``requests`` calls) of ``model`` on ``hub``.

        ``usage`` None means the hub reported no tokens; ``cost`` None means unpriced.
        """
        key = f"{hub}:{model}"
        with self._tally_lock:
            self._total.add(usage, cost, requests)
            bucket = self._models.get(key)
            if bucket is None:
                bucket = self._models[key] = _Bucket()
            bucket.add(usage, cost, requests)

    def figures(self) -> UsageFigures:
        """A consistent snapshot of the totals."""
        with self._tally_lock:
            return self._total.figures()

    @property
    def requests(self) -> int:
        """Calls recorded."""
        return self.figures().requests

    @property
    def input_tokens(self) -> int:
        """Prompt / input tokens."""
        return self.figures().input_tokens

    @property
    def output_tokens(self) -> int:
        """Completion / output tokens."""
        return self.figures().output_tokens

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens (as the hubs reported the totals)."""
        return self.figures().total_tokens

    @property
    def cost(self) -> dict[str, float]:
        """Cost per price unit, e.g. ``{"credits": 12.5}``."""
        return dict(self.figures().cost)

    @property
    def unpriced_requests(self) -> int:
        """Calls whose cost is unknown."""
        return self.figures().unpriced_requests

    @property
    def by_model(self) -> dict[str, UsageFigures]:
        """The same figures per ``"hub:model"``."""
        with self._tally_lock:
            return {key: bucket.figures() for key, bucket in self._models.items()}

    def __repr__(self) -> str:
        f = self.figures()
        return (
            f"{type(self).__name__}(requests={f.requests}, input_tokens={f.input_tokens}, "
            f"output_tokens={f.output_tokens}, cost={dict(f.cost)}, "
            f"unpriced_requests={f.unpriced_requests})"
        )


class UsageSink(Protocol):
    """Anything that takes usage records: a :class:`UsageTally`, or an adapter's event bridge."""

    def record(self, hub: str, model: str, usage: Usage | None, cost: Cost | None) -> None:
        """Take one call's record."""


_ACTIVE: ContextVar[tuple[UsageSink, ...]] = ContextVar("ai_hubs_usage_sinks", default=())


def reporting() -> bool:
    """Whether any sink is collecting in this context (skip the work of a report if not)."""
    return bool(_ACTIVE.get())


def report_usage(hub: str, model: str, usage: Usage | None, cost: Cost | None) -> None:
    """Add one call to every sink collecting in this context (a no-op when there is none).

    Embeddings (``HubClient.embed``) and media code call this once per request the hub
    answered; ``usage`` None means no token figures, ``cost`` None means unpriced.
    """
    for sink in _ACTIVE.get():
        sink.record(hub, model, usage, cost)


SinkT = TypeVar("SinkT", bound=UsageSink)


@overload
def collecting() -> AbstractContextManager[UsageTally]: ...
@overload
def collecting(sink: SinkT) -> AbstractContextManager[SinkT]: ...
def collecting(sink: UsageSink | None = None) -> AbstractContextManager[UsageSink]:
    """Make ``sink`` (a new :class:`UsageTally` by default) receive :func:`report_usage` here.

    Nested scopes all receive each report. Threads started by hand do not inherit the context;
    run them with ``contextvars.copy_context().run`` (LangChain's executors already do).
    """
    return _collecting(UsageTally() if sink is None else sink)


@contextmanager
def _collecting(sink: SinkT) -> Iterator[SinkT]:
    token = _ACTIVE.set((*_ACTIVE.get(), sink))
    try:
        yield sink
    finally:
        _ACTIVE.reset(token)
