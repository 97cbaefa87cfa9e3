"""What a caller may pass for one hub and model, and what a call costs, before anything is sent.

The input checks (:mod:`hub_core.media.validate`, :mod:`hub_core.media.video`) and anything that
has to *tell* a caller the rules -- an agent tool's argument descriptions, a form -- read the
same tables here, so a description never promises a value the check then refuses.

Example:
    >>> from hub_core.hubs import get_hub
    >>> video_options(get_hub("chainhub"), "kling-v1").durations
    (5, 10)
    >>> price_text(get_hub("electronhub"), "dall-e-3")
    '20 credits per request'
    >>> price_text(get_hub("tokenhub"), "bytedance/doubao-seedance-2.0")
    '0.2 credits per second of output (480p: 0.12, 720p: 0.2)'
"""

from __future__ import annotations

from dataclasses import dataclass

from hub_core.credits import price_of
from hub_core.hubs import HubProfile
from hub_core.media.dialects import resolve_dialect
from hub_core.media.mime import SPEECH_FORMATS
from hub_core.media.validate import max_images, sizes_for

__all__ = [
    "CAPABILITY_OF",
    "EH_VIDEO_RATIOS",
    "OPENAI_VOICES",
    "SPEECH_FORMAT_NAMES",
    "VideoOptions",
    "max_images",
    "offers",
    "price_text",
    "sizes_for",
    "video_options",
    "voices_for",
]

OPENAI_VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse",
)
"""The voices of OpenAI's speech models (PROTOCOL 2.7); other engines name theirs differently."""
SPEECH_FORMAT_NAMES = tuple(SPEECH_FORMATS)
"""``/audio/speech`` ``response_format`` values: mp3, opus, aac, flac, wav, pcm."""
EH_VIDEO_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4")
"""Electron Hub video ``size`` values (sent as ``size``; callers pass ``aspect_ratio``)."""
KLING_RATIOS = ("16:9", "9:16", "1:1")
COMMON_RATIOS = ("adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
"""Ratios to offer where any ``W:H`` is accepted (TokenHub and Ark Seedance)."""
_SECONDS = {  # (dialect, model family) -> documented seconds, min and max
    ("tokenhub-video", "seedance"): (4, 15),  # P-TH Seedance 2.0
    ("tokenhub-video", "kling"): (3, 15),  # P-TH Kling
    ("seedance", "seedance"): (2, 12),  # Volcengine Ark
}
_OPENAI_TTS = ("tts-1", "gpt-4o-mini-tts", "gpt-4o-tts")


@dataclass(frozen=True)
class VideoOptions:
    """The video parameters one hub and model take.

    ``durations`` set: only those seconds (Kling 5 or 10); else ``min_seconds``..``max_seconds``
    (whole seconds when ``whole_seconds``). ``resolutions`` None: the route takes none.
    ``aspect_ratios``: the documented values; with ``any_ratio`` any ``W:H`` (or ``adaptive``)
    is accepted too and the list holds common ones to offer.
    """

    dialect: str
    min_seconds: float
    max_seconds: float
    durations: tuple[int, ...] | None = None
    whole_seconds: bool = False
    resolutions: tuple[str, ...] | None = None
    aspect_ratios: tuple[str, ...] = ()
    any_ratio: bool = False
    prompt_limit: int | None = None
    default_seconds: float = 5.0
    """What the hubs make when no duration is given (and what a price is worked out for)."""


def video_options(profile: HubProfile, model: str) -> VideoOptions:
    """The video parameters ``model`` takes on this hub.

    Raises:
        UnsupportedFeatureError: the hub has no video route.
        HubInputError: a ChainHub model of no family it routes.
    """
    dialect = resolve_dialect(profile, "video", model)
    if dialect == "electronhub-video":
        return VideoOptions(dialect, 1, 60, aspect_ratios=EH_VIDEO_RATIOS)
    if dialect == "kling":
        return VideoOptions(dialect, 5, 10, durations=(5, 10), aspect_ratios=KLING_RATIOS,
                            prompt_limit=2500)
    family = "kling" if "kling" in model.lower() else "seedance"
    low, high = _SECONDS.get((dialect, family), (2, 15))
    resolutions = ("480p", "720p") if dialect == "tokenhub-video" else ("480p", "720p", "1080p")
    return VideoOptions(dialect, low, high, whole_seconds=True, resolutions=resolutions,
                        aspect_ratios=COMMON_RATIOS, any_ratio=True)


def voices_for(model: str) -> tuple[str, ...] | None:
    """The voices a speech model takes, when documented (OpenAI's models); else None."""
    bare = model.rsplit("/", 1)[-1].lower()
    return OPENAI_VOICES if bare.startswith(_OPENAI_TTS) else None


def _amount(value: float) -> str:
    return f"{value:g}"


def price_text(profile: HubProfile, model: str) -> str | None:
    """What one call to ``model`` costs in words, from the profile's price table (then what
    the hub's ``/models`` stated, once fetched); None when unknown."""
    price = price_of(profile, model)
    if price is None:
        return None
    unit = profile.price_unit
    parts: list[str] = []
    if price.per_request is not None:
        parts.append(f"{_amount(price.per_request)} {unit} per request")
    if price.per_image is not None:
        parts.append(f"{_amount(price.per_image)} {unit} per image")
    if price.per_second is not None or price.per_second_by_resolution:
        rate = price.per_second
        text = f"{_amount(rate)} {unit} per second of output" if rate is not None else (
            f"{unit} per second of output")
        if price.per_second_by_resolution:
            rates = ", ".join(f"{res}: {_amount(r)}"
                              for res, r in sorted(price.per_second_by_resolution))
            text += f" ({rates})"
        parts.append(text)
    if price.input_per_mtok is not None or price.output_per_mtok is not None:
        rates = f"{_amount(price.input_per_mtok or 0)} / {_amount(price.output_per_mtok or 0)}"
        parts.append(f"{rates} {unit} per 1M input / output tokens")
    return "; ".join(parts) or None


CAPABILITY_OF = {
    "image": "images", "image_edit": "image_edits", "video": "video", "music": "music",
    "speech": "speech", "transcription": "transcriptions",
}
"""The profile capability behind each media operation (``HubProfile.media_models`` keys)."""


def offers(profile: HubProfile, operation: str, *, enable_music: bool = False) -> bool:
    """Whether ``profile``'s hub offers ``operation`` to a caller (a tool, a toolkit).

    A documented capability is enough, except Electron Hub music: its route is missing from the
    hub's current docs (PROTOCOL gap 13), so it is offered only with ``enable_music=True``.

    Example:
        >>> from hub_core.hubs import get_hub
        >>> [op for op in CAPABILITY_OF if offers(get_hub("tokenhub"), op)]
        ['image', 'video']
    """
    if not profile.supports(CAPABILITY_OF[operation]):
        return False
    if operation == "music":
        dialect = profile.media_dialects.get("music")
        return dialect is not None and (dialect != "electronhub-music" or enable_music)
    return True
