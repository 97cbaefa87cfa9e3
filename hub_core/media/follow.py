"""What an agent tool does with a media job after submitting it, or when handed its id.

Framework-free, so the LangChain tools and the LlamaIndex tool spec follow jobs the same way:

- :func:`follow`: right after a submit, report the job, then wait for it unless the tool runs
  without blocking (``wait=False``: the caller returns the job id at once).
- :func:`own_job`: the job behind an id a model passed. A model can be talked into passing any
  id, so only jobs in this ``HubMedia``'s journal (its key, its hub) are followed unless the
  caller allows foreign ids (then :meth:`HubMedia.track`, which the hub still answers only for
  this key). An unknown id is a :class:`HubInputError` naming ``job_id``.
- :func:`check_or_finish`: ``"check"`` polls once (nothing if it already ended); ``"finish"``
  waits and downloads (a finished job returns its files at once, fetched again if gone).

Each has an async twin (``afollow``, ``aown_job``, ``acheck_or_finish``) whose ``progress``
may be a coroutine function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from hub_core.errors import HubInputError
from hub_core.media.jobs import MediaJob, ProgressCallback
from hub_core.media.results import MediaResult
from hub_core.media.status import TERMINAL

if TYPE_CHECKING:
    from hub_core.media.client import HubMedia

__all__ = [
    "Action",
    "acheck_or_finish",
    "afollow",
    "aown_job",
    "check_or_finish",
    "follow",
    "own_job",
]

Action = Literal["finish", "check"]
Followed = MediaJob | MediaResult


def _report(progress: ProgressCallback | None, job: MediaJob) -> None:
    if progress is not None:
        progress(job)


async def _areport(progress: ProgressCallback | None, job: MediaJob) -> None:
    if progress is not None:
        outcome = progress(job)
        if hasattr(outcome, "__await__"):
            await outcome


def follow(job: MediaJob, *, wait: bool, progress: ProgressCallback | None = None) -> Followed:
    """The job as submitted (``wait=False``, or it already has its files), else its result."""
    _report(progress, job)
    if not wait or job.result is not None:
        return job
    return job.wait(progress=progress)


async def afollow(
    job: MediaJob, *, wait: bool, progress: ProgressCallback | None = None
) -> Followed:
    """Async twin of :func:`follow`."""
    await _areport(progress, job)
    if not wait or job.result is not None:
        return job
    return await job.async_wait(progress=progress)


def _refuse(media: HubMedia, job_id: str) -> HubInputError:
    return HubInputError.invalid(
        "job_id", "must be the id of a job these tools started with this key (this tool acts "
        "only on its own jobs)", job_id,
        fix="pass the job_id exactly as the tool that started the job returned it",
        hub=media.hub)


def own_job(
    media: HubMedia, job_id: str, *, allow_foreign: bool = False,
    kind: Literal["video", "music"] = "video", model: str | None = None,
) -> MediaJob:
    """The job ``job_id`` from this journal, or tracked by id when foreign ids are allowed.

    Raises:
        HubInputError: an id this journal does not hold (and foreign ids are not allowed).
    """
    if media.job(job_id) is not None:
        return media.resume(job_id)
    if not allow_foreign:
        raise _refuse(media, job_id)
    return media.track(job_id, kind=kind, model=model)


async def aown_job(
    media: HubMedia, job_id: str, *, allow_foreign: bool = False,
    kind: Literal["video", "music"] = "video", model: str | None = None,
) -> MediaJob:
    """Async twin of :func:`own_job`."""
    if media.job(job_id) is not None:
        return await media.aresume(job_id)
    if not allow_foreign:
        raise _refuse(media, job_id)
    return await media.atrack(job_id, kind=kind, model=model)


def check_or_finish(
    job: MediaJob, action: Action, progress: ProgressCallback | None = None
) -> Followed:
    """``check``: one look (the job); ``finish``: wait and download (the result)."""
    if action == "check":
        return job.refresh() if job.status not in TERMINAL else job
    _report(progress, job)
    return job.wait(progress=progress)


async def acheck_or_finish(
    job: MediaJob, action: Action, progress: ProgressCallback | None = None
) -> Followed:
    """Async twin of :func:`check_or_finish`."""
    if action == "check":
        return await job.arefresh() if job.status not in TERMINAL else job
    await _areport(progress, job)
    return await job.async_wait(progress=progress)
