"""Speech (text in, audio bytes out) and transcription (audio in, text out).

Speech replies are raw bytes. The file's MIME type and extension come from the format asked
for, checked against the reply's ``Content-Type`` and the bytes' magic numbers. When they
disagree the bytes are still saved -- under the extension of what they really are, never a
misleading one -- and :class:`~hub_core.errors.MediaFormatError` is raised with that result
attached, so nothing paid for is lost and nothing is silently mislabelled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hub_core.credits import Cost
from hub_core.errors import MediaFormatError
from hub_core.media.effects import Call, Flow
from hub_core.media.jobs import MediaJob
from hub_core.media.mime import GENERIC, SPEECH_FORMATS, base_type, same_format, sniff
from hub_core.media.results import MediaResult
from hub_core.media.spend import media_cost
from hub_core.media.submit import Submission, accept, paid_call, send_once
from hub_core.media.validate import (
    TRANSCRIPTION_FORMATS,
    check_audio_file,
    check_choice,
    check_number,
    check_prompt,
    check_speech_format,
    read_file,
)

if TYPE_CHECKING:
    from hub_core.media.base import MediaBase

__all__ = [
    "Transcription", "speech_flow", "speech_mime", "transcribe_flow", "transcription_fields",
]

SPEECH_MAX_CHARS = 4096
_CONTAINERS = frozenset({"audio/wav", "audio/ogg", "audio/flac", "audio/mp4", "video/mp4"})


@dataclass(frozen=True)
class Transcription:
    """A transcript: ``text`` always; ``language``, ``duration`` and ``segments`` when the
    format carries them (``verbose_json``); ``raw`` is the reply as sent (dict or text)."""

    text: str
    response_format: str
    job_id: str
    hub: str
    model: str
    language: str | None = None
    duration: float | None = None
    segments: tuple[dict[str, Any], ...] = ()
    cost: Cost | None = None
    raw: Any = field(default=None, repr=False)


def speech_mime(data: bytes, content_type: str | None, fmt: str) -> tuple[str, str]:
    """``(expected, actual)`` MIME types of a speech reply.

    ``actual`` is what the bytes prove, else the declared type unless generic, else the
    expected one. Raw PCM has no header, so for ``pcm`` only a container header counts.
    """
    expected = SPEECH_FORMATS[fmt]
    proven = sniff(data[:64])
    if fmt == "pcm" and proven not in _CONTAINERS and not data.startswith(b"ID3"):
        proven = None
    declared = base_type(content_type)
    if declared in GENERIC or (declared is not None and not declared.startswith("audio/")):
        declared = None
    return expected, proven or declared or expected


def speech_flow(
    media: MediaBase, text: str, *, model: str | None, voice: str | None, fmt: str,
    speed: float | None, instructions: str | None,
) -> Flow[MediaResult]:
    """``POST audio/speech``; the audio file."""
    media.require("speech", "speech")
    hub = media.hub
    model = media.model_for("speech", model)
    check_prompt(text, hub=hub, field="text", limit=SPEECH_MAX_CHARS)
    check_speech_format(fmt, hub=hub)
    check_number(speed, 0.25, 4.0, field="speed", hub=hub)
    body = {k: v for k, v in {"model": model, "input": text, "voice": voice or "alloy",
                              "response_format": fmt, "speed": speed,
                              "instructions": instructions}.items() if v is not None}
    sub = Submission(kind="speech", model=model, endpoint="speech", request=body,
                     cost=media_cost(media.profile, model))
    call = Call("POST", media.client.url("speech"), json=body, kind="submit", expect_json=False)
    record, response, spend = yield from paid_call(media, sub, send_once(call))
    record = accept(media, record, spend, None, phase="accepted", status="succeeded")
    job = MediaJob(media, record)
    data = response.content
    expected, actual = speech_mime(data, response.headers.get("content-type"), fmt)
    result = job._deliver([(data, actual)])
    if not same_format(expected, actual):
        raise MediaFormatError(
            f"asked for {fmt} ({expected}) but the hub sent {actual}; the audio was saved as "
            f"{result.path} (its real type), not under a {fmt} name",
            hub=hub, job_id=job.job_id, status="succeeded", expected=expected, actual=actual,
            result=result,
        )
    return result


def transcribe_flow(
    media: MediaBase, file: Any, *, model: str | None, language: str | None,
    prompt: str | None, response_format: str, temperature: float | None,
) -> Flow[Transcription]:
    """``POST audio/transcriptions`` (multipart)."""
    media.require("transcriptions", "transcription")
    hub = media.hub
    model = media.model_for("transcription", model)
    check_choice(response_format, TRANSCRIPTION_FORMATS, field="response_format", hub=hub)
    check_number(temperature, 0.0, 1.0, field="temperature", hub=hub)
    name, data = read_file(file, field="file", hub=hub)
    check_audio_file(name, data, hub=hub)
    mime = sniff(data[:64]) or "application/octet-stream"
    if "." not in name:
        name = f"{name}{'.wav' if mime == 'audio/wav' else '.mp3'}"
    form = {k: str(v) for k, v in {"model": model, "language": language, "prompt": prompt,
                                   "response_format": response_format,
                                   "temperature": temperature}.items() if v is not None}
    sub = Submission(kind="transcription", model=model, endpoint="transcriptions",
                     request={**form, "file": {"name": name, "bytes": len(data)}},
                     cost=media_cost(media.profile, model))
    as_json = response_format in ("json", "verbose_json")
    call = Call("POST", media.client.url("transcriptions"), data=form,
                files={"file": (name, data, mime)}, kind="submit", expect_json=as_json)
    record, response, spend = yield from paid_call(media, sub, send_once(call))
    record = accept(media, record, spend, None, phase="finished", status="succeeded",
                    progress=1.0)
    raw: Any = response.json() if as_json else response.text()
    text, language, duration, segments = transcription_fields(raw)
    return Transcription(
        text=text, response_format=response_format, job_id=record.id, hub=hub, model=model,
        language=language, duration=duration, segments=segments, cost=sub.cost, raw=raw,
    )


def transcription_fields(
    raw: Any,
) -> tuple[str, str | None, float | None, tuple[dict[str, Any], ...]]:
    """``(text, language, duration, segments)`` of a transcription reply (JSON or plain text);
    a field of the wrong type is None or empty (the whole reply stays in ``raw``)."""
    text = str(raw.get("text", "")) if isinstance(raw, dict) else str(raw)
    info = raw if isinstance(raw, dict) else {}
    language = info.get("language")
    segments = info.get("segments")
    return (
        text, language if isinstance(language, str) else None, _seconds(info.get("duration")),
        tuple(s for s in segments if isinstance(s, dict)) if isinstance(segments, list) else (),
    )


def _seconds(value: Any) -> float | None:
    """A finite number of seconds, or None (JSON allows NaN and integers of any size)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) else None
