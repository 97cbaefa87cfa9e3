"""Streamed downloads of result files (images, audio, video a hub made).

httpx streams bytes; what it does not know are the rules a paid result needs, so they live here:
- only ``http``/``https`` URLs are fetched (a ``file://`` URL a hub or a model hands back is
  refused before anything is opened);
- the key is sent only to the hub's own origin; a vendor CDN never sees it (redirects that leave
  the origin drop it too, as httpx does);
- bytes go straight to disk in chunks, so memory does not grow with the file;
- they land in a temporary file next to the target, renamed only once complete, so a cut
  download never leaves a file that looks whole;
- an optional size cap is checked against ``Content-Length`` first and against the bytes read;
- failures before the body (connect errors, 5xx, 429) are retried like polls; a body cut mid-way
  raises :class:`~hub_core.errors.DownloadError` (the caller retries the download alone, never
  the paid job).
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit, urlunsplit

import httpx

from hub_core.errors import DownloadError, HubError, HubInputError, error_from_response, redact
from hub_core.ratelimit import atake_slot, take_slot
from hub_core.retry import Decision, Failure, decide, parse_retry_after
from hub_core.transport.pools import (
    PoolKey,
    acquire_async,
    acquire_sync,
    gate_for,
    release_async,
    release_sync,
)
from hub_core.transport.types import Timeouts

if TYPE_CHECKING:
    from hub_core.transport.core import Transport

__all__ = ["Downloaded", "adownload", "check_download_url", "download", "safe_url"]

CHUNK_SIZE = 1 << 16
Progress = Callable[[int, int | None], None]
"""``progress(bytes_received, total_or_None)`` after every chunk written."""


@dataclass(frozen=True)
class Downloaded:
    """A file that arrived whole: where it is, its size and the served media type."""

    path: Path
    size: int
    content_type: str | None
    """Lower-case media type without parameters (``video/mp4``), when the server sent one."""


def safe_url(url: str) -> str:
    """``url`` without its query string or fragment (signed URLs carry tokens), redacted."""
    parts = urlsplit(url)
    return redact(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))


def check_download_url(url: str, *, hub: str | None = None) -> None:
    """Refuse anything but an absolute ``http(s)`` URL, before any I/O.

    Raises:
        HubInputError: the scheme is not http/https or the URL has no host.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise HubInputError.invalid(
            "url",
            "must be an absolute http(s) URL (results are only fetched over HTTP)",
            f"{parts.scheme}:" if parts.scheme else url[:40],
            fix="pass the URL the hub returned; local paths and other schemes are refused",
            hub=hub,
        )


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, f"{(parts.hostname or '').lower()}:{port}"


def _media_type(resp: httpx.Response) -> str | None:
    value = resp.headers.get("content-type")
    return value.split(";", 1)[0].strip().lower() or None if value else None


def _expected_size(resp: httpx.Response) -> int | None:
    if resp.headers.get("content-encoding", "identity") != "identity":
        return None  # httpx decodes; the length on the wire is not the file's
    value = resp.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


class _Plan:
    """What one download needs: target, temp name, headers, pool and error context."""

    def __init__(
        self,
        transport: Transport,
        url: str,
        dest: str | Path,
        max_bytes: int | None,
        timeout: Timeouts | float | None,
        progress: Progress | None,
    ) -> None:
        check_download_url(url, hub=transport.hub)
        if max_bytes is not None and max_bytes <= 0:
            raise HubInputError.invalid(
                "max_bytes", "must be a positive number of bytes or None", max_bytes,
                fix="pass None for no cap", hub=transport.hub,
            )
        self.t = transport
        self.url = url
        self.shown = safe_url(url)
        self.dest = Path(dest)
        self.max_bytes = max_bytes
        self.progress = progress
        self.timeout = transport._timeout(timeout)
        self.own = _origin(url) == _origin(transport.base_url)
        self.headers = dict(transport._headers) if self.own else {
            "User-Agent": transport.user_agent
        }
        self.headers["Accept"] = "*/*"
        self.pool: PoolKey = ("<downloads>", "", transport.proxy)

    def error(self, message: str, received: int = 0, status: int | None = None) -> DownloadError:
        return DownloadError(
            f"download of {self.shown} failed: {message}",
            hub=self.t.hub,
            url=self.shown,
            received=received,
            status_code=status,
        )

    def check_response(self, resp: httpx.Response, body: bytes | None) -> HubError | None:
        """None for a 2xx whose size fits; else the error (a HubAPIError for a retry decision)."""
        if 200 <= resp.status_code < 300:
            size = _expected_size(resp)
            if self.max_bytes is not None and size is not None and size > self.max_bytes:
                return self.error(
                    f"the file is {size} bytes, over max_bytes={self.max_bytes}; raise "
                    "max_bytes to fetch it"
                )
            return None
        return error_from_response(
            resp.status_code, body or b"", resp.headers, hub=self.t.hub, secrets=self.t._secrets
        )

    def decide(self, retries: int, err: HubError, failure: Failure | None) -> Decision:
        """Poll rules: retry connection failures, 408/429/5xx; never a cut body or a 4xx."""
        status = getattr(err, "status_code", None) if failure is None else None
        if isinstance(err, DownloadError) or (failure is None and status is None):
            return Decision(False, reason="not retryable")
        headers = getattr(err, "headers", {}) or {}
        retry_after = parse_retry_after(headers) if status else None
        return decide(
            self.t.policy, "poll", retries, status=status, failure=failure, retry_after=retry_after
        )

    def final_error(self, err: HubError) -> DownloadError:
        if isinstance(err, DownloadError):
            return err
        status = getattr(err, "status_code", None)
        hint = ""
        if status in (401, 403, 404, 410):
            hint = (
                "; result URLs expire, so ask the job for fresh ones (resume it by id: it is "
                "not paid again)"
            )
        wrapped = self.error(f"{err.message}{hint}", status=status)
        wrapped.__cause__ = err
        return wrapped

    def part_path(self) -> Path:
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        return self.dest.with_name(f".{self.dest.name}.{uuid.uuid4().hex[:8]}.part")

    def write(self, fh: BinaryIO, chunk: bytes, received: int, total: int | None) -> int:
        received += len(chunk)
        if self.max_bytes is not None and received > self.max_bytes:
            raise self.error(
                f"more than max_bytes={self.max_bytes} bytes arrived; raise max_bytes to fetch "
                "it",
                received,
            )
        fh.write(chunk)
        if self.progress is not None:
            self.progress(received, total)
        return received

    def finish(self, fh: BinaryIO, part: Path, received: int, total: int | None,
               resp: httpx.Response) -> Downloaded:
        if total is not None and received != total:
            raise self.error(f"only {received} of {total} bytes arrived", received)
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(part, self.dest)
        return Downloaded(self.dest, received, _media_type(resp))


