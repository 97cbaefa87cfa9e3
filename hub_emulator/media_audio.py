"""Audio routes: ``audio/speech`` (raw audio bytes), ``audio/transcriptions`` (multipart) and
Electron Hub's ``audio/music`` (gap 13: JSON ``{data:[{url}]}``)."""

from __future__ import annotations

import re
import time
from typing import Any

from . import media_encode as enc
from . import multipart_form
from .media_catalog import lookup
from .media_jobs import accept, bad_request, new_id, publish, unknown_model
from .routes import Ctx, Out, register

SECONDS_PER_CHAR = 0.06
MIN_SPEECH_SECONDS = 0.5
MAX_SPEECH_CHARS = 4096
MAX_UPLOAD = 25 * 1024 * 1024
MAX_AUDIO_SECONDS = 25 * 60
AUDIO_EXTENSIONS = ("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm")
MUSIC_SECONDS = (1, 240, 5)  # min, max, default length of an Electron Hub music clip
LANGUAGES = {"en": "english", "de": "german", "fr": "french", "es": "spanish", "it": "italian",
             "ja": "japanese", "zh": "chinese", "pt": "portuguese", "ru": "russian"}
_WORDS = re.compile(r"\S+")


def speech_seconds(text: str, speed: float = 1.0) -> float:
    """How long the emulator's speech of ``text`` lasts (to the millisecond)."""
    return round(max(MIN_SPEECH_SECONDS, SECONDS_PER_CHAR * len(text)) / speed, 3)


def _number(body: dict[str, Any], name: str, low: float, high: float, default: float) -> float:
    value = body.get(name, default)
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise bad_request(f"'{name}' must be a number from {low} to {high}, got {value!r}.") \
            from None
    if isinstance(value, bool) or not low <= number <= high:
        raise bad_request(f"'{name}' must be a number from {low} to {high}, got {value!r}.")
    return number


async def speech(ctx: Ctx) -> Out:
    """``POST audio/speech`` -> audio bytes in ``response_format`` (mp3 by default)."""
    body = ctx.json()
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    spec = lookup(ctx.hub, body.get("model"), "speech")
    if spec is None:
        raise unknown_model(ctx, body.get("model"), "speech")
    text = body.get("input")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("'input' is required and must be a non-empty string.")
    if len(text) > MAX_SPEECH_CHARS:
        raise bad_request(f"'input' must be at most {MAX_SPEECH_CHARS} characters, "
                          f"got {len(text)}.")
    voice = body.get("voice")
    if voice not in spec.voices:
        raise bad_request(f"'voice' must be one of {', '.join(spec.voices)}, got {voice!r}.")
    fmt = body.get("response_format") or "mp3"
    if fmt not in enc.AUDIO_TYPES:
        raise bad_request(f"'response_format' must be one of {', '.join(enc.AUDIO_TYPES)}, "
                          f"got {fmt!r}.")
    speed = _number(body, "speed", 0.25, 4.0, 1.0)
    seconds = speech_seconds(text, speed)
    job = accept(ctx, spec, spec.cost(), job_id=new_id("tts-"), sync=True,
                 params={"voice": voice, "response_format": fmt, "seconds": seconds,
                         "chars": len(text)})
    audio = enc.audio(fmt, seconds, enc.seed_of(text, voice))
    ctx.state.media.remember_speech(audio, text)
    return Out(200, audio, content_type=enc.AUDIO_TYPES[fmt], model=spec.id,
               credits=job.credits)


def _segments(text: str, duration: float) -> list[dict[str, Any]]:
    """Segments of about eight words, timed by their share of the characters."""
    words = _WORDS.findall(text) or [text]
    groups = [" ".join(words[i:i + 8]) for i in range(0, len(words), 8)]
    total = sum(len(g) for g in groups) or 1
    out, start = [], 0.0
    for i, group in enumerate(groups):
        end = round(start + duration * len(group) / total, 3)
        out.append({"id": i, "seek": 0, "start": round(start, 3), "end": end,
                    "text": " " + group, "tokens": list(range(len(group.split()))),
                    "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.1,
                    "no_speech_prob": 0.01})
        start = end
    return out


