"""ChainHub task APIs at the host root, each in its vendor's shape: Suno (relay shape,
``/suno/submit/music`` + ``/suno/fetch/{id}``), Kling (``/kling/v1/videos/text2video``, status
``succeed``) and Doubao Seedance on Volcengine Ark (``/volc/v1/contents/generations/tasks``)."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from typing import Any

from . import media_encode as enc
from .media_catalog import lookup
from .media_jobs import accept, bad_request, find, find_or_404, results, unknown_model
from .media_state import QUEUED_SHARE, MediaJob
from .media_video import video_files, video_params
from .routes import Ctx, Out, register

SUNO_CLIPS = 2  # Suno makes two takes per request
SUNO_SECONDS = 4.0
KLING_DURATIONS = ("5", "10")
KLING_ASPECTS = ("16:9", "9:16", "1:1")
VOLC_DURATION = (2, 12, 5)
VOLC_RESOLUTIONS = ("480p", "720p", "1080p")
VOLC_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")
_FLAG = re.compile(r"--(\w+)\s+(\S+)")


def _object(ctx: Ctx) -> dict[str, Any]:
    body = ctx.json()
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    return body


def _text(body: dict[str, Any], name: str, limit: int = 2500, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise bad_request(f"'{name}' is required and must be a non-empty string.")
    if len(value) > limit:
        raise bad_request(f"'{name}' must be at most {limit} characters, got {len(value)}.")
    return value


# -- Suno ----------------------------------------------------------------------------------------

def _suno_status(job: MediaJob) -> str:
    status = job.status()
    if status == "queued":  # walk the relay's three waiting words across the queued time
        third = job.seconds * QUEUED_SHARE / 3
        return ("NOT_START", "SUBMITTED", "QUEUED")[min(2, int(job.elapsed() // third))] \
            if third else "QUEUED"
    return {"running": "IN_PROGRESS", "succeeded": "SUCCESS", "failed": "FAILURE"}[status]


def _suno_files(job: MediaJob) -> list[tuple[bytes, str, str]]:
    files = []
    for i in range(SUNO_CLIPS):
        seed = enc.seed_of(job.model, job.params["prompt"], i)
        files.append((enc.audio("mp3", SUNO_SECONDS, seed), f"{job.id}-{i}.mp3", "audio/mpeg"))
        files.append((enc.png(256, 256, seed, job.params["title"]), f"{job.id}-{i}.png",
                      "image/png"))
    return files


def _suno_task(ctx: Ctx, job: MediaJob) -> dict[str, Any]:
    status = _suno_status(job)
    clips = []
    if status == "SUCCESS":
        urls = results(ctx, job, lambda: _suno_files(job))
        p = job.params
        for i in range(SUNO_CLIPS):
            clips.append({
                "id": f"{job.id}-{i}", "title": p["title"], "status": "complete",
                "audio_url": urls[2 * i], "video_url": "", "image_url": urls[2 * i + 1],
                "image_large_url": urls[2 * i + 1], "model_name": job.model,
                "major_model_version": job.model.removeprefix("chirp-"),
                "text": p["lyrics"] or None,
                "metadata": {"tags": p["tags"], "prompt": p["prompt"],
                             "duration": SUNO_SECONDS, "error_type": None,
                             "error_message": None}})
    done = status in ("SUCCESS", "FAILURE")
    return {"task_id": job.id, "action": "MUSIC", "status": status,
            "fail_reason": job.fail_reason if status == "FAILURE" else "",
            "submit_time": int(job.created_at),
            "start_time": job.event_time(QUEUED_SHARE) if status not in (
                "NOT_START", "SUBMITTED", "QUEUED") else 0,
            "finish_time": job.event_time(1.0) if done else 0,
            "progress": f"{round(100 * job.progress())}%", "data": clips}


async def suno_submit(ctx: Ctx) -> Out:
    """``POST /suno/submit/music`` (model in ``mv``) -> ``{code, message, data: task_id}``."""
    body = _object(ctx)
    spec = lookup(ctx.hub, body.get("mv"), "suno")
    if spec is None:
        raise unknown_model(ctx, body.get("mv"), "suno") if body.get("mv") else \
            bad_request("'mv' is required (the Suno model, e.g. chirp-v3-5).")
    description = _text(body, "gpt_description_prompt", 3000, required=False)
    lyrics = _text(body, "prompt", 3000, required=False)
    if not (description.strip() or lyrics.strip()):
        raise bad_request("Give 'gpt_description_prompt' (inspiration mode) or 'prompt' "
                          "(custom lyrics).")
    instrumental = body.get("make_instrumental", False)
    if not isinstance(instrumental, bool):
        raise bad_request(f"'make_instrumental' must be a boolean, got {instrumental!r}.")
    job = accept(ctx, spec, spec.cost(), job_id=str(uuid.uuid4()), params={
        "prompt": description or lyrics, "lyrics": "" if instrumental else lyrics,
        "title": str(body.get("title") or (description or lyrics)[:40]),
        "tags": str(body.get("tags") or "")})
    return Out.json({"code": "success", "message": "", "data": job.id}, model=spec.id,
                    credits=job.credits)


async def suno_fetch(ctx: Ctx) -> Out:
    """``GET /suno/fetch/{id}``: the relay task object."""
    job = find_or_404(ctx, "music")
    return Out.json({"code": "success", "message": "", "data": _suno_task(ctx, job)},
                    model=job.model)


async def suno_fetch_many(ctx: Ctx) -> Out:
    """``POST /suno/fetch {"ids": [...]}``: the known ones, in order."""
    ids = _object(ctx).get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise bad_request("'ids' must be an array of task ids.")
    jobs = [j for j in (find(ctx, i, "music") for i in ids) if j is not None]
    return Out.json({"code": "success", "message": "",
                     "data": [_suno_task(ctx, j) for j in jobs]})


# -- Kling ---------------------------------------------------------------------------------------

_KLING_STATUS = {"queued": "submitted", "running": "processing", "succeeded": "succeed",
                 "failed": "failed"}


async def kling_submit(ctx: Ctx) -> Out:
    """``POST /kling/v1/videos/text2video`` (model in ``model_name``), Kling's own shape."""
    body = _object(ctx)
    model = body.get("model_name") or "kling-v1"
    spec = lookup(ctx.hub, model, "kling")
    if spec is None:
        raise unknown_model(ctx, model, "kling")
    prompt = _text(body, "prompt")
    _text(body, "negative_prompt", required=False)
    duration = str(body.get("duration", "5"))
    if duration not in KLING_DURATIONS:
        raise bad_request(f"'duration' must be one of {', '.join(KLING_DURATIONS)}, "
                          f"got {body.get('duration')!r}.")
    aspect = body.get("aspect_ratio") or "16:9"
    if aspect not in KLING_ASPECTS:
        raise bad_request(f"'aspect_ratio' must be one of {', '.join(KLING_ASPECTS)}, "
                          f"got {aspect!r}.")
    mode = body.get("mode") or "std"
    if mode not in ("std", "pro"):
        raise bad_request(f"'mode' must be 'std' or 'pro', got {mode!r}.")
    cfg = body.get("cfg_scale", 0.5)
    if isinstance(cfg, bool) or not isinstance(cfg, (int, float)) or not 0 <= cfg <= 1:
        raise bad_request(f"'cfg_scale' must be a number from 0 to 1, got {cfg!r}.")
    params = video_params(prompt, int(duration), aspect, "1080p" if mode == "pro" else "720p")
    params["external_task_id"] = body.get("external_task_id")
    job = accept(ctx, spec, spec.cost(seconds=int(duration)),
                 job_id=secrets.token_urlsafe(16), params=params)
    return Out.json({"code": 0, "message": "SUCCEED", "request_id": ctx.request_id,
                     "data": _kling_data(ctx, job, "submitted")}, model=spec.id,
                    credits=job.credits)


