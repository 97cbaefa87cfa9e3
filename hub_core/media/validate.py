"""Input rules the hubs document, checked before anything is sent (PROTOCOL.md 2.6-2.8).

Each broken rule raises :class:`~hub_core.errors.HubInputError` (a ``ValueError``) naming the
field, the rule, the value it got and the fix, so a paid request is never spent on a reply of
"400 bad request". Images are read with Pillow (imported on first use: ``pip install
ai-hubs[media]``), never parsed by hand.

Example:
    >>> check_n(12, hub="electronhub", model="dall-e-2")
    Traceback (most recent call last):
    ...
    hub_core.errors.HubInputError: electronhub: n must be an integer from 1 to 10; got 12. Fix: ask for at most 10 images per call
"""  # noqa: E501

from __future__ import annotations

import io
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub_core.errors import HubInputError
from hub_core.media.mime import SPEECH_FORMATS, sniff

__all__ = [
    "EDIT_MAX_BYTES",
    "FileInput",
    "ImageFile",
    "check_choice",
    "check_edit",
    "check_inside",
    "check_n",
    "check_prompt",
    "check_size",
    "load_image",
    "max_images",
    "read_file",
    "sizes_for",
]

FileInput = str | os.PathLike[str] | bytes
"""A path to a file, or its bytes."""

EDIT_MAX_BYTES = 4 * 1024 * 1024
"""Electron Hub (and OpenAI dall-e-2) edits and variations: the image must be under 4 MB."""
TRANSCRIBE_MAX_BYTES = 25 * 1024 * 1024
"""Electron Hub transcription: files up to 25 MB."""

SQUARE_SIZES = frozenset({"256x256", "512x512", "1024x1024"})
MODEL_SIZES: dict[str, frozenset[str]] = {
    "dall-e-3": frozenset({"1024x1024", "1792x1024", "1024x1792"}),
    "dall-e-2": SQUARE_SIZES,
    "gpt-image": frozenset({"1024x1024", "1536x1024", "1024x1536", "auto"}),
}
"""OpenAI's documented sizes per model family (they win over the hub's list)."""
HUB_SIZES: dict[str, frozenset[str]] = {
    "electronhub": frozenset({"256x256", "512x512", "1024x1024", "1792x1024", "1024x1792"}),
}
"""Sizes a hub documents for every image model; a hub not listed takes any ``WxH``."""
EDIT_SIZES: dict[str, frozenset[str]] = {"electronhub": SQUARE_SIZES}
"""Electron Hub edits and variations: 256, 512 or 1024 squares."""
GPT_IMAGE_MAX_BYTES = 50 * 1024 * 1024
GPT_IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")
QUALITIES = {"dall-e-3": ("standard", "hd"), "gpt-image": ("low", "medium", "high", "auto")}
STYLES = ("vivid", "natural")
TRANSCRIPTION_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
TRANSCRIPTION_TYPES = {
    "audio/mpeg": "mp3", "audio/wav": "wav", "audio/flac": "flac", "audio/ogg": "ogg",
    "audio/mp4": "m4a", "video/mp4": "mp4", "video/webm": "webm", "audio/webm": "webm",
}
"""What Electron Hub transcribes (flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm), by type."""
TRANSCRIPTION_SUFFIXES = frozenset(
    {".flac", ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".ogg", ".wav", ".webm"}
)
_SIZE_RE = re.compile(r"^([1-9][0-9]{1,4})x([1-9][0-9]{1,4})$")
_RATIO_RE = re.compile(r"^[1-9][0-9]?:[1-9][0-9]?$")


def _sorted(values: Collection[str]) -> str:
    return ", ".join(sorted(values))


def check_prompt(prompt: Any, *, hub: str, field: str = "prompt", limit: int | None = None) -> str:
    """A non-empty string (at most ``limit`` characters)."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise HubInputError.invalid(field, "must be a non-empty string", prompt,
                                    fix=f"describe what to make in {field}", hub=hub)
    if limit is not None and len(prompt) > limit:
        raise HubInputError.invalid(field, f"must be at most {limit} characters",
                                    f"{len(prompt)} characters",
                                    fix=f"shorten {field}", hub=hub)
    return prompt


def max_images(model: str) -> int:
    """Images one call may ask for: 10, but ``dall-e-3`` makes exactly one."""
    return 1 if model.startswith("dall-e-3") else 10


def check_n(n: Any, *, hub: str, model: str) -> int:
    """1 to 10 images; ``dall-e-3`` makes exactly one per call."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10:
        raise HubInputError.invalid("n", "must be an integer from 1 to 10", n,
                                    fix="ask for at most 10 images per call", hub=hub)
    if n > max_images(model):
        raise HubInputError.invalid("n", "must be 1 for dall-e-3 (it makes one image per call)",
                                    n, fix="call once per image, or use another model", hub=hub)
    return n


