"""Music: ChainHub Suno (submit, then poll) and Electron Hub ``/audio/music`` (one call).

Electron Hub's music route is in its 2024 endpoint list but gone from the current docs, and its
request and reply shapes were never documented (gap 13). It is therefore off unless the caller
opts in with ``enable_music=True``; then it sends ``{model, prompt}`` and accepts either audio
bytes or ``{"data": [{"url": ...}]}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub_core.errors import UnsupportedFeatureError
from hub_core.media.dialects import DIALECTS, resolve_dialect
from hub_core.media.effects import Call, Flow
from hub_core.media.jobs import MediaJob
from hub_core.media.mime import base_type
from hub_core.media.results import blob_mime
from hub_core.media.spend import media_cost
from hub_core.media.submit import Submission, accept, paid_call, send_once
from hub_core.media.tasks import job_from_record, submit_task_flow
from hub_core.media.validate import check_prompt

if TYPE_CHECKING:
    from hub_core.media.base import MediaBase

__all__ = ["music_dialect", "music_flow", "reply_urls"]


def reply_urls(reply: Any) -> tuple[str, ...]:
    """The result URLs of Electron Hub's one-call music reply (``data`` items or top level)."""
    items = reply.get("data") if isinstance(reply, dict) else None
    if isinstance(items, dict):
        items = [items]
    urls = [item.get("url") or item.get("audio_url")
            for item in (items if isinstance(items, list) else []) if isinstance(item, dict)]
    if not urls and isinstance(reply, dict):
        urls = [reply.get("url") or reply.get("audio_url")]
    return tuple(u for u in urls if isinstance(u, str) and u)


def music_dialect(media: MediaBase, model: str) -> str:
    """The music dialect of this hub and model, refusing Electron Hub's route unless enabled.

    Raises:
        UnsupportedFeatureError: no music route, or Electron Hub without ``enable_music``.
    """
    dialect = resolve_dialect(media.profile, "music", model)
    if dialect == "electronhub-music" and not media.enable_music:
        raise UnsupportedFeatureError(
            "Electron Hub's /audio/music is missing from its current docs and its shape was "
            "never documented (PROTOCOL gap 13); pass enable_music=True to call it anyway",
            hub=media.hub, capability="music",
        )
    return dialect


def music_flow(
    media: MediaBase, prompt: str, *, model: str | None, instrumental: bool,
    lyrics: str | None, title: str | None, tags: str | None, force: bool,
) -> Flow[MediaJob]:
    """Submit a song; the job (already finished for Electron Hub's one-call route).

    Raises:
        UnsupportedFeatureError: Electron Hub without ``enable_music=True``, or a hub with no
            music route (nothing is sent).
    """
    model = media.model_for("music", model)
    dialect = music_dialect(media, model)
    check_prompt(prompt, hub=media.hub)
    cost = media_cost(media.profile, model)
    if dialect != "electronhub-music":
        body = DIALECTS[dialect].body(model, prompt, {"instrumental": instrumental,
                                                      "lyrics": lyrics, "title": title,
                                                      "tags": tags})
        sub = Submission(kind="music", model=model, endpoint=dialect, request=body, cost=cost,
                         dialect=dialect, join=not force)
        return (yield from submit_task_flow(media, DIALECTS[dialect], sub, body))
    body = {"model": model, "prompt": prompt}
    if instrumental:
        body["make_instrumental"] = True
    sub = Submission(kind="music", model=model, endpoint="music", request=body, cost=cost)
    call = Call("POST", media.client.url("music"), json=body, kind="submit", expect_json=False)
    record, response, spend = yield from paid_call(media, sub, send_once(call))
    if response is None:
        return job_from_record(media, record)
    record = accept(media, record, spend, None, phase="accepted", status="succeeded")
    job = MediaJob(media, record)
    job.status = "succeeded"
    declared = base_type(response.headers.get("content-type"))
    if declared is not None and "json" in declared:
        job.raw = reply = response.json()
        job.urls = reply_urls(reply)
        yield from job._finish_flow()  # downloads; no URL raises with the reply attached
        return job
    job._deliver([(response.content, blob_mime(response.content, declared, "audio/mpeg"))])
    return job
