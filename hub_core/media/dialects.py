"""Task dialects: how each hub's long-running media job is submitted and read (PROTOCOL 2.8).

One small class per wire shape -- TokenHub video, ChainHub Kling, ChainHub Doubao Seedance,
ChainHub Suno -- answers four questions: where to POST, what body, which job id came back, and
what a poll reply says (status, progress, result URLs, failure reason). Electron Hub's video is
one held-open stream, so it has no poll route; :func:`electronhub_event` reads its events.
Everything here is pure (no I/O), so each shape is unit-tested on literal replies.

Example:
    >>> TOKENHUB_VIDEO.state({"status": "succeeded", "data": [{"video_url": "https://x/v.mp4"}]})
    JobState(status='succeeded', progress=None, urls=('https://x/v.mp4',), failure_reason=None, raw_status='succeeded', needs_action=False)
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from hub_core.errors import HubInputError, UnsupportedFeatureError
from hub_core.hubs import HubProfile
from hub_core.media.status import Status, needs_action, normalize_status, parse_progress

__all__ = [
    "DIALECTS",
    "KLING",
    "SEEDANCE",
    "SUNO",
    "TOKENHUB_VIDEO",
    "JobState",
    "TaskDialect",
    "electronhub_event",
    "failure_reason",
    "find_task_id",
    "resolve_dialect",
]


@dataclass(frozen=True)
class JobState:
    """What one poll reply (or stream event) says about a job, in normalised words."""

    status: Status
    progress: float | None = None
    urls: tuple[str, ...] = ()
    failure_reason: str | None = None
    raw_status: str | None = None
    needs_action: bool = False


def _get(obj: Any, *path: str | int) -> Any:
    """``obj[path[0]][path[1]]...`` or None when any step is missing."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or len(obj) <= step:
                return None
        elif not isinstance(obj, Mapping):
            return None
        obj = obj[step] if isinstance(step, int) else obj.get(step)
    return obj


def find_task_id(reply: Any) -> str | None:
    """The job id in a submit reply, tolerant of every shape seen (gap 9).

    ``{"id"}`` (TokenHub, Ark), ``{"task_id"}``, ``{"data": "<id>"}`` (Suno),
    ``{"data": {"task_id" | "id"}}`` (Kling), ``{"result": "<id>"}`` (Midjourney).
    """
    for path in (("data", "task_id"), ("data", "id"), ("task_id",), ("id",), ("result",),
                 ("data",)):
        value = _get(reply, *path)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def failure_reason(obj: Any) -> str | None:
    """The hub's own words for why a job failed (gap 10 order), or None."""
    for path in (("error", "message"), ("error",), ("fail_reason",), ("failReason",),
                 ("task_status_msg",), ("error_message",), ("message",), ("msg",)):
        value = _get(obj, *path)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _urls(items: Any, *keys: str) -> tuple[str, ...]:
    """The first of ``keys`` present in each item of a list (or in one mapping)."""
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, list):
        return ()
    found: list[str] = []
    for item in items:
        for key in keys:
            value = _get(item, key)
            if isinstance(value, str) and value:
                found.append(value)
                break
    return tuple(found)


def _state(raw_status: Any, urls: tuple[str, ...], reason_from: Any, progress: Any) -> JobState:
    status = normalize_status(raw_status)
    reason = failure_reason(reason_from) if status == "failed" else None
    if status == "failed" and reason is None:
        reason = f"the hub reported status {raw_status!r} without a reason"
    return JobState(
        status=status,
        progress=1.0 if status == "succeeded" else parse_progress(progress),
        urls=urls if status == "succeeded" else (),
        failure_reason=reason,
        raw_status=None if raw_status is None else str(raw_status),
        needs_action=needs_action(raw_status),
    )