def _kling_data(ctx: Ctx, job: MediaJob, status: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "task_id": job.id, "task_status": status,
        "task_status_msg": job.fail_reason if status == "failed" else "",
        "task_info": {"external_task_id": job.params.get("external_task_id")},
        "created_at": int(job.created_at * 1000), "updated_at": int(time.time() * 1000)}
    if status == "succeed":
        urls = results(ctx, job, lambda: video_files(job))
        data["task_result"] = {"videos": [{"id": f"{job.id}-{i}", "url": url,
                                           "duration": str(job.params["seconds"])}
                                          for i, url in enumerate(urls)]}
    return data


async def kling_query(ctx: Ctx) -> Out:
    """``GET /kling/v1/videos/text2video/{id}``: submitted | processing | succeed | failed."""
    job = find_or_404(ctx, "video")
    data = _kling_data(ctx, job, _KLING_STATUS[job.status()])
    return Out.json({"code": 0, "message": "SUCCEED", "request_id": ctx.request_id,
                     "data": data}, model=job.model)


# -- Doubao Seedance (Volcengine Ark) ------------------------------------------------------------

def _volc_options(body: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The prompt and its ``--ratio 16:9 --dur 5 --resolution 720p`` flags (or body fields)."""
    content = body.get("content")
    if not isinstance(content, list) or not content:
        raise bad_request("'content' must be a non-empty array of {type, ...} items.")
    texts = []
    for item in content:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ("text", "image_url"):
            raise bad_request(f"'content' items need type text or image_url, got {kind!r}.")
        if kind == "text":
            texts.append(str(item.get("text", "")))
    text = " ".join(texts)
    aliases = {"rt": "ratio", "dur": "duration", "rs": "resolution"}
    options: dict[str, str] = {aliases.get(k, k): v for k, v in _FLAG.findall(text)}
    for name in ("ratio", "duration", "resolution"):
        if body.get(name) is not None:
            options[name] = str(body[name])
    prompt = _FLAG.sub("", text).strip()
    if not prompt:
        raise bad_request("'content' needs a text item with the prompt.")
    return prompt, options


async def volc_submit(ctx: Ctx) -> Out:
    """``POST /volc/v1/contents/generations/tasks`` -> ``{"id": "cgt-...", "status"}``."""
    body = _object(ctx)
    spec = lookup(ctx.hub, body.get("model"), "volc")
    if spec is None:
        raise unknown_model(ctx, body.get("model"), "volc")
    prompt, options = _volc_options(body)
    low, high, default = VOLC_DURATION
    try:
        duration = int(options.get("duration", default))
    except ValueError:
        duration = -1
    if not low <= duration <= high:
        raise bad_request(f"duration (--dur) must be {low} to {high} seconds, "
                          f"got {options.get('duration')!r}.")
    resolution = options.get("resolution", "720p")
    ratio = options.get("ratio", "16:9")
    if resolution not in VOLC_RESOLUTIONS or ratio not in VOLC_RATIOS:
        raise bad_request(f"resolution must be one of {', '.join(VOLC_RESOLUTIONS)} and ratio "
                          f"one of {', '.join(VOLC_RATIOS)}; got {resolution!r}, {ratio!r}.")
    job_id = f"cgt-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
    job = accept(ctx, spec, spec.cost(seconds=duration), job_id=job_id,
                 params=video_params(prompt, duration, ratio, resolution))
    return Out.json({"id": job.id, "status": "submitted"}, model=spec.id, credits=job.credits)


async def volc_query(ctx: Ctx) -> Out:
    """``GET /volc/v1/contents/generations/tasks/{id}``: Ark's queued | running | succeeded |
    failed, ``content.video_url``, ``error``."""
    job = find_or_404(ctx, "video")
    status = job.status()
    p = job.params
    body: dict[str, Any] = {
        "id": job.id, "model": job.model, "status": status, "error": None,
        "created_at": int(job.created_at), "updated_at": int(time.time()),
        "seed": enc.seed_of(job.id) % 100_000, "resolution": p["resolution"],
        "ratio": p["aspect_ratio"], "duration": p["seconds"],
        "framespersecond": enc.VIDEO_FPS}
    if status == "succeeded":
        body["content"] = {"video_url": results(ctx, job, lambda: video_files(job))[0]}
        tokens = int(p["width"] * p["height"] * p["seconds"] * enc.VIDEO_FPS / 1024)
        body["usage"] = {"completion_tokens": tokens, "total_tokens": tokens}
    elif status == "failed":
        body["error"] = {"code": "OutputVideoSensitiveContentDetected",
                         "message": job.fail_reason}
    return Out.json(body, model=job.model)


register("chainhub", "root", "POST", "suno/submit/music", suno_submit, paid=True)
register("chainhub", "root", "GET", "suno/fetch/{id}", suno_fetch)
register("chainhub", "root", "POST", "suno/fetch", suno_fetch_many)
register("chainhub", "root", "POST", "kling/v1/videos/text2video", kling_submit, paid=True)
register("chainhub", "root", "GET", "kling/v1/videos/text2video/{id}", kling_query)
register("chainhub", "root", "POST", "volc/v1/contents/generations/tasks", volc_submit, paid=True)
register("chainhub", "root", "GET", "volc/v1/contents/generations/tasks/{id}", volc_query)