def _cleanup(part: Path | None) -> None:
    if part is not None:
        with contextlib.suppress(OSError):
            part.unlink()


def _receive(plan: _Plan, resp: httpx.Response, chunks: Iterator[bytes]) -> Downloaded:
    total = _expected_size(resp)
    part = plan.part_path()
    received = 0
    try:
        with open(part, "wb") as fh:
            try:
                for chunk in chunks:
                    received = plan.write(fh, chunk, received, total)
            except httpx.TransportError as exc:
                err, _ = plan.t._transport_error(exc, "GET", plan.url)
                raise plan.error(f"the body was cut after {received} bytes ({err.message})",
                                 received) from None
            return plan.finish(fh, part, received, total, resp)
    except BaseException:
        _cleanup(part)
        raise


def download(
    transport: Transport,
    url: str,
    dest: str | Path,
    *,
    max_bytes: int | None = None,
    timeout: Timeouts | float | None = None,
    progress: Progress | None = None,
) -> Downloaded:
    """Fetch ``url`` into ``dest`` whole or not at all.

    Raises:
        HubInputError: not an http(s) URL (nothing is opened).
        DownloadError: a non-2xx answer after retries, a cut body, or more than ``max_bytes``;
            nothing is left at ``dest`` (an existing file there is left untouched).
    """
    plan = _Plan(transport, url, dest, max_bytes, timeout, progress)
    client = transport._client() if plan.own else acquire_sync(plan.pool, None, plan.timeout,
                                                                transport.proxy)
    limiter = transport.limiter if plan.own else None
    try:
        retries = 0
        while True:
            slot = take_slot(limiter)
            failure: Failure | None = None
            try:
                with slot, client.stream("GET", url, headers=plan.headers, timeout=plan.timeout,
                                         follow_redirects=True) as resp:
                    slot.settle()  # the headers are in (see hub_core.ratelimit)
                    body = None if 200 <= resp.status_code < 300 else resp.read()
                    err = plan.check_response(resp, body)
                    if err is None:
                        return _receive(plan, resp, resp.iter_bytes(CHUNK_SIZE))
            except httpx.TransportError as exc:
                err, failure = transport._transport_error(exc, "GET", url)
            decision = plan.decide(retries, err, failure)
            if not decision.retry:
                raise plan.final_error(err)
            time.sleep(decision.delay)
            retries += 1
    finally:
        if not plan.own:
            release_sync(plan.pool, client)


async def adownload(
    transport: Transport,
    url: str,
    dest: str | Path,
    *,
    max_bytes: int | None = None,
    timeout: Timeouts | float | None = None,
    progress: Progress | None = None,
) -> Downloaded:
    """Async twin of :func:`download`.

    File writes are plain blocking writes of 64 KiB chunks (page-cache fast); a thread hop per
    chunk would cost more than it saves.
    """
    import asyncio

    plan = _Plan(transport, url, dest, max_bytes, timeout, progress)
    loop = asyncio.get_running_loop()
    client = transport._aclient() if plan.own else acquire_async(
        loop, plan.pool, None, plan.timeout, transport.proxy
    )
    limiter = transport.limiter if plan.own else None
    gate = gate_for(client)
    try:
        retries = 0
        while True:
            slot = await atake_slot(limiter)
            failure: Failure | None = None
            try:
                with slot:
                    async with gate.admit(plan.timeout.pool), client.stream(
                        "GET", url, headers=plan.headers, timeout=plan.timeout,
                        follow_redirects=True,
                    ) as resp:
                        slot.settle()
                        body = None if 200 <= resp.status_code < 300 else await resp.aread()
                        err = plan.check_response(resp, body)
                        if err is None:
                            return await _areceive(plan, resp)
            except httpx.TransportError as exc:
                err, failure = transport._transport_error(exc, "GET", url)
            decision = plan.decide(retries, err, failure)
            if not decision.retry:
                raise plan.final_error(err)
            await asyncio.sleep(decision.delay)
            retries += 1
    finally:
        if not plan.own:
            await release_async(loop, plan.pool, client)


async def _areceive(plan: _Plan, resp: httpx.Response) -> Downloaded:
    total = _expected_size(resp)
    part = plan.part_path()
    received = 0
    try:
        with open(part, "wb") as fh:
            try:
                async for chunk in resp.aiter_bytes(CHUNK_SIZE):
                    received = plan.write(fh, chunk, received, total)
            except httpx.TransportError as exc:
                err, _ = plan.t._transport_error(exc, "GET", plan.url)
                raise plan.error(f"the body was cut after {received} bytes ({err.message})",
                                 received) from None
            return plan.finish(fh, part, received, total, resp)
    except BaseException:
        _cleanup(part)
        raise
