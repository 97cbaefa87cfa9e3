"""Shared helpers of the emulator media tests (a uniquely named module, importable from tests)."""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Callable
from typing import Any

import av
import httpx
from PIL import Image

from hub_emulator import Emulator


def auth(key: str) -> dict[str, str]:
    """The bearer header of ``key``."""
    return {"Authorization": f"Bearer {key}"}


def make_png(width: int, height: int, fmt: str = "PNG", mode: str = "RGBA",
             noise: bool = False) -> bytes:
    """An image file; ``noise`` makes it incompressible (to build big uploads)."""
    if noise:
        import os

        img = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        img = Image.new(mode, (width, height), (10, 120, 200, 255) if mode == "RGBA"
                        else (10, 120, 200))
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG (asserting it is one)."""
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "PNG"
        img.load()
        return img.size


def wav_seconds(data: bytes) -> float:
    """Duration of a WAV file read with the stdlib."""
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate()


def av_info(data: bytes) -> dict[str, Any]:
    """Container, codec, duration and (video) frame size of a media file, read by PyAV;
    decodes every frame so a broken file fails here."""
    with av.open(io.BytesIO(data)) as box:
        stream = box.streams[0]
        frames = sum(1 for _ in box.decode(stream))
        info: dict[str, Any] = {"format": box.format.name, "codec": stream.codec_context.name,
                                "seconds": box.duration / av.time_base, "frames": frames}
        if stream.type == "video":
            info["size"] = (stream.codec_context.width, stream.codec_context.height)
        return info


def poll_statuses(get: Callable[[], dict[str, Any]], status_of: Callable[[dict[str, Any]], str],
                  done: tuple[str, ...], limit: float = 20.0) -> tuple[list[str], dict[str, Any]]:
    """Poll until a terminal status; the distinct statuses seen in order and the last reply."""
    seen: list[str] = []
    deadline = time.monotonic() + limit
    while True:
        reply = get()
        status = status_of(reply)
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in done:
            return seen, reply
        assert time.monotonic() < deadline, f"job never finished: {seen}"
        time.sleep(0.05)


def jobs(emu: Emulator, hub: str, key: str) -> dict[str, dict[str, Any]]:
    """The key's media jobs from the ledger."""
    result: dict[str, dict[str, Any]] = emu.admin.ledger(hub, key)["jobs"]
    return result


def download(url: str) -> bytes:
    """GET a result URL without any credentials (like a browser on a CDN link)."""
    resp = httpx.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.content