class TaskDialect:
    """One submit-then-poll wire shape. Subclasses fill the class attributes and 2 methods."""

    name: ClassVar[str]
    kind: ClassVar[str]
    submit_endpoint: ClassVar[str]
    """``HubProfile.endpoints`` name or literal path of the submit route."""
    poll_endpoint: ClassVar[str]
    """Same for the poll route, with ``{task_id}``."""
    default_mime: ClassVar[str]
    poll_interval: ClassVar[float] = 10.0
    """Seconds between polls at first (gap 9); backoff goes up to three times this."""

    def body(self, model: str, prompt: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """The submit body (``options`` are the caller's other arguments, None = unset)."""
        raise NotImplementedError

    def state(self, reply: Any) -> JobState:
        """What a poll reply says."""
        raise NotImplementedError

    def job_id(self, reply: Any) -> str | None:
        """The job id in the submit reply."""
        return find_task_id(reply)

    def __repr__(self) -> str:
        return f"<TaskDialect {self.name}>"


def _drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class _TokenHubVideo(TaskDialect):
    name = "tokenhub-video"
    kind = "video"
    submit_endpoint = "videos"
    poll_endpoint = "video_status"
    default_mime = "video/mp4"

    def body(self, model: str, prompt: str, options: Mapping[str, Any]) -> dict[str, Any]:
        return _drop_none({
            "model": model, "prompt": prompt, "duration": options.get("duration"),
            "resolution": options.get("resolution"),
            "aspect_ratio": options.get("aspect_ratio"), "content": options.get("content"),
        })

    def state(self, reply: Any) -> JobState:
        data = _get(reply, "data")
        urls = _urls(data, "video_url", "url") or _urls(reply, "video_url", "url")
        return _state(_get(reply, "status"), urls, reply, _get(reply, "progress"))


class _Kling(TaskDialect):
    name = "kling"
    kind = "video"
    submit_endpoint = "kling_text2video"
    poll_endpoint = "kling_task"
    default_mime = "video/mp4"

    def body(self, model: str, prompt: str, options: Mapping[str, Any]) -> dict[str, Any]:
        duration = options.get("duration")
        return _drop_none({
            "model_name": model, "prompt": prompt,
            "duration": None if duration is None else str(int(duration)),
            "aspect_ratio": options.get("aspect_ratio"), "mode": options.get("mode"),
        })

    def state(self, reply: Any) -> JobState:
        data = _get(reply, "data")
        raw = _get(data, "task_status") or _get(data, "status")  # vendor, then relay (gap 14)
        urls = _urls(_get(data, "task_result", "videos"), "url") or _urls(data, "url")
        return _state(raw, urls, data, _get(data, "progress"))


class _Seedance(TaskDialect):
    name = "seedance"
    kind = "video"
    submit_endpoint = "seedance_tasks"
    poll_endpoint = "seedance_task"
    default_mime = "video/mp4"

    def body(self, model: str, prompt: str, options: Mapping[str, Any]) -> dict[str, Any]:
        flags = [
            ("--ratio", options.get("aspect_ratio")),
            ("--rs", options.get("resolution")),
            ("--dur", options.get("duration")),
        ]
        text = " ".join([prompt, *(f"{flag} {value}" for flag, value in flags if value)])
        return {"model": model, "content": [{"type": "text", "text": text}]}

    def state(self, reply: Any) -> JobState:
        urls = _urls(_get(reply, "content"), "video_url")
        return _state(_get(reply, "status"), urls, reply, _get(reply, "progress"))


class _Suno(TaskDialect):
    name = "suno"
    kind = "music"
    submit_endpoint = "suno_submit"
    poll_endpoint = "suno_fetch"
    default_mime = "audio/mpeg"
    poll_interval = 5.0

    def body(self, model: str, prompt: str, options: Mapping[str, Any]) -> dict[str, Any]:
        instrumental = bool(options.get("instrumental"))
        if options.get("lyrics") is not None:  # custom mode: the prompt field holds lyrics
            return _drop_none({
                "prompt": options["lyrics"], "title": options.get("title"),
                "tags": options.get("tags") or prompt, "mv": model,
                "make_instrumental": instrumental,
            })
        return {
            "gpt_description_prompt": prompt, "mv": model, "make_instrumental": instrumental,
            "prompt": "",
        }

    def state(self, reply: Any) -> JobState:
        data = _get(reply, "data")
        urls = _urls(_get(data, "data"), "audio_url")
        return _state(_get(data, "status"), urls, data, _get(data, "progress"))


TOKENHUB_VIDEO = _TokenHubVideo()
KLING = _Kling()
SEEDANCE = _Seedance()
SUNO = _Suno()

DIALECTS: dict[str, TaskDialect] = {d.name: d for d in (TOKENHUB_VIDEO, KLING, SEEDANCE, SUNO)}
"""Submit-and-poll dialects by name (the name is stored in the journal, for resume)."""

STREAM_DIALECTS = frozenset({"electronhub-video"})
"""Dialects whose job is one held-open request (no job id, no poll route)."""


def resolve_dialect(profile: HubProfile, kind: str, model: str) -> str:
    """The dialect name for a long-running ``kind`` on this hub and model.

    ChainHub picks by model name: ``kling*`` is Kling, ``doubao*``/``*seedance*`` is Ark.

    Raises:
        UnsupportedFeatureError: the hub documents no route for this kind (nothing is sent).
        HubInputError: ChainHub video with a model of no family it routes.
    """
    name = profile.media_dialects.get(kind)
    if name is None:
        raise UnsupportedFeatureError(
            f"{profile.display_name} documents no {kind} generation route; use a hub that "
            f"does ({kind} is offered by: see each hub's capabilities)",
            hub=profile.name,
            capability=kind,
        )
    if name != "chainhub-video":
        return name
    lowered = model.lower()
    if lowered.startswith("kling"):
        return KLING.name
    if "seedance" in lowered or lowered.startswith("doubao"):
        return SEEDANCE.name
    raise HubInputError.invalid(
        "model",
        "must name a ChainHub video family this client routes (kling-* via /kling, "
        "doubao-seedance-* via /volc)",
        model,
        fix="use e.g. model='kling-v1' or model='doubao-seedance-1-0-pro-fast-251015'",
        hub=profile.name,
    )


def electronhub_event(event: Mapping[str, Any]) -> JobState | None:
    """Read one Electron Hub video stream event (gap 12); None for a plain heartbeat.

    The first event carrying a URL-like field (``url``, ``video_url``, ``data[0].url``) is the
    result; an ``error`` key means failure; anything else with a status or progress is an
    update.
    """
    error = event.get("error")
    if error:
        reason = failure_reason(event) or str(error)
        return JobState(status="failed", failure_reason=reason, raw_status="error")
    urls = (
        _urls(event, "url", "video_url")
        or _urls(_get(event, "data"), "url", "video_url")
        or _urls(_get(event, "video"), "url")
    )
    if urls:
        return JobState(status="succeeded", progress=1.0, urls=urls, raw_status="succeeded")
    raw = event.get("status")
    progress = parse_progress(event.get("progress"))
    if event.get("heartbeat") and raw is None and progress is None:
        return None
    status = normalize_status(raw)
    if status == "succeeded":  # "done" without a URL: keep reading for the URL
        status = "running"
    if status == "failed":
        return JobState(status="failed", failure_reason=failure_reason(event)
                        or f"the stream reported status {raw!r}", raw_status=str(raw))
    return JobState(status=status, progress=progress,
                    raw_status=None if raw is None else str(raw))
