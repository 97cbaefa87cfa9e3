"""A media result or a running job in words, and as a plain artifact dict.

Agent tools return these: the words go to the model (paths and URLs, what it cost, what to do
next), the artifact to the program (``{job_id, status, urls, paths, mime_types, cost, model}``
plus ``hub``, ``kind``, ``progress`` and, for a transcript, ``text``). JSON-ready, no key in
either. Framework-free, so the LangChain tools and the LlamaIndex tool spec say the same.

Example:
    >>> from hub_core.media import MediaResult
    >>> from hub_core.credits import Cost
    >>> r = MediaResult(job_id="image-1", hub="electronhub", model="dall-e-3", kind="image",
    ...                 urls=("https://cdn/x.png",), cost=Cost(20, "credits"))
    >>> result_text(r)
    'Made 1 image with dall-e-3 on Electron Hub (cost: 20 credits). URLs: https://cdn/x.png.'
"""

from __future__ import annotations

from typing import Any

from hub_core.credits import Cost
from hub_core.hubs import get_hub
from hub_core.media.audio import Transcription
from hub_core.media.jobs import MediaJob
from hub_core.media.results import MediaResult

__all__ = ["artifact", "job_text", "result_text"]

_NOUNS = {"image": "image", "video": "video", "music": "song", "speech": "audio clip"}


def _display(hub: str) -> str:
    try:
        return get_hub(hub).display_name
    except (KeyError, ValueError):
        return hub


def _cost_words(cost: Cost | None) -> str:
    return f"cost: {cost.amount:g} {cost.unit}" if cost is not None else "price unknown"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def result_text(result: MediaResult | Transcription) -> str:
    """One or two sentences: what was made, where it is (absolute paths, then URLs), its cost."""
    where = f"with {result.model} on {_display(result.hub)} ({_cost_words(result.cost)})"
    if isinstance(result, Transcription):
        return f"Transcript {where}: {result.text}"
    count = max(len(result.paths), len(result.urls), 1)
    text = f"Made {_count(count, _NOUNS.get(result.kind, 'file'))} {where}."
    if result.paths:
        text += f" Files: {', '.join(str(p) for p in result.paths)}."
    if result.urls:
        text += f" URLs: {', '.join(result.urls)}."
    return text


def job_text(job: MediaJob, *, check_tool: str = "check_media_job") -> str:
    """Where a job stands, and what to do next (never "submit it again")."""
    done = job.result
    if done is not None and done.paths:
        return result_text(done)
    where = f"on {_display(job.hub)} with {job.model}"
    if job.status == "failed":
        reason = job.failure_reason or "no reason given"
        return f"The {job.kind} job {job.job_id!r} {where} failed: {reason}."
    progress = f", {job.progress:.0%} done" if job.progress is not None else ""
    state = "finished; its file is not downloaded yet" if job.status == "succeeded" else (
        f"{job.status}{progress}")
    return (f"The {job.kind} job {job.job_id!r} {where} is {state} ({_cost_words(job.cost)}). "
            "It was submitted once and is paid for. Call "
            f"{check_tool} with job_id={job.job_id!r} to wait for it and get the file; do not "
            "submit it again.")


def _cost_dict(cost: Cost | None) -> dict[str, Any] | None:
    return None if cost is None else {"amount": cost.amount, "unit": cost.unit}


def artifact(item: MediaResult | Transcription | MediaJob) -> dict[str, Any]:
    """``{job_id, status, urls, paths, mime_types, cost, model, hub, kind, progress}`` (and
    ``text`` for a transcript); paths as strings, cost as ``{"amount", "unit"}`` or None."""
    if isinstance(item, MediaJob):
        if item.result is not None and item.result.paths:
            return artifact(item.result)
        return {"job_id": item.job_id, "status": item.status, "urls": list(item.urls),
                "paths": [], "mime_types": [], "cost": _cost_dict(item.cost),
                "model": item.model, "hub": item.hub, "kind": item.kind,
                "progress": item.progress}
    if isinstance(item, Transcription):
        return {"job_id": item.job_id, "status": "succeeded", "urls": [], "paths": [],
                "mime_types": [], "cost": _cost_dict(item.cost), "model": item.model,
                "hub": item.hub, "kind": "transcription", "progress": 1.0, "text": item.text}
    return {"job_id": item.job_id, "status": item.status, "urls": list(item.urls),
            "paths": [str(p) for p in item.paths], "mime_types": list(item.mime_types),
            "cost": _cost_dict(item.cost), "model": item.model, "hub": item.hub,
            "kind": item.kind, "progress": 1.0 if item.status == "succeeded" else None}
