"""Video: TokenHub's submit + poll task (``videos/generations``), Electron Hub's one held-open
event stream with heartbeats (``videos/generations``, gap 12), and the MP4 results both share
with ChainHub's Kling and Seedance tasks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from . import jsonutil
from . import media_encode as enc
from .faults import Fault
from .media_catalog import lookup
from .media_jobs import (
    MP4_TYPE,
    accept,
    bad_request,
    find_or_404,
    new_id,
    results,
    unknown_model,
)
from .media_state import MediaJob
from .routes import Ctx, Out, register

SHORT_SIDE = {"480p": 48, "720p": 72, "1080p": 108}  # tiny frames, honest aspect ratio
ASPECTS = ("adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
TH_DURATION = (4, 15, 5)  # Seedance 2.0: min, max, default seconds
TH_RESOLUTIONS = ("480p", "720p")
TH_ROLES = ("first_frame", "last_frame", "reference_image", "reference_video", "reference_audio")
EH_SIZES = ("16:9", "9:16", "1:1", "4:3", "3:4")
EH_VIDEO_SECONDS = 5


def video_dims(aspect: str | None, resolution: str | None) -> tuple[int, int]:
    """Even ``(width, height)`` with the asked aspect ratio and a tiny short side."""
    short = SHORT_SIDE.get(resolution or "720p", 72)
    wide, _, tall = (aspect if aspect and aspect != "adaptive" else "16:9").partition(":")
    w, h = int(wide), int(tall)
    long_side = round(short * max(w, h) / min(w, h) / 2) * 2
    return (long_side, short) if w >= h else (short, long_side)


def video_files(job: MediaJob) -> list[tuple[bytes, str, str]]:
    """The job's MP4, made (and cached) from its parameters."""
    p = job.params
    data = enc.mp4(p["width"], p["height"], float(p["seconds"]),
                   enc.seed_of(job.model, p.get("prompt", "")))
    return [(data, f"{job.id}.mp4", MP4_TYPE)]


def video_params(prompt: str, seconds: float, aspect: str | None,
                 resolution: str | None) -> dict[str, Any]:
    """What a video job keeps to make its file later."""
    width, height = video_dims(aspect, resolution)
    return {"prompt": prompt, "seconds": seconds, "aspect_ratio": aspect or "adaptive",
            "resolution": resolution, "width": width, "height": height}


def _th_content(content: Any) -> str:
    """The text of a TokenHub ``content[]`` list (item types and frame roles checked)."""
    if content is None:
        return ""
    if not isinstance(content, list):
        raise bad_request("'content' must be an array of {type, ...} items.")
    texts, seen = [], set()
    for item in content:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ("text", "image_url", "video_url", "audio_url"):
            raise bad_request(f"'content' items need type text, image_url, video_url or "
                              f"audio_url, got {kind!r}.")
        role = item.get("role")
        if role is not None and role not in TH_ROLES:
            raise bad_request(f"'content[].role' must be one of {', '.join(TH_ROLES)}, "
                              f"got {role!r}.")
        if role in ("first_frame", "last_frame"):
            if role in seen:
                raise bad_request(f"'content' may hold at most one {role}.")
            seen.add(role)
        if kind == "text":
            texts.append(str(item.get("text", "")))
    return " ".join(texts).strip()


async def th_submit(ctx: Ctx) -> Out:
    """TokenHub ``POST videos/generations`` -> a task object (gap 9)."""
    body = ctx.json()
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    spec = lookup(ctx.hub, body.get("model"), "video")
    if spec is None:
        raise unknown_model(ctx, body.get("model"), "video")
    text = _th_content(body.get("content"))
    prompt = body.get("prompt") or text
    if not isinstance(prompt, str) or not prompt.strip():
        raise bad_request("'prompt' is required (or a text item in 'content').")
    low, high, default = TH_DURATION
    duration = body.get("duration", default)
    if isinstance(duration, bool) or not isinstance(duration, int) or not low <= duration <= high:
        raise bad_request(f"'duration' must be an integer from {low} to {high} seconds, "
                          f"got {duration!r}.")
    resolution = body.get("resolution") or "720p"
    if resolution not in TH_RESOLUTIONS:
        raise bad_request(f"'resolution' must be one of {', '.join(TH_RESOLUTIONS)}, "
                          f"got {resolution!r}.")
    aspect = body.get("aspect_ratio") or "adaptive"
    if aspect not in ASPECTS:
        raise bad_request(f"'aspect_ratio' must be one of {', '.join(ASPECTS)}, got {aspect!r}.")
    inputs = body.get("video_durations") or []
    input_seconds = float(body.get("input_video_duration") or 0) + sum(
        float(x) for x in inputs if isinstance(x, (int, float)))
    job = accept(ctx, spec, spec.cost(seconds=duration + input_seconds, resolution=resolution),
                 job_id=new_id("tsk-"), params=video_params(prompt, duration, aspect, resolution))
    return Out.json({"id": job.id, "object": "video.generation.task", "model": spec.id,
                     "status": "queued", "created_at": int(job.created_at)},
                    model=spec.id, credits=job.credits)


