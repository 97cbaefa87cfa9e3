"""MIME types, file extensions and magic bytes of the media hubs return.

File names come from the MIME type, never from a URL (a URL's last segment is the hub's to
choose, and may say ``.png`` for a JPEG or carry ``../``). The stdlib ``mimetypes`` table is
the fallback; the explicit table below pins the answers it gets wrong or leaves to the OS
(``audio/mpeg`` -> ``.mp3``, not ``.mp2``; ``audio/wav`` is unknown on some systems).
Sniffing reads only the first bytes of a file, so a mislabelled reply is caught.

Example:
    >>> extension_for("audio/mpeg"), sniff(b"\\x89PNG\\r\\n\\x1a\\n....")
    ('.mp3', 'image/png')
"""

from __future__ import annotations

import mimetypes

__all__ = [
    "GENERIC",
    "SPEECH_FORMATS",
    "base_type",
    "extension_for",
    "same_format",
    "sniff",
]

_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/aac": ".aac",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/pcm": ".pcm",
    "audio/l16": ".pcm",
    "audio/mp4": ".m4a",
    "audio/webm": ".webm",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "text/plain": ".txt",
    "application/json": ".json",
}

SPEECH_FORMATS: dict[str, str] = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
"""``response_format`` of ``/audio/speech`` -> the MIME type of the file it asks for."""

GENERIC = frozenset({"application/octet-stream", "binary/octet-stream", "application/unknown"})
"""Content types that say nothing about the format (then the bytes decide)."""

_ALIASES = {
    "audio/mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-flac": "audio/flac",
    "audio/opus": "audio/ogg",
    "audio/l16": "audio/pcm",
    "image/jpg": "image/jpeg",
}


def base_type(content_type: str | None) -> str | None:
    """``"Audio/MPEG; charset=x"`` -> ``"audio/mpeg"`` (aliases folded); None stays None."""
    if not content_type:
        return None
    value = content_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(value, value) or None


def extension_for(mime: str | None, default: str = ".bin") -> str:
    """The file extension for a MIME type (``default`` when nobody knows one)."""
    value = base_type(mime)
    if value is None or value in GENERIC:
        return default
    return _EXTENSIONS.get(value) or mimetypes.guess_extension(value) or default


def same_format(a: str | None, b: str | None) -> bool:
    """Whether two MIME types name the same format once aliases are folded."""
    return base_type(a) == base_type(b)


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes of a file prove, or None when they prove nothing."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "audio/mp4" if brand in (b"M4A ", b"M4B ") else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS sync word, layer bits 00: AAC
            return "audio/aac"
        if head[1] & 0xE0 == 0xE0:  # MPEG audio frame sync (layer bits non-zero)
            return "audio/mpeg"
    return None