def _words(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for seg in segments:
        words = seg["text"].split()
        step = (seg["end"] - seg["start"]) / max(1, len(words))
        out += [{"word": w, "start": round(seg["start"] + i * step, 3),
                 "end": round(seg["start"] + (i + 1) * step, 3)} for i, w in enumerate(words)]
    return out


def _clock(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    hours, minutes, secs = ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{ms % 1000:03d}"


def _subtitles(segments: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "srt":
        return "".join(f"{i + 1}\n{_clock(s['start'], ',')} --> {_clock(s['end'], ',')}\n"
                       f"{s['text'].strip()}\n\n" for i, s in enumerate(segments))
    return "WEBVTT\n\n" + "".join(f"{_clock(s['start'], '.')} --> {_clock(s['end'], '.')}\n"
                                  f"{s['text'].strip()}\n\n" for s in segments)


async def transcription(ctx: Ctx) -> Out:
    """``POST audio/transcriptions``: json | text | srt | verbose_json | vtt."""
    form = multipart_form.parse(ctx)
    spec = lookup(ctx.hub, form.get("model"), "transcribe")
    if spec is None:
        raise unknown_model(ctx, form.get("model"), "transcribe")
    files = form.uploads("file")
    if not files:
        raise bad_request("'file' is required (a file part).")
    upload = files[0]
    if len(upload.data) > MAX_UPLOAD:
        raise bad_request(f"'file' must be at most 25 MB, got "
                          f"{len(upload.data) / (1024 * 1024):.1f} MB.")
    ext = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    if ext not in AUDIO_EXTENSIONS:
        raise bad_request(f"Unsupported file format {ext or upload.filename!r}. Supported "
                          f"formats: {', '.join(AUDIO_EXTENSIONS)}.")
    duration = enc.probe_seconds(upload.data)
    if duration is None:
        raise bad_request(f"'file' could not be decoded as {ext} audio.")
    if duration > MAX_AUDIO_SECONDS:
        raise bad_request(f"'file' must be at most 25 minutes long, got {duration / 60:.1f}.")
    fmt = form.get("response_format") or "json"
    if fmt not in spec.formats:
        raise bad_request(f"'response_format' must be one of {', '.join(spec.formats)} for "
                          f"{spec.id}, got {fmt!r}.")
    granularities = form.all("timestamp_granularities[]") + form.all("timestamp_granularities")
    if any(g not in ("word", "segment") for g in granularities):
        raise bad_request("'timestamp_granularities[]' items must be 'word' or 'segment'.")
    if granularities and fmt != "verbose_json":
        raise bad_request("'timestamp_granularities[]' needs response_format 'verbose_json'.")
    _number({"temperature": form.get("temperature")}, "temperature", 0.0, 1.0, 0.0)
    language = form.get("language") or "en"
    job = accept(ctx, spec, spec.cost(), job_id=new_id("stt-"), sync=True,
                 params={"response_format": fmt, "seconds": round(duration, 3),
                         "language": language, "filename": upload.filename})
    text = ctx.state.media.spoken_text(upload.data) or (
        f"This is the emulator's transcript of {upload.filename}, "
        f"{duration:.1f} seconds of audio.")
    segments = _segments(text, duration)
    if fmt in ("text", "srt", "vtt"):
        body = text if fmt == "text" else _subtitles(segments, fmt)
        return Out(200, body.encode(), content_type="text/plain; charset=utf-8", model=spec.id,
                   credits=job.credits)
    if fmt == "json":
        return Out.json({"text": text}, model=spec.id, credits=job.credits)
    verbose: dict[str, Any] = {"task": "transcribe",
                               "language": LANGUAGES.get(language, language),
                               "duration": round(duration, 3), "text": text,
                               "segments": segments}
    if "word" in granularities:
        verbose["words"] = _words(segments)
        if "segment" not in granularities:
            del verbose["segments"]
    return Out.json(verbose, model=spec.id, credits=job.credits)


async def music(ctx: Ctx) -> Out:
    """Electron Hub ``POST audio/music`` ``{model, prompt, duration?}`` -> ``{data:[{url}]}``."""
    body = ctx.json()
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    spec = lookup(ctx.hub, body.get("model"), "music")
    if spec is None:
        raise unknown_model(ctx, body.get("model"), "music")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise bad_request("'prompt' is required and must be a non-empty string.")
    low, high, default = MUSIC_SECONDS
    seconds = _number(body, "duration", low, high, default)
    job = accept(ctx, spec, spec.cost(), job_id=new_id("mus-"), sync=True,
                 params={"prompt": prompt, "seconds": seconds})
    audio = enc.audio("mp3", seconds, enc.seed_of(spec.id, prompt))
    url = publish(ctx, job, audio, f"{job.id}.mp3", enc.AUDIO_TYPES["mp3"])
    return Out.json({"created": int(time.time()), "model": spec.id,
                     "data": [{"url": url, "duration": seconds,
                               "content_type": enc.AUDIO_TYPES["mp3"]}]},
                    model=spec.id, credits=job.credits)


register(("electronhub", "chainhub"), "api", "POST", "audio/speech", speech, paid=True)
register(("electronhub", "chainhub"), "api", "POST", "audio/transcriptions", transcription,
         paid=True)
register("electronhub", "api", "POST", "audio/music", music, paid=True)
