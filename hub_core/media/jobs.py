"""``MediaJob``: one media job of any dialect -- refresh, wait with backoff, download, resume.

A job learns its state from one of three places:
- a task dialect's poll route (TokenHub, Kling, Seedance, Suno): ``refresh`` is one GET;
- the background runner holding an Electron Hub video stream open in this process;
- the journal, for a job another thread or process is still submitting or streaming.

``wait`` polls with backoff (x1.5 per poll up to 3 x ``poll_interval``) and jitter, honours
the hub's ``Retry-After`` / ``openai-poll-after-ms``, retries failed polls (timeouts, 5xx,
dropped connections, unreadable replies) until its own timeout, then raises
``MediaJobTimeout`` carrying the job id; resuming by that id later never submits again. A
failed job raises ``MediaJobError`` with the hub's reason. A succeeded job's files are
downloaded; if that fails, ``download()`` retries only the download.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub_core.credits import Cost
from hub_core.errors import (
    DownloadError,
    HubAPIError,
    HubConnectionError,
    HubError,
    HubTimeoutError,
    InvalidResponseError,
    MediaJobError,
    MediaJobTimeout,
    RateLimitError,
)
from hub_core.media.dialects import DIALECTS, JobState, TaskDialect
from hub_core.media.effects import Call, Flow, Notify, Sleep, run_async, run_sync
from hub_core.media.journal import ACTIVE, JobRecord
from hub_core.media.results import MediaResult, download_all, file_name, write_atomic
from hub_core.media.status import TERMINAL, Status, normalize_status
from hub_core.media.submit import lost_error
from hub_core.retry import parse_retry_after

if TYPE_CHECKING:
    from hub_core.media.base import MediaBase

__all__ = ["MediaJob", "ProgressCallback", "StreamRunner", "poll_failure_is_transient"]

ProgressCallback = Callable[["MediaJob"], Any]
"""``progress(job)`` after every poll; may be a coroutine function in async code."""

_RETRYABLE_POLL_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_EXPIRED_URL_STATUS = frozenset({401, 403, 404, 410})
_DEFAULT_MIME = {"video": "video/mp4", "music": "audio/mpeg", "image": "image/png",
                 "speech": "audio/mpeg"}


def poll_failure_is_transient(exc: HubError) -> bool:
    """Worth polling again: the network, a timeout, a retryable status, or an unreadable body
    (a proxy's page or a cut reply; the transport retries it like a 502 and so does the wait)."""
    if isinstance(exc, HubConnectionError | HubTimeoutError | InvalidResponseError):
        return True
    return isinstance(exc, HubAPIError) and exc.status_code in _RETRYABLE_POLL_STATUS


def _server_delay(headers: Any) -> float | None:
    """``openai-poll-after-ms`` (OpenAI videos), else ``Retry-After`` on a poll reply.

    A value that is not a finite number is ignored (``nan`` once made the wait poll with no
    pause at all until its deadline).
    """
    raw = headers.get("openai-poll-after-ms") if headers else None
    if raw:
        try:
            millis = float(raw)
        except ValueError:
            millis = math.nan
        if math.isfinite(millis):
            return max(millis, 0.0) / 1000.0
    return parse_retry_after(headers, reset_headers=False)


class StreamRunner:
    """The state of a job held open by a background thread or task (Electron Hub video)."""

    def __init__(self) -> None:
        self.state = JobState(status="queued")
        self.raw: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.task: asyncio.Task[Any] | None = None
        self.thread: threading.Thread | None = None

    def finish(self, error: BaseException | None = None) -> None:
        """Mark the stream over (with the error that ended it, if any)."""
        self.error = error
        self.done.set()


class MediaJob:
    """A media job: ``job_id``, ``hub``, ``model``, ``kind``, ``status`` (queued | running |
    succeeded | failed), ``progress`` (0..1 or None), ``urls``, ``failure_reason``, ``raw``.

    Example:
        >>> job = media.submit_video("a red fox running", duration=5)   # doctest: +SKIP
        >>> job.refresh().status                                          # doctest: +SKIP
        'running'
        >>> result = job.wait(progress=lambda j: print(j.progress))      # doctest: +SKIP
    """

    def __init__(
        self,
        media: MediaBase,
        record: JobRecord,
        *,
        runner: StreamRunner | None = None,
        result: MediaResult | None = None,
    ) -> None:
        self._media = media
        self.record = record
        self.hub = record.hub
        self.model = record.model
        self.kind = record.kind
        self.status: Status = normalize_status(record.status) if record.status else "running"
        self.progress: float | None = record.progress
        self.urls: tuple[str, ...] = record.urls
        self.failure_reason: str | None = record.failure_reason
        self.raw: Any = None
        self.needs_action = False
        self._runner = runner
        self._result = result
        self._contact = 0.0  # monotonic time of the last word from the hub
        if record.phase == "download_failed":
            self.status = "succeeded"
        self._take_recorded_files()

    # -- identity ---------------------------------------------------------------------------

    @property
    def job_id(self) -> str:
        """The hub's job id, or the local id when the hub gives none (EH video, sync media)."""
        return self.record.id

    @property
    def local_id(self) -> str:
        """The journal's id for this submission."""
        return self.record.local_id

    @property
    def cost(self) -> Cost | None:
        """What the submission cost in the hub's unit (None when no price is known)."""
        rec = self.record
        return None if rec.cost is None else Cost(rec.cost, rec.cost_unit or "credits")

    @property
    def dialect(self) -> TaskDialect | None:
        """The poll dialect, when the hub gave a job id to poll."""
        if self.record.job_id is None or self.record.dialect is None:
            return None
        return DIALECTS.get(self.record.dialect)

    @property
    def result(self) -> MediaResult | None:
        """The result once downloaded (or already known)."""
        return self._result

    def __repr__(self) -> str:
        return (f"MediaJob(job_id={self.job_id!r}, hub={self.hub!r}, model={self.model!r}, "
                f"kind={self.kind!r}, status={self.status!r}, progress={self.progress!r})")

    # -- state ------------------------------------------------------------------------------

    def _apply(self, state: JobState, raw: Any) -> None:
        self.status = state.status
        if state.progress is not None:
            self.progress = state.progress
        if state.urls:
            self.urls = state.urls
        self.failure_reason = state.failure_reason
        self.needs_action = state.needs_action
        self.raw = raw
        self._contact = time.monotonic()

    def _poll_interval(self) -> float:
        media = self._media
        if media.poll_interval is not None:
            return media.poll_interval
        dialect = self.dialect
        return dialect.poll_interval if dialect is not None else 1.0

    def _poll_flow(self) -> Flow[float | None]:
        """One look at the job; returns the delay the hub asked for, if any."""
        media = self._media
        dialect = self.dialect
        if dialect is not None:
            url = media.client.url(dialect.poll_endpoint, task_id=self.record.job_id or "")
            try:
                response = yield Call("GET", url, kind="poll")
            finally:
                self._contact = time.monotonic()
            body = response.json()
            state = dialect.state(body)
            self._apply(state, body)
            self.record = media.journal.update(
                self.local_id, status=state.status, progress=self.progress,
                urls=self.urls, failure_reason=state.failure_reason,
            )
            return _server_delay(response.headers)
        runner = self._runner
        if runner is not None:
            self._apply(runner.state, runner.raw)
            self.record = media.journal.reload(self.record)
            if runner.done.is_set() and runner.error is not None:
                raise runner.error
            return None
        self._from_journal()
        if self.dialect is not None:  # the other submitter got a job id: poll the hub now
            return (yield from self._poll_flow())
        return None

    def _from_journal(self) -> None:
        """Take the state another thread or process recorded (joined or resumed jobs)."""
        media = self._media
        rec = self.record = media.journal.reload(self.record)
        if rec.phase in ("lost", "rejected"):
            raise lost_error(media, rec, "its submitter lost the reply") if rec.phase == "lost" \
                else MediaJobError(f"the hub refused this job: {rec.note}", hub=self.hub,
                                   job_id=self.job_id, status="failed")
        stuck = rec.status not in TERMINAL or (rec.status == "succeeded" and not rec.urls)
        if rec.phase in ACTIVE and rec.job_id is None and stuck and not rec.owner_alive():
            why = ("the process holding the Electron Hub video stream stopped; that hub "
                   "gives no job id, so the video cannot be resumed"
                   if rec.phase == "streaming" else
                   "the process that sent it stopped before the reply came")
            rec = self.record = media.journal.update(rec.local_id, phase="lost", status=None,
                                                     note=why)
            raise lost_error(media, rec, why)
        state = JobState(status=normalize_status(rec.status) if rec.status else "running",
                         progress=rec.progress, urls=rec.urls,
                         failure_reason=rec.failure_reason)
        self._apply(state, None)
        self._take_recorded_files()

    def _take_recorded_files(self) -> None:
        """A finished, downloaded job's result, from its journal row (no request needed)."""
        rec = self.record
        if rec.phase == "finished" and rec.status == "succeeded" and rec.paths:
            self.status = "succeeded"
            self._result = self._base_result().with_files(
                tuple(Path(p) for p in rec.paths), rec.mime_types)

    def _base_result(self) -> MediaResult:
        return MediaResult(job_id=self.job_id, hub=self.hub, model=self.model, kind=self.kind,
                           status=self.status, urls=self.urls, cost=self.cost, raw=self.raw)

    # -- waiting ----------------------------------------------------------------------------

    def _timeout_error(self, limit: float, last: HubError | None) -> MediaJobTimeout:
        extra = f"; the last poll failed: {last}" if last is not None else ""
        return MediaJobTimeout(
            f"{self.kind} job {self.job_id!r} is still {self.status} after {limit:g} s{extra}. "
            f"It was not cancelled and is paid for: resume it with media.resume("
            f"{self.job_id!r}).wait() (nothing is submitted again).",
            hub=self.hub, job_id=self.job_id, status=self.status,
        )

    def _wait_flow(self, progress: ProgressCallback | None, timeout: float | None
                   ) -> Flow[MediaResult]:
        limit = self._media.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        interval = self._poll_interval()
        cap = interval * 3
        hint: float | None = None
        last_error: HubError | None = None
        while self.status not in TERMINAL:
            pause = (hint if hint is not None else interval * (0.75 + 0.5 * random.random()))
            pause -= time.monotonic() - self._contact
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timeout_error(limit, last_error)
            if pause > 0:
                yield Sleep(min(pause, remaining))
                if time.monotonic() >= deadline:
                    raise self._timeout_error(limit, last_error)
            try:
                hint = yield from self._poll_flow()
                last_error = None
            except HubError as exc:
                if self._runner is not None:
                    raise  # the stream's own outcome (refused, lost), already in its words
                if not poll_failure_is_transient(exc):
                    raise self._poll_error(exc) from exc
                last_error = exc
                hint = exc.retry_after if isinstance(exc, RateLimitError) else None
            interval = min(interval * 1.5, cap)
            if progress is not None and last_error is None:
                yield Notify(progress, self)
        return (yield from self._finish_flow())

    def _poll_error(self, exc: HubError) -> HubError:
        if isinstance(exc, MediaJobError):
            return exc
        return MediaJobError(
            f"checking {self.kind} job {self.job_id!r} failed: {exc}. The job was not "
            f"submitted again; resume it with media.resume({self.job_id!r}) once fixed.",
            hub=self.hub, job_id=self.job_id, status=self.status,
        )

    def _finish_flow(self) -> Flow[MediaResult]:
        media = self._media
        if self.status == "failed":
            reason = self.failure_reason or "no reason given"
            self.record = media.journal.update(self.local_id, phase="finished", status="failed",
                                               failure_reason=reason)
            raise MediaJobError(
                f"{self.kind} job {self.job_id!r} failed on {self.hub}: {reason}",
                hub=self.hub, job_id=self.job_id, status="failed", reason=reason,
                body=self.raw, result=self._base_result(),
            )
        done = self._result
        if done is not None and done.paths and all(p.exists() for p in done.paths):
            return done
        if not self.urls:
            self.record = media.journal.update(self.local_id, phase="finished",
                                               note="succeeded without a result URL")
            raise MediaJobError(
                f"{self.kind} job {self.job_id!r} succeeded but the hub gave no result URL; "
                "its reply is attached as .body", hub=self.hub, job_id=self.job_id,
                status="succeeded", body=self.raw,
            )
        return (yield from self._download_flow(refresh_expired=True))

    def _download_flow(self, *, refresh_expired: bool) -> Flow[MediaResult]:
        media = self._media
        mime = self.dialect.default_mime if self.dialect else _DEFAULT_MIME.get(self.kind, "")
        try:
            done = yield from download_all(self._base_result(), media.output_dir, mime,
                                           media.max_download_bytes, media.base_url)
        except DownloadError as exc:
            if refresh_expired and exc.status_code in _EXPIRED_URL_STATUS and self.dialect:
                yield from self._poll_flow()  # vendor URLs expire: ask the hub for fresh ones
                if self.status != "succeeded":
                    raise  # the hub now says it is not done: wait() again, nothing recorded
                if self.urls:
                    return (yield from self._download_flow(refresh_expired=False))
            partial: MediaResult = exc.result or self._base_result()
            self.record = media.journal.update(
                self.local_id, phase="download_failed", status="succeeded", urls=self.urls,
                paths=[str(p) for p in partial.paths], mime_types=partial.mime_types,
                note=str(exc)[:500],
            )
            raise
        self._result = done
        self.record = media.journal.update(
            self.local_id, phase="finished", status="succeeded", progress=1.0, urls=done.urls,
            paths=[str(p) for p in done.paths], mime_types=done.mime_types, note=None,
        )
        return done

    def _deliver(self, blobs: Sequence[tuple[bytes, str]]) -> MediaResult:
        """Write bytes the hub sent in its reply (b64 images, speech, music) as the result."""
        media = self._media
        paths = tuple(
            write_atomic(media.output_dir / file_name(self.job_id, index, mime), data)
            for index, (data, mime) in enumerate(blobs)
        )
        mimes = tuple(mime for _, mime in blobs)
        self.status = "succeeded"
        self._result = self._base_result().with_files(paths, mimes)
        self.record = media.journal.update(
            self.local_id, phase="finished", status="succeeded", progress=1.0,
            paths=[str(p) for p in paths], mime_types=mimes,
        )
        return self._result

    def _download_only(self) -> Flow[MediaResult]:
        if self.status != "succeeded":
            raise MediaJobError(
                f"{self.kind} job {self.job_id!r} is {self.status}, so there is nothing to "
                "download yet; call wait() instead", hub=self.hub, job_id=self.job_id,
                status=self.status,
            )
        return (yield from self._download_flow(refresh_expired=True))

    def _refresh_flow(self) -> Flow[MediaJob]:
        if self.status not in TERMINAL or self.record.phase in ACTIVE:
            yield from self._poll_flow()
        return self

    # -- public sync/async twins ------------------------------------------------------------

    def refresh(self) -> MediaJob:
        """Look at the job once (one poll; no request for an Electron Hub video); returns self."""
        return run_sync(self._media.client.transport, self._refresh_flow())

    async def arefresh(self) -> MediaJob:
        """Async twin of :meth:`refresh`."""
        return await run_async(self._media.client.transport, self._refresh_flow())

    def wait(self, progress: ProgressCallback | None = None, timeout: float | None = None
             ) -> MediaResult:
        """Poll until the job ends, then download its files; the result.

        Raises:
            MediaJobTimeout: still not done after ``timeout`` (default: the media timeout);
                ``err.job_id`` resumes it.
            MediaJobError: the job failed (``err.reason`` is the hub's reason).
            DownloadError: the files did not arrive (``err.result`` keeps the URLs); call
                :meth:`download` to retry only the download.
        """
        return run_sync(self._media.client.transport, self._wait_flow(progress, timeout))

    async def async_wait(self, progress: ProgressCallback | None = None,
                         timeout: float | None = None) -> MediaResult:
        """Async twin of :meth:`wait` (``progress`` may be a coroutine function)."""
        return await run_async(self._media.client.transport, self._wait_flow(progress, timeout))

    def download(self) -> MediaResult:
        """Fetch a succeeded job's files again (never resubmits; refreshes expired URLs once)."""
        return run_sync(self._media.client.transport, self._download_only())

    async def adownload(self) -> MediaResult:
        """Async twin of :meth:`download`."""
        return await run_async(self._media.client.transport, self._download_only())
