"""Video: TokenHub and ChainHub (Kling, Seedance) tasks; Electron Hub's held-open stream.

Electron Hub answers ``POST /videos/generations`` with one stream that stays open for minutes
(heartbeat events, then one event with the URL; gap 12), and no job id. ``submit`` opens the
stream and reads its first event in the caller (so a 402 is raised there), then a background
thread (sync) or task (async) holds it open while ``refresh``/``wait`` read its state. The
journal row carries a local id in phase ``streaming``. If the process dies meanwhile, the video
cannot be resumed -- the hub gives nothing to poll -- and ``resume`` marks the row ``lost``
(the hub may still charge for it).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hub_core.errors import HubAPIError, HubInputError, InvalidResponseError, StreamError
from hub_core.media.dialects import DIALECTS, JobState, electronhub_event
from hub_core.media.effects import CloseStream, Flow, NextEvent, OpenStream, run_async, run_sync
from hub_core.media.jobs import MediaJob, StreamRunner
from hub_core.media.journal import JobRecord
from hub_core.media.options import EH_VIDEO_RATIOS, VideoOptions, video_options
from hub_core.media.spend import media_cost
from hub_core.media.status import TERMINAL
from hub_core.media.submit import Submission, accept, lost_error, paid_call
from hub_core.media.tasks import submit_task_flow
from hub_core.media.validate import check_number, check_prompt, check_ratio
from hub_core.transport import Timeouts

if TYPE_CHECKING:
    from hub_core.media.base import MediaBase

__all__ = ["EH_VIDEO_SIZES", "VideoRequest", "electronhub_video", "video_request"]

EH_VIDEO_SIZES = EH_VIDEO_RATIOS
EH_STREAM_READ_TIMEOUT = 900.0
"""Seconds without a byte before the held-open stream counts as dead (docs: 600-900 s)."""


class VideoRequest:
    """A checked video request: the dialect, the body to send, and what it costs."""

    def __init__(self, dialect: str, model: str, body: dict[str, Any], sub: Submission) -> None:
        self.dialect = dialect
        self.model = model
        self.body = body
        self.sub = sub


def _refuse(field: str, why: str, value: Any, hub: str, fix: str) -> HubInputError:
    return HubInputError.invalid(field, why, value, fix=fix, hub=hub)


def _check_options(
    opts: VideoOptions, hub: str, model: str, prompt: str, duration: float | None,
    resolution: str | None, aspect_ratio: str | None,
) -> None:
    """Every documented rule of this dialect (``options.video_options`` holds the tables)."""
    check_prompt(prompt, hub=hub, limit=opts.prompt_limit)
    if opts.durations is not None:
        if duration is not None and duration not in opts.durations:
            choices = " or ".join(str(d) for d in opts.durations)
            raise _refuse("duration", f"must be {choices} seconds for {model}", duration, hub,
                          " or ".join(f"duration={d}" for d in opts.durations))
    else:
        check_number(duration, opts.min_seconds, opts.max_seconds, field="duration", hub=hub,
                     fix=f"{model} makes {opts.min_seconds:g}-{opts.max_seconds:g} s videos")
        if opts.whole_seconds and duration is not None and duration != int(duration):
            raise _refuse("duration", "must be a whole number of seconds", duration, hub,
                          f"e.g. duration={round(duration)}")
    if opts.resolutions is None:
        if resolution is not None:
            raise _refuse("resolution", f"is not a parameter of {model} on {hub} (it takes "
                          "aspect_ratio)", resolution, hub, "drop resolution")
    elif resolution is not None and resolution not in opts.resolutions:
        raise _refuse("resolution", f"must be one of {', '.join(opts.resolutions)}", resolution,
                      hub, f"e.g. resolution='{opts.resolutions[-1]}'")
    check_ratio(aspect_ratio, hub=hub, allowed=None if opts.any_ratio else opts.aspect_ratios)


def video_request(
    media: MediaBase, prompt: str, *, model: str | None, duration: float | None,
    resolution: str | None, aspect_ratio: str | None, force: bool,
) -> VideoRequest:
    """Check every documented rule for this hub and model, then build the request."""
    hub = media.hub
    model = media.model_for("video", model)
    opts = video_options(media.profile, model)
    dialect = opts.dialect
    _check_options(opts, hub, model, prompt, duration, resolution, aspect_ratio)
    if dialect == "electronhub-video":
        body = {k: v for k, v in {"model": model, "prompt": prompt, "size": aspect_ratio,
                                  "duration": duration}.items() if v is not None}
    else:
        whole = None if duration is None else int(duration) if opts.whole_seconds else duration
        body = DIALECTS[dialect].body(model, prompt, {"duration": whole, "resolution": resolution,
                                                      "aspect_ratio": aspect_ratio})
    seconds = float(duration) if duration is not None else opts.default_seconds
    cost = media_cost(media.profile, model, seconds=seconds, resolution=resolution)
    sub = Submission(kind="video", model=model, endpoint=dialect, request=body, cost=cost,
                     dialect=dialect, join=not force)
    return VideoRequest(dialect, model, body, sub)


def submit_video_flow(media: MediaBase, req: VideoRequest) -> Flow[MediaJob]:
    """Submit a video task (TokenHub, ChainHub); Electron Hub goes through its stream."""
    return (yield from submit_task_flow(media, DIALECTS[req.dialect], req.sub, req.body))


# -- Electron Hub: one held-open stream ------------------------------------------------------


def _open_flow(media: MediaBase, body: Mapping[str, Any]) -> Flow[tuple[Any, Any]]:
    """Open the stream and read its first event (this is where a refusal shows up)."""
    timeout = Timeouts(connect=10.0, read=EH_STREAM_READ_TIMEOUT, write=60.0, pool=30.0)
    stream = yield OpenStream("POST", media.client.url("videos"), json=dict(body),
                              headers={"Accept": "text/event-stream"}, timeout=timeout)
    try:
        first = yield NextEvent(stream)
    except BaseException:
        yield CloseStream(stream)
        raise
    return stream, first


def _follow_flow(
    media: MediaBase, runner: StreamRunner, record: JobRecord, stream: Any, event: Any
) -> Flow[None]:
    """Read events until the result or failure; keep the runner and the journal current."""
    try:
        while True:
            if event is None:
                raise _stream_lost(media, record, "the stream ended without a result")
            state = electronhub_event(event)
            if state is None:  # a heartbeat: the job is alive and rendering
                state = replace(runner.state, status="running")
            runner.state, runner.raw = state, event
            if state.status != record.status or state.status in TERMINAL:
                record = media.journal.update(
                    record.local_id, status=state.status, progress=state.progress,
                    urls=state.urls, failure_reason=state.failure_reason,
                    phase="accepted" if state.status in TERMINAL else "streaming",
                )
            if state.status in TERMINAL:
                return
            try:
                event = yield NextEvent(stream)
            except StreamError as exc:
                failure = _hub_failure(exc)
                if failure is None:  # cut or unreadable, not the hub's error event
                    raise _stream_lost(media, record, f"the stream broke ({exc.message})"
                                       ) from exc
                event = {"error": failure.message}  # the hub's failure event, in its words
    finally:
        yield CloseStream(stream)


def _hub_failure(exc: StreamError) -> HubAPIError | None:
    """The hub's error event, or None for a cut stream or a line that is not JSON (a garbled
    line says nothing about the job, which the hub may still finish and charge for)."""
    err = exc.error
    if isinstance(err, HubAPIError) and not isinstance(err, InvalidResponseError):
        return err
    return None


def _stream_lost(media: MediaBase, record: JobRecord, why: str) -> BaseException:
    full = f"{why}; Electron Hub gives no job id, so this video cannot be polled or resumed"
    record = media.journal.update(record.local_id, phase="lost", status=None, note=full)
    return lost_error(media, record, full)


def _start_flow(media: MediaBase, req: VideoRequest) -> Flow[tuple[JobRecord, Any, Any]]:
    record, opened, spend = yield from paid_call(media, req.sub, _open_flow(media, req.body))
    if opened is None:  # joined an identical video being streamed right now
        return record, None, None
    record = accept(media, record, spend, None, phase="streaming", status="running")
    stream, first = opened
    return record, stream, first


def electronhub_video(media: MediaBase, req: VideoRequest) -> MediaJob:
    """Start an Electron Hub video; a daemon thread holds the stream (keep the process alive)."""
    transport = media.client.transport
    record, stream, first = run_sync(transport, _start_flow(media, req))
    if stream is None:
        return MediaJob(media, record, runner=media._runners.get(record.local_id))
    runner = StreamRunner()
    runner.state = JobState(status="running")
    media._runners[record.local_id] = runner

    def hold() -> None:
        try:
            run_sync(transport, _follow_flow(media, runner, record, stream, first))
        except BaseException as exc:
            runner.finish(exc)
        else:
            runner.finish()

    runner.thread = threading.Thread(target=hold, name=f"ai-hubs-video-{record.local_id}",
                                     daemon=True)
    runner.thread.start()
    return MediaJob(media, record, runner=runner)


async def aelectronhub_video(media: MediaBase, req: VideoRequest) -> MediaJob:
    """Async twin of :func:`electronhub_video` (the stream is held by a task on this loop)."""
    transport = media.client.transport
    record, stream, first = await run_async(transport, _start_flow(media, req))
    if stream is None:
        return MediaJob(media, record, runner=media._runners.get(record.local_id))
    runner = StreamRunner()
    runner.state = JobState(status="running")
    media._runners[record.local_id] = runner

    async def hold() -> None:
        try:
            await run_async(transport, _follow_flow(media, runner, record, stream, first))
        except BaseException as exc:
            runner.finish(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
        else:
            runner.finish()

    runner.task = asyncio.get_running_loop().create_task(hold())
    return MediaJob(media, record, runner=runner)