def sizes_for(hub: str, model: str, *, edit: bool = False) -> frozenset[str] | None:
    """The documented ``size`` values for this hub and model, or None (any ``WxH``)."""
    if edit and hub in EDIT_SIZES:
        return EDIT_SIZES[hub]
    for family, sizes in MODEL_SIZES.items():
        if model.startswith(family):
            return sizes
    return HUB_SIZES.get(hub)


def check_size(size: Any, *, hub: str, allowed: Collection[str] | None) -> str | None:
    """None, or a ``WxH`` size the hub documents (any ``WxH`` when it lists none)."""
    if size is None:
        return None
    if allowed is not None:
        if size not in allowed:
            raise HubInputError.invalid("size", f"must be one of the documented sizes "
                                        f"({_sorted(allowed)})", size,
                                        fix="pick a listed size", hub=hub)
        return str(size)
    if not isinstance(size, str) or not _SIZE_RE.match(size):
        raise HubInputError.invalid("size", "must look like 'WIDTHxHEIGHT'", size,
                                    fix="e.g. size='2048x2048'", hub=hub)
    return size


def check_choice(value: Any, choices: Collection[str], *, field: str, hub: str) -> Any:
    """None, or one of ``choices``."""
    if value is not None and value not in choices:
        raise HubInputError.invalid(field, f"must be one of {_sorted(choices)}", value,
                                    fix=f"pick a listed {field}", hub=hub)
    return value


def check_quality(quality: Any, *, model: str, hub: str) -> Any:
    """``standard|hd`` for dall-e-3, ``low|medium|high|auto`` for gpt-image-*; else as given."""
    for family, allowed in QUALITIES.items():
        if model.startswith(family):
            return check_choice(quality, allowed, field="quality", hub=hub)
    return quality


def check_number(value: Any, low: float, high: float, *, field: str, hub: str,
                 fix: str = "") -> Any:
    """None, or a number from ``low`` to ``high``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise HubInputError.invalid(field, f"must be a number from {low:g} to {high:g}", value,
                                    fix=fix or f"pass {field} between {low:g} and {high:g}",
                                    hub=hub)
    return value


def check_ratio(value: Any, *, hub: str, allowed: Collection[str] | None = None,
                field: str = "aspect_ratio") -> Any:
    """None, a listed ratio, or (no list) ``W:H`` / ``adaptive``."""
    if value is None:
        return None
    if allowed is not None:
        return check_choice(value, allowed, field=field, hub=hub)
    if not isinstance(value, str) or not (value == "adaptive" or _RATIO_RE.match(value)):
        raise HubInputError.invalid(field, "must look like '16:9' (or 'adaptive')", value,
                                    fix="e.g. aspect_ratio='16:9'", hub=hub)
    return value


def check_speech_format(fmt: Any, *, hub: str) -> str:
    """One of the ``/audio/speech`` formats (mp3, opus, aac, flac, wav, pcm)."""
    check_choice(fmt, SPEECH_FORMATS, field="format", hub=hub)
    if fmt is None:
        raise HubInputError.invalid("format", f"must be one of {_sorted(SPEECH_FORMATS)}", fmt,
                                    fix="e.g. format='mp3'", hub=hub)
    return str(fmt)


# -- files --------------------------------------------------------------------------------


def check_inside(
    value: Any, dirs: Collection[str | os.PathLike[str]], *, field: str, hub: str
) -> Path:
    """A path that lies inside one of ``dirs`` (symlinks and ``..`` resolved first).

    Why: an agent's tool arguments come from a model, which a document or a user can talk into
    naming any file; a tool that uploads files reads only the folders it was given.
    """
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise HubInputError.invalid(field, "must be a file path", value,
                                    fix="pass the path of a file", hub=hub)
    path = Path(value).expanduser().resolve()
    roots = [Path(d).expanduser().resolve() for d in dirs]
    if not any(path == root or root in path.parents for root in roots):
        shown = ", ".join(str(r) for r in roots)
        raise HubInputError.invalid(field, f"must be a file inside {shown}", str(value),
                                    fix="use a file made by these tools, or add its folder to "
                                    "input_dirs", hub=hub)
    return path


def read_file(value: Any, *, field: str, hub: str) -> tuple[str, bytes]:
    """``(file name, bytes)`` of a path or of raw bytes (named ``<field>``)."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return field, data
    if isinstance(value, str | os.PathLike):
        path = Path(value)
        if not path.is_file():
            raise HubInputError.invalid(field, "must be a readable file (or its bytes)",
                                        str(path), fix="check the path", hub=hub)
        return path.name, path.read_bytes()
    raise HubInputError.invalid(field, "must be a file path or bytes", type(value).__name__,
                                fix="pass a path such as 'photo.png' or the file's bytes",
                                hub=hub)