async def th_poll(ctx: Ctx) -> Out:
    """TokenHub ``GET videos/generations/{id}``: queued | running | succeeded | failed."""
    job = find_or_404(ctx, "video")
    status = job.status()
    body: dict[str, Any] = {"id": job.id, "object": "video.generation.task",
                            "model": job.model, "status": status,
                            "progress": round(100 * job.progress()),
                            "created_at": int(job.created_at),
                            "duration": job.params["seconds"],
                            "resolution": job.params["resolution"]}
    if status == "succeeded":
        body["data"] = [{"video_url": url} for url in results(ctx, job, lambda: video_files(job))]
        body["completed_at"] = job.event_time(1.0)
    elif status == "failed":
        body["error"] = {"code": "generation_failed", "message": job.fail_reason}
        body["fail_reason"] = job.fail_reason
    return Out.json(body, model=job.model)


# -- Electron Hub: one request held open ---------------------------------------------------------

def _frame(obj: dict[str, Any], framing: str, index: int, last: bool) -> bytes:
    """``data: {json}`` (sse), a bare JSON line (bare), or mixed: bare heartbeats, sse final."""
    line = jsonutil.dumps(obj)
    sse = framing == "sse" or (framing == "mixed" and (last or index % 2 == 1))
    return b"data: " + line + b"\n\n" if sse else line + b"\n"


_MALFORMED_LINE = b'{"heartbeat": true, "status": '
_UNKNOWN_EVENTS = ({"type": "ping", "object": "hub.keepalive"}, 1)


def _framed(line: bytes, framing: str) -> bytes:
    return b"data: " + line + b"\n\n" if framing != "bare" else line + b"\n"


def _sse_fault(ctx: Ctx, job: MediaJob, fault: Fault, framing: str) -> tuple[list[bytes], bool]:
    """What an ``sse=`` fault puts into the video stream after K heartbeats, and whether the
    stream then ends (error event, no result); ``missing_done``/``heartbeats`` change nothing
    (this stream has no ``[DONE]`` and is heartbeats already)."""
    mode = fault.sse
    if mode == "malformed_line":
        return [_framed(_MALFORMED_LINE, framing)], False
    if mode == "unknown_event":
        return [_framed(jsonutil.dumps(e), framing) for e in _UNKNOWN_EVENTS], False
    if mode == "error_event":
        status = fault.status or 500
        job.fail_reason = f"Injected fault: HTTP {status}"
        job.seconds = job.elapsed()
        return [_framed(jsonutil.dumps(ctx.dialect.error_obj(status, job.fail_reason)),
                        framing)], True
    if mode == "no_finish":
        return [], True
    return [], False


async def _hold(ctx: Ctx, job: MediaJob, framing: str, fault: Fault | None
                ) -> AsyncIterator[bytes]:
    """Heartbeats while the job runs (or exactly ``heartbeats`` of them), then the result.

    An ``sse=`` fault acts after ``after_chunks`` heartbeats (default 2): a line that is not
    JSON, events of unknown shape, the hub's error event (the stream ends), or the end of the
    stream with no result.
    """
    interval = ctx.state.media.config.heartbeat_interval
    heartbeats = fault.heartbeats if fault is not None else None
    inject_at = (fault.after_chunks or 2) if fault is not None and fault.sse else None
    sent = 0
    while (sent < heartbeats) if heartbeats is not None else job.status() in ("queued",
                                                                                 "running"):
        yield _frame({"heartbeat": True, "status": "processing",
                      "progress": round(100 * job.progress())}, framing, sent, False)
        sent += 1
        if sent == inject_at:
            assert fault is not None
            lines, ends = _sse_fault(ctx, job, fault, framing)
            for line in lines:
                yield line
            if ends:
                return
        await asyncio.sleep(interval)
    if heartbeats is not None and job.status() in ("queued", "running"):
        job.seconds = job.elapsed()  # the fault decides when it ends
    if job.status() == "failed":
        final: dict[str, Any] = {"error": {"message": job.fail_reason, "type": "error",
                                           "code": 400}}
    else:
        urls = results(ctx, job, lambda: video_files(job))
        final = {"created": int(time.time()), "model": job.model, "id": job.id,
                 "data": [{"url": url} for url in urls]}
    yield _frame(final, framing, sent, True)


async def eh_stream(ctx: Ctx) -> Out:
    """Electron Hub ``POST videos/generations``: SSE held open until the video is ready."""
    body = ctx.json()
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    spec = lookup(ctx.hub, body.get("model"), "stream_video")
    if spec is None:
        raise unknown_model(ctx, body.get("model"), "stream_video")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise bad_request("'prompt' is required and must be a non-empty string.")
    size = body.get("size") or "16:9"
    if size not in EH_SIZES:
        raise bad_request(f"'size' must be one of {', '.join(EH_SIZES)}, got {size!r}.")
    job = accept(ctx, spec, spec.cost(), job_id=new_id("vid-"),
                 params=video_params(prompt, EH_VIDEO_SECONDS, size, "720p"))
    fault = ctx.fault
    framing = (fault.framing if fault is not None and fault.framing
               else ctx.state.media.config.video_framing)
    return Out(200, content_type="text/event-stream; charset=utf-8",
               headers={"cache-control": "no-cache", "x-job-id": job.id},
               stream=_hold(ctx, job, framing, fault), model=spec.id, credits=job.credits)


register("tokenhub", "api", "POST", "videos/generations", th_submit, paid=True)
register("tokenhub", "api", "GET", "videos/generations/{id}", th_poll)
register("electronhub", "api", "POST", "videos/generations", eh_stream, paid=True)
