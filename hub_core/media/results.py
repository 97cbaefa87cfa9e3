"""``MediaResult`` and how result files reach the disk: named by job id, index and MIME type.

- Only http(s) URLs are fetched, streamed to disk by ``Transport.download`` (temp name, then
  rename), with an optional size cap. ``b64_json`` images and binary replies (speech) are
  written here the same way: temp file, fsync, rename.
- The file name is ``<job_id>_<index><ext>``; the extension comes from the MIME type the
  server sent, or from the bytes themselves when it sent a generic one -- never from the URL.
- A failed download never loses the job: the result keeps every URL and the files that did
  arrive, and :class:`~hub_core.errors.DownloadError` carries it (``err.result``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from hub_core.credits import Cost
from hub_core.errors import DownloadError, HubError, HubInputError
from hub_core.media.effects import Fetch, Flow
from hub_core.media.mime import GENERIC, base_type, extension_for, sniff
from hub_core.media.status import Status

__all__ = [
    "MediaResult",
    "absolute_url",
    "blob_mime",
    "decode_b64",
    "download_all",
    "file_name",
    "write_atomic",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class MediaResult:
    """What a finished media call produced.

    ``paths`` are local files (same order as ``urls`` when downloaded); ``cost`` is in the
    hub's unit (credits, USD) or None when no price is known; ``text`` holds a transcript.
    """

    job_id: str
    hub: str
    model: str
    kind: str
    status: Status = "succeeded"
    urls: tuple[str, ...] = ()
    paths: tuple[Path, ...] = ()
    mime_types: tuple[str, ...] = ()
    cost: Cost | None = None
    raw: Any = field(default=None, repr=False)
    text: str | None = None

    @property
    def path(self) -> Path | None:
        """The first file, when there is one."""
        return self.paths[0] if self.paths else None

    def with_files(self, paths: tuple[Path, ...], mime_types: tuple[str, ...]) -> MediaResult:
        """A copy with these local files."""
        return replace(self, paths=paths, mime_types=mime_types)


def file_name(job_id: str, index: int, mime: str | None, default_ext: str = ".bin") -> str:
    """``<job_id>_<index><ext>`` with anything unsafe in the id replaced (no ``/``, no ``..``)."""
    safe = _UNSAFE.sub("-", job_id).strip(".-")[:100] or "job"
    return f"{safe}_{index}{extension_for(mime, default_ext)}"


def absolute_url(url: str, base_url: str) -> str:
    """A root-relative URL (``/files/x``) joined to the hub's origin; anything else as given.

    Other schemes (``file:``, ``ftp:``) stay as they are, so the download refuses them.
    """
    if not urlsplit(url).scheme and url.startswith("/"):
        return urljoin(base_url, url)
    return url


def write_atomic(dest: Path, data: bytes) -> Path:
    """Write ``data`` to ``dest`` whole or not at all (temp file beside it, fsync, rename)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(part, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    return dest


def decode_b64(value: str, *, hub: str | None) -> bytes:
    """Bytes of a ``b64_json`` field (a ``data:`` URL prefix is allowed).

    Raises:
        HubError: the hub sent something that is not base64.
    """
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise HubError(f"the hub's b64_json image is not valid base64 ({exc})", hub=hub) from None


def blob_mime(data: bytes, declared: str | None, default_mime: str) -> str:
    """The MIME type of bytes in hand: what they prove, else what was declared, else default."""
    declared = base_type(declared)
    if declared in GENERIC:
        declared = None
    return sniff(data[:64]) or declared or default_mime


def _head(path: Path, size: int = 64) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def settle_name(dest: Path, served: str | None, default_mime: str) -> tuple[Path, str]:
    """Fix a downloaded file's extension from its real type; returns ``(path, mime)``.

    The served type wins unless it is generic or missing; then the bytes decide; then the
    kind's default.
    """
    mime = base_type(served)
    if mime is None or mime in GENERIC:
        mime = sniff(_head(dest)) or default_mime
    ext = extension_for(mime, dest.suffix or ".bin")
    if dest.suffix != ext:
        target = dest.with_suffix(ext)
        os.replace(dest, target)
        dest = target
    return dest, mime


def download_all(
    result: MediaResult, output_dir: Path, default_mime: str, max_bytes: int | None,
    base_url: str,
) -> Flow[MediaResult]:
    """Fetch every URL of ``result`` into ``output_dir``; the result with its files.

    Every URL is tried even when one fails; then the first failure is raised as a
    ``DownloadError`` whose ``result`` holds the URLs and the files that arrived.
    """
    paths: list[Path] = []
    mimes: list[str] = []
    first_error: DownloadError | None = None
    for index, url in enumerate(result.urls):
        dest = output_dir / file_name(result.job_id, index, default_mime)
        try:
            got = yield Fetch(absolute_url(url, base_url), dest, max_bytes)
        except HubInputError as exc:  # not http(s): refused before anything was opened
            err = DownloadError(exc.message, hub=exc.hub, url=url[:200])
            err.__cause__ = exc
            first_error = first_error or err
            continue
        except DownloadError as exc:
            first_error = first_error or exc
            continue
        path, mime = settle_name(got.path, got.content_type, default_mime)
        paths.append(path)
        mimes.append(mime)
    done = result.with_files(tuple(paths), tuple(mimes))
    if first_error is not None:
        first_error.result = done
        raise first_error
    return done
