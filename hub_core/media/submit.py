"""Paying once: the journal row comes first, the POST goes out once, its outcome is recorded.

Every paid media call -- an image, a speech clip, a video task -- goes through
:func:`paid_call`: record the submission, reserve the budget, POST with ``kind="submit"`` (the
transport retries only what never reached the hub, or a 429), then classify what happened:

- the hub answered: the caller parses the reply (:func:`accept`);
- the hub refused (402, 400, ...): the row is ``rejected``, the budget hold released, the
  typed error raised as is (``InsufficientCreditsError`` for a 402: never retried);
- the request went out but the reply never came back (connection cut, read timeout), or came
  back 2xx but unreadable (JSON cut short, a proxy's page): the row is ``lost`` and
  :class:`~hub_core.errors.MediaJobError` says the job may exist and why it was not submitted
  again (it could be paid twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub_core.credits import Cost
from hub_core.errors import (
    BudgetExceededError,
    HubAPIError,
    HubConnectionError,
    HubError,
    HubTimeoutError,
    InsufficientCreditsError,
    InvalidResponseError,
    MediaJobError,
    StreamError,
)
from hub_core.media.effects import Call, Flow
from hub_core.media.journal import JobRecord
from hub_core.media.spend import Spend

if TYPE_CHECKING:
    from hub_core.media.base import MediaBase

__all__ = [
    "Submission",
    "accept",
    "lost_error",
    "paid_call",
    "reply_was_lost",
    "send_once",
    "settle_failure",
]


@dataclass
class Submission:
    """One paid request as the journal records it (``request`` never holds a key or bytes)."""

    kind: str
    model: str
    endpoint: str
    request: Mapping[str, Any]
    cost: Cost | None
    dialect: str | None = None
    join: bool = False

    def spend(self, media: MediaBase) -> Spend:
        """The money side of this submission."""
        return Spend(media.budget, media.profile, self.model, self.kind, self.cost)


def _unreadable_success(exc: BaseException | None) -> bool:
    """A 2xx whose body could not be read: the hub (or what answered for it) said yes."""
    return isinstance(exc, InvalidResponseError) and 200 <= exc.status_code < 300


def reply_was_lost(exc: BaseException) -> bool:
    """True when the request may have reached the hub but no answer came back that can be read.

    A 2xx reply that is not valid JSON counts: the hub may have taken the job (a cut reply is
    its acceptance, cut), so it is never treated as a refusal the caller may simply retry.
    """
    if isinstance(exc, HubConnectionError):
        return exc.sent
    if isinstance(exc, HubTimeoutError):
        return exc.phase in ("read", "write")
    if isinstance(exc, StreamError):  # a cut or unreadable stream, not the hub's error event
        return not isinstance(exc.error, HubAPIError) or _unreadable_success(exc.error)
    if isinstance(exc, HubError):
        return _unreadable_success(exc)
    return True  # cancelled or interrupted mid-request


def lost_error(media: MediaBase, record: JobRecord, why: str) -> MediaJobError:
    """The error for a submission whose outcome is unknown (the row is already ``lost``)."""
    return MediaJobError(
        f"the {record.kind} request was sent but {why}; the job may exist on the hub (and may "
        f"be charged), so it was NOT submitted again, which could pay twice. Journal id "
        f"{record.local_id!r} is marked 'lost'; check the hub's dashboard or usage log before "
        "submitting again (force=True).",
        hub=media.hub,
        job_id=record.local_id,
        status="unknown",
    )


def settle_failure(
    media: MediaBase, record: JobRecord, spend: Spend, exc: BaseException
) -> BaseException:
    """Record why a submission did not go through; the exception the caller should raise."""
    if isinstance(exc, StreamError) and isinstance(exc.error, HubAPIError) and exc.chunks == 0:
        exc = exc.error  # the stream's first event was the hub's refusal (e.g. a 402)
    if reply_was_lost(exc):
        spend.unknown()
        if _unreadable_success(exc):
            why = "its reply could not be read (a success status with a body that is not JSON)"
        elif isinstance(exc, HubError):
            why = "its reply was lost"
        else:
            why = f"the call was interrupted ({type(exc).__name__}) before the reply came"
        detail = str(exc) if isinstance(exc, HubError) else type(exc).__name__
        record = media.journal.update(record.local_id, phase="lost", status=None, note=detail)
        if not isinstance(exc, HubError):
            return exc  # KeyboardInterrupt / CancelledError keep propagating as themselves
        err = lost_error(media, record, why)
        err.__cause__ = exc
        return err
    if isinstance(exc, HubAPIError) and exc.status_code >= 500:
        spend.unknown()  # the hub failed after taking the request: count it as maybe charged
    else:
        spend.refused()
    if isinstance(exc, InsufficientCreditsError):
        exc.fix = "top up, or pick a cheaper model, fewer images or a shorter duration"
    media.journal.update(record.local_id, phase="rejected", status="failed", note=str(exc)[:500])
    return exc


def send_once(call: Call) -> Flow[Any]:
    """The sub-flow of a plain POST: one ``Call``, its response."""
    response = yield call
    return response


def paid_call(
    media: MediaBase, sub: Submission, send: Flow[Any]
) -> Flow[tuple[JobRecord, Any, Spend]]:
    """Journal, reserve, then run ``send`` once; ``(row, what_send_returned_or_None, spend)``.

    ``send`` is the sub-flow that makes the request (``send_once(Call(...))``, or opening a
    stream and reading its first event). Its answer is None when ``sub.join`` found an
    identical active job: the returned row is that job's, and nothing was sent.
    """
    record, joined = media.journal.begin(
        hub=media.hub, base_url=media.base_url, key_fp=media.key_fp, model=sub.model,
        kind=sub.kind, dialect=sub.dialect, endpoint=sub.endpoint, request=sub.request,
        join=sub.join,
    )
    spend = sub.spend(media)
    if joined:
        return record, None, spend
    try:
        spend.reserve()
    except BudgetExceededError as exc:
        media.journal.update(record.local_id, phase="rejected", status="failed",
                             note=str(exc)[:500])
        raise
    try:
        response = yield from send
    except BaseException as exc:
        raise settle_failure(media, record, spend, exc)  # noqa: B904 - the cause is set inside
    return record, response, spend


def accept(
    media: MediaBase, record: JobRecord, spend: Spend, job_id: str | None, **changes: Any
) -> JobRecord:
    """The hub took the job: store its id (None: it gives none) and cost, settle, report."""
    cost = spend.cost
    record = media.journal.update(
        record.local_id, job_id=job_id, cost=None if cost is None else cost.amount,
        cost_unit=None if cost is None else cost.unit, **changes,
    )
    spend.accepted(record.id)
    return record
