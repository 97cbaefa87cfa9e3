"""Accepting paid media work: the balance check (402), one charge, the job record in the ledger,
job faults (fail with a reason, take N seconds), and publishing result files as expiring URLs."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from .media_catalog import MediaModel, models_of
from .media_state import FileEntry, MediaJob
from .routes import Ctx, HTTPError

MP4_TYPE = "video/mp4"


def new_id(prefix: str, nbytes: int = 12) -> str:
    """A fresh job id like ``tsk-3f2a...``."""
    return f"{prefix}{secrets.token_hex(nbytes)}"


def bad_request(message: str, code: str = "invalid_request_error") -> HTTPError:
    """400 in the hub's dialect."""
    return HTTPError(400, message, code)


def unknown_model(ctx: Ctx, model: object, op: str) -> HTTPError:
    """404 ``model_not_found`` naming the models that would work."""
    if not isinstance(model, str) or not model:
        return bad_request("'model' is required")
    return HTTPError(404, f"The model `{model}` does not exist or does not support this "
                     f"endpoint. Models here: {', '.join(models_of(ctx.hub, op))}.",
                     "model_not_found")


def _insufficient(ctx: Ctx, balance: float, cost: float) -> HTTPError:
    if ctx.dialect.billing == "per_request":
        message = ctx.dialect.insufficient_message(balance=balance, needed=cost,
                                                   requested_tokens=0, affordable_tokens=0)
    else:
        message = (f"Insufficient credits: this request costs {cost:g} credits and the "
                   f"balance is {balance:g}.")
    return HTTPError(402, message, "insufficient_credits")


def accept(ctx: Ctx, spec: MediaModel, cost: float, *, job_id: str,
           params: dict[str, Any] | None = None, sync: bool = False) -> MediaJob:
    """Check the balance, charge once and record the job (before any reply is sent).

    A ``job_fail`` fault makes an async job end ``failed`` with that reason; a sync request
    (images, speech, ...) is then refused with 400 and not charged (still recorded). A
    ``job_seconds`` fault sets how long this one job takes.
    """
    acct = ctx.require_account()
    if cost > acct.balance or acct.balance <= 0:
        raise _insufficient(ctx, acct.balance, cost)
    fault = ctx.fault
    fail = fault.job_fail if fault is not None else None
    seconds = 0.0 if sync else ctx.state.media.config.job_seconds
    if not sync and fault is not None and fault.job_seconds is not None:
        seconds = fault.job_seconds
    job = MediaJob(job_id, ctx.hub, spec.kind, spec.id, ctx.path, 0.0, seconds, fail,
                   dict(params or {}))
    acct.jobs[job_id] = job
    acct.submissions[job_id] = 1
    if sync and fail:
        raise HTTPError(400, f"Your request was rejected: {fail}", "content_policy_violation")
    job.credits = acct.charge(cost)
    return job


def find(ctx: Ctx, job_id: str, kind: str | None = None) -> MediaJob | None:
    """The caller's job ``job_id`` (counting this poll), or ``None``."""
    acct = ctx.require_account()
    job = acct.jobs.get(job_id)
    if job is None or (kind is not None and job.kind != kind):
        return None
    job.polls += 1
    return job


def find_or_404(ctx: Ctx, kind: str) -> MediaJob:
    """The caller's job named by the ``{id}`` path segment; 404, or ChainHub's task-route
    ``task_not_exist`` (HTTP 400, as the relay lineage answers), when there is none."""
    job = find(ctx, ctx.params["id"], kind)
    if job is None:
        if ctx.hub == "chainhub":
            raise HTTPError(400, "task_not_exist", "task_not_exist")
        raise HTTPError(404, f"Task {ctx.params['id']} not found", "task_not_found")
    return job


def publish(ctx: Ctx, job: MediaJob | None, data: bytes, name: str, content_type: str) -> str:
    """Serve ``data`` at a fresh URL that expires after ``url_ttl`` seconds (``?expires=``
    carries the epoch, like signed vendor URLs); pads it by ``result_pad_bytes``."""
    config = ctx.state.media.config
    token = secrets.token_urlsafe(18)
    pad = config.result_pad_bytes
    if pad and content_type == MP4_TYPE:
        pad = max(pad, 16)  # the smallest MP4 free box that can hold a 64-bit size
    ctx.state.media.add_file(FileEntry(token, name, data, content_type, ctx.hub, job,
                                       time.monotonic() + config.url_ttl, pad))
    host = ctx.headers.get("host", "127.0.0.1")
    url = f"http://{host}/_files/{token}/{name}?expires={int(time.time() + config.url_ttl)}"
    if job is not None:
        job.urls.append(url)
    return url


def results(ctx: Ctx, job: MediaJob,
            make: Callable[[], list[tuple[bytes, str, str]]]) -> list[str]:
    """The job's result URLs, publishing ``make()``'s ``(data, name, type)`` files the first
    time a finished job is looked at."""
    if not job.urls:
        for data, name, content_type in make():
            publish(ctx, job, data, name, content_type)
    return list(job.urls)
