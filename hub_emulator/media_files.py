"""``GET /_files/{token}/{name}``: result files, served like a vendor CDN.

No auth; streamed in chunks (padding is generated, never held in memory, so a 200 MB result costs
the server a few hundred KB); single ``Range: bytes=a-b`` requests; 403 after the URL's TTL and
404 for unknown tokens, both with S3-style XML bodies. Every download counts against its job.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from .dialects import HUBS
from .media_encode import mp4_padding_box
from .media_jobs import MP4_TYPE
from .media_state import FileEntry
from .routes import Ctx, Out, register

CHUNK = 256 * 1024
_ZEROS = bytes(CHUNK)


def _xml_error(status: int, code: str, message: str) -> Out:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>").encode()
    return Out(status, body, content_type="application/xml")


def _segments(entry: FileEntry) -> list[tuple[bytes | None, int]]:
    """The file as ``(bytes, size)`` pieces; ``None`` bytes mean that many zeros."""
    parts: list[tuple[bytes | None, int]] = [(entry.data, len(entry.data))]
    if entry.pad:
        if entry.content_type == MP4_TYPE:  # a trailing ``free`` box keeps the MP4 valid
            head = mp4_padding_box(entry.pad)
            parts += [(head, len(head)), (None, entry.pad - len(head))]
        else:  # decoders stop at the end marker (IEND, last frame, data chunk): zeros trail
            parts.append((None, entry.pad))
    return parts


async def _chunks(entry: FileEntry, start: int, stop: int) -> AsyncIterator[bytes]:
    """Bytes ``start``..``stop`` (exclusive) of the file, ``CHUNK`` at a time."""
    offset = 0
    for data, size in _segments(entry):
        lo, hi = max(start, offset), min(stop, offset + size)
        pos = lo
        while pos < hi:
            end = min(hi, pos + CHUNK)
            yield data[pos - offset:end - offset] if data is not None else _ZEROS[: end - pos]
            pos = end
        offset += size


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(start, stop)`` of a single ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` range."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            return max(0, size - int(last)), size
        start = int(first)
        stop = min(size, int(last) + 1) if last else size
    except ValueError:
        return None
    return (start, stop) if start < stop else None


async def download(ctx: Ctx) -> Out:
    """Serve one result file (whole or a single range)."""
    entry = ctx.state.media.files.get(ctx.params["token"])
    if entry is None or entry.name != ctx.params["name"]:
        return _xml_error(404, "NoSuchKey", "The specified key does not exist.")
    if time.monotonic() > entry.expires:
        return _xml_error(403, "AccessDenied", "Request has expired")
    if entry.job is not None:
        entry.job.downloads += 1
    size = entry.size
    headers = {"accept-ranges": "bytes", "etag": f'"{entry.token}"',
               "cache-control": "private, max-age=0"}
    start, stop, status = 0, size, 200
    wanted = ctx.headers.get("range")
    if wanted:
        span = _byte_range(wanted, size)
        if span is None:
            return Out(416, b"", content_type=entry.content_type,
                       headers={"content-range": f"bytes */{size}"})
        start, stop = span
        status = 206
        headers["content-range"] = f"bytes {start}-{stop - 1}/{size}"
    return Out(status, content_type=entry.content_type, headers=headers,
               stream=_chunks(entry, start, stop), length=stop - start)


for _hub in HUBS:
    register(_hub, "files", "GET", "_files/{token}/{name}", download, auth="none")
