"""Argument models of the media tools, built for one hub and model, shared by every framework.

A model reads a tool's argument schema to decide what to pass, so each schema says exactly what
this hub and model take: allowed values become JSON-schema enums (``Literal``), ranges become
``minimum``/``maximum``, and each description says the rule and, where the profile knows it,
the price. The LangChain tools (``args_schema``) and the LlamaIndex tool spec (``fn_schema``)
use the same classes, read from :mod:`hub_core.media.options` like the input checks, so a
description never promises a value the check then refuses.

:func:`arguments_for` is the one lookup tools use: it builds a class once per operation, hub and
model. The classes are not importable by name, so an object holding one looks it up again after
unpickling instead of pickling it.

Example:
    >>> from hub_core.hubs import get_hub
    >>> schema = video_arguments(get_hub("chainhub"), "kling-v1").model_json_schema()
    >>> schema["properties"]["duration"]["anyOf"][0]["enum"]
    [5, 10]
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from hub_core.hubs import HubProfile
from hub_core.media.options import (
    SPEECH_FORMAT_NAMES,
    VideoOptions,
    max_images,
    price_text,
    sizes_for,
    video_options,
    voices_for,
)
from hub_core.media.validate import TRANSCRIPTION_FORMATS

__all__ = [
    "arguments_for",
    "choices",
    "edit_arguments",
    "image_arguments",
    "invalid_arguments_text",
    "job_arguments",
    "music_arguments",
    "price_note",
    "speech_arguments",
    "tool_description",
    "transcription_arguments",
    "video_arguments",
]

ArgSpec = tuple[Any, Any]
"""``(type, Field(...))`` as ``pydantic.create_model`` takes it."""

_SIZE_PATTERN = r"^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$"


def _one_of(values: Sequence[Any]) -> Any:
    """``Literal[values...]``: the JSON schema lists them as an enum."""
    return cast(Any, Literal)[tuple(values)]


def choices(values: Sequence[Any]) -> str:
    """``'a', 'b' or 'c'``: allowed values as a model reads them."""
    shown = [repr(v) if isinstance(v, str) else str(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def price_note(profile: HubProfile, model: str, prefix: str = " Price: ") -> str:
    """`` Price: 20 credits per request.``, or ``""`` when the price is unknown."""
    text = price_text(profile, model)
    return f"{prefix}{text}." if text else ""


def _prompt(what: str, limit: int | None = None) -> ArgSpec:
    rule = f" (at most {limit} characters)" if limit else ""
    return (str, Field(min_length=1, max_length=limit, description=f"{what}{rule}."))


def _model(name: str, doc: str, fields: dict[str, ArgSpec]) -> type[BaseModel]:
    """A model that refuses arguments it does not list (a ``resolution`` where the hub takes
    none is an error the model can fix, never silently dropped)."""
    built: type[BaseModel] = create_model(  # type: ignore[call-overload]
        name, __doc__=doc, __config__=ConfigDict(extra="forbid"), **fields)
    return built


def _size(profile: HubProfile, model: str, *, edit: bool) -> ArgSpec:
    sizes = sizes_for(profile.name, model, edit=edit)
    if sizes is None:
        return (str | None, Field(default=None, pattern=_SIZE_PATTERN, description=(
            "Width x height in pixels, e.g. '2048x2048' (any size the model makes). Leave it "
            "out for the model's default.")))
    listed = sorted(sizes, key=lambda s: (len(s), s))
    return (_one_of(listed) | None, Field(default=None, description=(
        f"Width x height in pixels: {choices(listed)}. Leave it out for the model's default.")))


def _count(profile: HubProfile, model: str) -> ArgSpec:
    most = max_images(model)
    rule = "exactly 1" if most == 1 else f"1 to {most}"
    return (int, Field(default=1, ge=1, le=most, description=(
        f"How many images to make: {rule}.{price_note(profile, model)}")))


def image_arguments(profile: HubProfile, model: str) -> type[BaseModel]:
    """``prompt``, ``size`` and ``n`` for making images with ``model``."""
    return _model("GenerateImageInput", "What image to make.", {
        "prompt": _prompt("What the image shows, in plain words", 4000),
        "size": _size(profile, model, edit=False),
        "n": _count(profile, model),
    })


def edit_arguments(profile: HubProfile, model: str) -> type[BaseModel]:
    """``prompt``, ``image``, ``mask``, ``size`` and ``n`` for editing an image file."""
    strict = profile.name == "electronhub" or model.startswith("dall-e-2")
    return _model("EditImageInput", "How to change an image.", {
        "prompt": _prompt("What to change, in plain words",
                          1000 if model.startswith("dall-e-2") else 32000),
        "image": (str, Field(description=(
            "Path of the image to edit: a file made by these tools (a path they returned)"
            + (", a square PNG under 4 MB" if strict else ", PNG, JPEG or WEBP") + "."))),
        "mask": (str | None, Field(default=None, description=(
            "Optional path of a PNG the same size as the image whose transparent pixels mark "
            "the area to change."))),
        "size": _size(profile, model, edit=True),
        "n": _count(profile, model),
    })


def _duration(opts: VideoOptions, price: str) -> ArgSpec:
    default = f" Leave it out for {opts.default_seconds:g} s."
    if opts.durations is not None:
        return (_one_of(opts.durations) | None, Field(default=None, description=(
            f"Length in seconds: {choices(opts.durations)}.{default}{price}")))
    kind: Any = int if opts.whole_seconds else float
    whole = "whole " if opts.whole_seconds else ""
    rule = f"Length in {whole}seconds from {opts.min_seconds:g} to {opts.max_seconds:g}."
    return (kind | None, Field(default=None, ge=opts.min_seconds, le=opts.max_seconds,
                               description=f"{rule}{default}{price}"))


def video_arguments(profile: HubProfile, model: str) -> type[BaseModel]:
    """``prompt``, ``duration``, ``resolution`` (where a parameter) and ``aspect_ratio``.

    Raises:
        UnsupportedFeatureError: the hub has no video route for ``model``.
    """
    opts = video_options(profile, model)
    fields: dict[str, ArgSpec] = {
        "prompt": _prompt("What happens in the video, in plain words", opts.prompt_limit),
        "duration": _duration(opts, price_note(profile, model)),
    }
    if opts.resolutions is not None:
        fields["resolution"] = (_one_of(opts.resolutions) | None, Field(
            default=None, description=(f"Output resolution: {choices(opts.resolutions)}. "
                                       "Leave it out for the hub's default.")))
    fields["aspect_ratio"] = (_one_of(opts.aspect_ratios) | None, Field(
        default=None, description=(f"Frame shape, width:height: {choices(opts.aspect_ratios)}. "
                                   "Leave it out for the hub's default.")))
    return _model("GenerateVideoInput", "What video to make.", fields)


def music_arguments() -> type[BaseModel]:
    """``prompt`` and ``instrumental``."""
    return _model("GenerateMusicInput", "What music to make.", {
        "prompt": _prompt("What the song is about, its mood and style", 3000),
        "instrumental": (bool, Field(default=False,
                                     description="True for music without singing.")),
    })


def speech_arguments(model: str) -> type[BaseModel]:
    """``prompt``, ``voice`` (an enum for OpenAI's voices) and ``format``."""
    voices = voices_for(model)
    voice: ArgSpec = (_one_of(voices) | None, Field(default=None, description=(
        f"Voice: {choices(voices)}. Leave it out for 'alloy'."))) if voices else (
        str | None, Field(default=None, description="The model's voice name."))
    return _model("TextToSpeechInput", "What to say.", {
        "prompt": _prompt("The exact words to speak", 4096),
        "voice": voice,
        "format": (_one_of(SPEECH_FORMAT_NAMES), Field(
            default="mp3", description=f"Audio format: {choices(SPEECH_FORMAT_NAMES)}.")),
    })


def transcription_arguments() -> type[BaseModel]:
    """``audio`` (a path), ``format`` and an optional spelling ``prompt``."""
    return _model("TranscribeAudioInput", "Which audio to write down.", {
        "audio": (str, Field(description=(
            "Path of the audio file (mp3, wav, m4a, ogg, flac, webm; at most 25 MB), e.g. one "
            "the text_to_speech tool returned."))),
        "format": (_one_of(TRANSCRIPTION_FORMATS), Field(default="json", description=(
            f"Transcript format: {choices(TRANSCRIPTION_FORMATS)} (srt and vtt have "
            "timings)."))),
        "prompt": (str | None, Field(default=None, description=(
            "Optional: names or terms in the audio, to help the spelling."))),
    })


def job_arguments() -> type[BaseModel]:
    """``job_id`` and ``action`` (finish: wait and download; check: look once)."""
    return _model("CheckMediaJobInput", "Which job, and what to do with it.", {
        "job_id": (str, Field(min_length=1, description=(
            "The job id a media tool returned (e.g. from generate_video)."))),
        "action": (Literal["finish", "check"], Field(default="finish", description=(
            "'finish': wait until the job is done and return its files; 'check': look once "
            "and say where it stands."))),
    })


_WHAT_IT_DOES = {
    "image": ("Make images from a text description with {model} on {hub} and save them as "
              "files; returns their paths and URLs."),
    "image_edit": ("Edit an image file from a text instruction with {model} on {hub}; returns "
                   "the new files' paths and URLs."),
    "video": "Make a short video from a text description with {model} on {hub}; {wait}.",
    "music": "Make music from a text description with {model} on {hub}; {wait}.",
    "speech": "Turn text into spoken audio with {model} on {hub}; returns the audio file's path.",
    "transcription": "Transcribe an audio file to text with {model} on {hub}.",
    "job": ("Check on or finish a media job started earlier on {hub} (a video or song made with "
            "wait turned off, or one whose wait ran out), by its job id; never submits or pays "
            "again."),
}


def tool_description(
    operation: str, profile: HubProfile, model: str, *, wait: bool = True,
    check_tool: str = "check_media_job",
) -> str:
    """What a media tool does, for the model choosing it: the model, the hub, whether it waits
    (``wait=False``: it returns a job id for ``check_tool``) and the price where known.

    ``operation`` is a ``HubProfile.media_models`` key (``image``, ``video``, ...) or ``job``.
    """
    waits = ("waits for the file and returns its path and URL" if wait else
             f"returns a job id at once; finish it later with the {check_tool} tool (never "
             "submit it twice)")
    text = _WHAT_IT_DOES[operation].format(model=model, hub=profile.display_name, wait=waits)
    return text if operation == "job" else text + price_note(profile, model)


def invalid_arguments_text(exc: ValidationError) -> str:
    """Arguments an argument model refused, in words a model can fix (each field, the rule,
    what it got)."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ())) or "arguments"
        problems.append(f"{where}: {error.get('msg')} (got {error.get('input')!r})")
    return ("The arguments were refused before anything was sent: " + "; ".join(problems)
            + ". Correct them and call again.")


_BUILDERS: dict[str, Callable[[HubProfile, str], type[BaseModel]]] = {
    "image": image_arguments,
    "image_edit": edit_arguments,
    "video": video_arguments,
    "music": lambda profile, model: music_arguments(),
    "speech": lambda profile, model: speech_arguments(model),
    "transcription": lambda profile, model: transcription_arguments(),
    "job": lambda profile, model: job_arguments(),
}
_built: dict[tuple[str, str, str], tuple[HubProfile, type[BaseModel]]] = {}
_lock = threading.Lock()


def arguments_for(operation: str, profile: HubProfile, model: str) -> type[BaseModel]:
    """The argument model of ``operation`` (a ``HubProfile.media_models`` key, or ``job``) for
    this hub and model, built once (``create_model`` is slow) and shared by every tool.

    Raises:
        UnsupportedFeatureError: video on a hub or model without a video route.
    """
    key = (operation, profile.name, model)
    with _lock:
        held = _built.get(key)
    if held is not None and held[0] is profile:
        return held[1]
    built = _BUILDERS[operation](profile, model)
    with _lock:
        _built[key] = (profile, built)
    return built
