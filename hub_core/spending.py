"""One budgeted request: reserve its worst case, then settle from the reply or the failure.

``HubClient`` wraps each chat, stream and embeddings request in a :class:`Spend` when a
``budget=`` is given, so every adapter path (sync, async, stream, batch) follows the same rules:

* the reservation happens before anything is sent (a refusal sends nothing); it starts from a
  free upper bound of the prompt (its UTF-8 size: a token is at least one byte) and counts the
  tokens exactly, offline, only when that bound does not fit, so a call is refused only when
  its exact worst case does not fit;
* a reply settles it to the reply's cost (:func:`hub_core.credits.reply_cost`); a stream whose
  hub sent no usage settles to a cost estimated offline from the streamed text;
* a failure the hub answered with a 4xx, or that never left the machine (connect / pool
  timeout, connection refused, bad input), releases it: hubs do not charge refused requests;
* any other failure (5xx, read timeout, dropped or abandoned stream, cancellation) settles it to
  the worst case, because the hub may have charged.

Example:
    >>> from hub_core import Budget, get_hub
    >>> budget = Budget(1, "USD")
    >>> body = {"model": "qwen-max", "max_tokens": 10, "messages": [{"role": "user",
    ...         "content": "hi"}]}
    >>> with chat_spend(budget, get_hub("apihub"), body) as spend:
    ...     cost = spend.settle_usage({"prompt_tokens": 8, "completion_tokens": 2})
    >>> budget.spent
    3e-06
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from hub_core.budget import Budget, Reservation
from hub_core.chat import Usage, parse_usage, partial_text
from hub_core.credits import (
    Cost,
    chat_prompt_tokens,
    chat_worst_case,
    cost_of,
    embeddings_worst_case,
    reply_cost,
)
from hub_core.errors import HubAPIError, HubConnectionError, HubTimeoutError
from hub_core.hubs import HubProfile


def may_have_charged(error: BaseException) -> bool:
    """False only when the failure shows the hub cannot have charged for the request."""
    if isinstance(error, HubAPIError):
        return not 400 <= error.status_code < 500
    if isinstance(error, HubConnectionError):
        return error.sent
    if isinstance(error, HubTimeoutError):
        return error.phase not in ("connect", "pool")
    # bad input (HubInputError is a ValueError too) is refused before anything is sent
    return not isinstance(error, ValueError | TypeError)


class Spend:
    """The reservation of one request; use as a context manager around sending it.

    Leaving the block with an exception finishes the reservation by :func:`may_have_charged`;
    leaving it normally without a settle counts the worst case (nothing said what it cost).
    "The worst case" is always the exact one: when only the free upper bound was reserved, the
    tokens are counted (offline) at that point, so a failure never counts the looser bound.
    """

    __slots__ = ("_exact_worst", "model", "profile", "reservation")

    def __init__(
        self,
        reservation: Reservation,
        profile: HubProfile,
        model: str,
        exact_worst: Callable[[], Cost | None] | None = None,
    ) -> None:
        self.reservation = reservation
        self.profile = profile
        self.model = model
        self._exact_worst = exact_worst

    def __enter__(self) -> Spend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None or may_have_charged(exc):
            self.settle_worst()
        else:
            self.reservation.release()

    def settle_worst(self) -> None:
        """Count the exact worst case (the hub may have charged it)."""
        if not self.reservation.open:
            return
        if self._exact_worst is None or not self.reservation.priced:
            self.reservation.settle_worst()
        else:
            self.reservation.settle(self._exact_worst())

    def settle(self, cost: Cost | None) -> None:
        """The call's real cost (None: unknown, the worst case is counted)."""
        if cost is None:
            self.settle_worst()
        else:
            self.reservation.settle(cost)

    def settle_usage(self, usage: Mapping[str, Any] | None) -> Cost | None:
        """Settle from a reply's ``usage`` object; returns the cost it stated or implied."""
        cost = reply_cost(self.profile, self.model, usage)
        self.settle(cost)
        return cost


def _reserve(
    budget: Budget, profile: HubProfile, model: str, worst: Callable[[bool], Cost | None]
) -> Spend:
    """Reserve a free upper bound (``worst(False)``); only when that does not fit, count the
    tokens exactly (``worst(True)``) before refusing, so the common case costs no tokenizing."""
    reservation = budget.try_reserve(worst(False), hub=profile.name, model=model)
    if reservation is not None:
        return Spend(reservation, profile, model, lambda: worst(True))
    return Spend(budget.reserve(worst(True), hub=profile.name, model=model), profile, model)


def chat_spend(budget: Budget, profile: HubProfile, payload: Mapping[str, Any]) -> Spend:
    """Reserve a chat request's worst case (raises ``BudgetExceededError``, nothing sent)."""
    model = str(payload.get("model") or "")
    return _reserve(budget, profile, model,
                    lambda exact: chat_worst_case(profile, payload, exact=exact))


def embeddings_spend(budget: Budget, profile: HubProfile, payload: Mapping[str, Any]) -> Spend:
    """Reserve an embeddings request's worst case (its input tokens x the price)."""
    model = str(payload.get("model") or "")
    inputs = payload.get("input")
    texts: str | Sequence[str] = inputs if isinstance(inputs, str | list) else []
    return _reserve(budget, profile, model,
                    lambda exact: embeddings_worst_case(profile, model, texts, exact=exact))


def stream_usage(chunks: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The ``usage`` object of a stream (its last chunk that carries one), else None."""
    for chunk in reversed(chunks):
        usage = chunk.get("usage")
        if isinstance(usage, Mapping) and usage:
            return usage
    return None


def stream_cost(
    profile: HubProfile, payload: Mapping[str, Any], chunks: Sequence[Mapping[str, Any]]
) -> Cost | None:
    """What a finished stream cost: from its usage chunk, else estimated offline (gap 3)."""
    model = str(payload.get("model") or "")
    usage = stream_usage(chunks)
    if usage is not None:
        return reply_cost(profile, model, usage)
    from hub_core.tokens import count_tokens

    prompt = chat_prompt_tokens(payload, model)
    completion = count_tokens(partial_text(chunks), model)
    return cost_of(profile, model, Usage(prompt, completion, prompt + completion, estimated=True))


def embeddings_usage(
    profile: HubProfile, model: str, body: Any
) -> tuple[Usage | None, Cost | None]:
    """Tokens and cost of one embeddings reply body."""
    usage = body.get("usage") if isinstance(body, Mapping) else None
    usage = usage if isinstance(usage, Mapping) else None
    return parse_usage(usage), reply_cost(profile, model, usage)
