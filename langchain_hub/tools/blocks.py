"""A tool reply's content: the text, plus standard content blocks where the model can use them.

``media_blocks`` chooses:

- ``"images"`` (default): one image block per image (its URL, or the file as base64 when the
  hub sent no URL), so a vision model sees what it made. Speech, music and video get the text
  only: OpenAI-format chat APIs take no audio or video in a tool message.
- ``"all"``: also an audio block (base64, files up to 2 MB) for speech and music, and a video
  block (its URL) for video, for models and UIs that take them.
- ``"none"``: the text only (for a hub whose models refuse images in tool messages).

The text always names every path and URL, so nothing depends on a block being understood.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages.content import (
    create_audio_block,
    create_image_block,
    create_text_block,
    create_video_block,
)

from hub_core.media.audio import Transcription
from hub_core.media.results import MediaResult

__all__ = ["MAX_INLINE_BYTES", "MediaBlocks", "content_for"]

MediaBlocks = Literal["images", "all", "none"]
MAX_INLINE_BYTES = {"image": 5 * 1024 * 1024, "audio": 2 * 1024 * 1024}
"""Largest file sent inline as base64, per block type (bigger ones: the URL, or text only)."""


def _inline(path: Path | None, limit: int) -> str | None:
    if path is None or not path.is_file() or path.stat().st_size > limit:
        return None
    return base64.b64encode(path.read_bytes()).decode("ascii")


def _web_url(urls: tuple[str, ...], index: int) -> str | None:
    url = urls[index] if index < len(urls) else None
    return url if url is not None and url.startswith(("http://", "https://")) else None


def _block(result: MediaResult, index: int, mode: MediaBlocks) -> dict[str, Any] | None:
    path = result.paths[index] if index < len(result.paths) else None
    mime = result.mime_types[index] if index < len(result.mime_types) else None
    url = _web_url(result.urls, index)
    if result.kind == "image":
        data = None if url else _inline(path, MAX_INLINE_BYTES["image"])
        if url or data:
            return dict(create_image_block(url=url, base64=data, mime_type=mime or "image/png"))
        return None
    if mode != "all":
        return None
    if result.kind == "video":
        return dict(create_video_block(url=url, mime_type=mime or "video/mp4")) if url else None
    data = _inline(path, MAX_INLINE_BYTES["audio"])
    return dict(create_audio_block(base64=data, mime_type=mime or "audio/mpeg")) if data else None


def content_for(
    text: str, result: MediaResult | Transcription | None, mode: MediaBlocks
) -> str | list[Any]:
    """The text alone, or ``[text block, media blocks...]`` when any block applies."""
    if mode == "none" or not isinstance(result, MediaResult):
        return text
    count = max(len(result.paths), len(result.urls))
    blocks = [b for i in range(count) if (b := _block(result, i, mode)) is not None]
    if not blocks:
        return text
    return [dict(create_text_block(text)), *blocks]