@dataclass(frozen=True)
class ImageFile:
    """An image read and measured by Pillow, ready to upload."""

    name: str
    data: bytes
    format: str
    width: int
    height: int
    mode: str

    @property
    def mime(self) -> str:
        """``image/png`` etc."""
        return f"image/{self.format.lower()}"


def load_image(value: Any, *, field: str, hub: str) -> ImageFile:
    """Read an image with Pillow; anything Pillow cannot read is refused."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - the media extra is part of "all"
        raise ImportError(
            "image edits need Pillow: pip install 'ai-hubs[media]'"
        ) from exc
    name, data = read_file(value, field=field, hub=hub)
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or "unknown"
            width, height = img.size
            mode = img.mode
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise HubInputError.invalid(field, "must be an image file (Pillow cannot read it)",
                                    f"{len(data)} bytes ({type(exc).__name__})",
                                    fix="pass a PNG file", hub=hub) from None
    if fmt == "PNG" and not name.lower().endswith(".png"):
        name = f"{Path(name).stem or field}.png"
    return ImageFile(name=name, data=data, format=fmt, width=width, height=height, mode=mode)


def check_edit(
    image: ImageFile, mask: ImageFile | None, *, hub: str, strict: bool
) -> None:
    """Edit and variation inputs (PROTOCOL 2.6).

    Every hub: a mask is a PNG of the image's size. ``strict`` (Electron Hub, OpenAI dall-e-2
    rules): the image is a PNG, square, under 4 MB; else (gpt-image rules) a PNG, JPEG or WEBP
    under 50 MB.
    """
    if not strict:
        if image.format not in GPT_IMAGE_FORMATS:
            raise HubInputError.invalid("image", "must be a PNG, JPEG or WEBP", image.format,
                                        fix="convert the image to PNG", hub=hub)
        if len(image.data) >= GPT_IMAGE_MAX_BYTES:
            raise HubInputError.invalid("image", "must be under 50 MB",
                                        f"{len(image.data)} bytes",
                                        fix="downscale or compress the image", hub=hub)
    else:
        if image.format != "PNG":
            raise HubInputError.invalid("image", "must be a PNG", image.format,
                                        fix="convert the image to PNG", hub=hub)
        if image.width != image.height:
            raise HubInputError.invalid("image", "must be square",
                                        f"{image.width}x{image.height}",
                                        fix="crop or pad the image to a square", hub=hub)
        if len(image.data) >= EDIT_MAX_BYTES:
            raise HubInputError.invalid("image", "must be under 4 MB",
                                        f"{len(image.data)} bytes",
                                        fix="downscale or compress the image", hub=hub)
    if mask is None:
        return
    if mask.format != "PNG":
        raise HubInputError.invalid("mask", "must be a PNG (its transparent pixels mark the "
                                    "area to edit)", mask.format,
                                    fix="save the mask as PNG with an alpha channel", hub=hub)
    if (mask.width, mask.height) != (image.width, image.height):
        raise HubInputError.invalid("mask", f"must be the same size as the image "
                                    f"({image.width}x{image.height})",
                                    f"{mask.width}x{mask.height}",
                                    fix="resize the mask to the image's size", hub=hub)


def check_audio_file(name: str, data: bytes, *, hub: str) -> None:
    """Transcription input: at most 25 MB, in a format the hubs transcribe."""
    if len(data) > TRANSCRIBE_MAX_BYTES:
        raise HubInputError.invalid("file", "must be at most 25 MB", f"{len(data)} bytes",
                                    fix="split or compress the audio", hub=hub)
    sniffed = sniff(data[:64])
    if sniffed in TRANSCRIPTION_TYPES or Path(name).suffix.lower() in TRANSCRIPTION_SUFFIXES:
        return
    raise HubInputError.invalid(
        "file", f"must be audio in one of {_sorted(TRANSCRIPTION_SUFFIXES)}",
        sniffed or Path(name).suffix or f"{len(data)} unknown bytes",
        fix="convert the audio to mp3 or wav", hub=hub,
    )
