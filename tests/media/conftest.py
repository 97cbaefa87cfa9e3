"""Shared helpers for the media tests: a HubMedia on a fresh emulator account, file checks."""

from __future__ import annotations

import uuid
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hub_core.media import HubMedia

PREFIXES = {"electronhub": "ek-", "chainhub": "sk-", "tokenhub": "th-", "apihub": "sk-"}


def fresh_key(hub: str) -> str:
    """A key no other test uses: its own account in the emulator."""
    return f"{PREFIXES[hub]}test-{uuid.uuid4().hex}"


@pytest.fixture
def media_for(hub_emulator: Any, tmp_path: Path) -> Iterator[Callable[..., HubMedia]]:
    """``media_for(hub, **kw)``: a HubMedia with a fresh key, fast polls and a short timeout."""
    made: list[HubMedia] = []

    def make(hub: str, **kw: Any) -> HubMedia:
        kw.setdefault("api_key", fresh_key(hub))
        kw.setdefault("base_url", hub_emulator.base_url(hub))
        kw.setdefault("output_dir", tmp_path / "out")
        kw.setdefault("poll_interval", 0.02)
        kw.setdefault("timeout", 30.0)
        kw.setdefault("rpm", 0)  # plan limits are tested in tests/reliability, not here
        media = HubMedia(hub, **kw)
        made.append(media)
        return media

    yield make
    for media in made:
        media.close()


def key_of(media: HubMedia) -> str:
    """The key the test gave (tests only; the object never shows it)."""
    assert media.client.api_key is not None
    return media.client.api_key.get_secret_value()


def ledger_jobs(emu: Any, media: HubMedia) -> dict[str, dict[str, Any]]:
    """The emulator's media jobs for this media object's account."""
    jobs: dict[str, dict[str, Any]] = emu.admin.ledger(media.hub, key_of(media))["jobs"]
    return jobs


def requests_to(emu: Any, media: HubMedia) -> list[dict[str, Any]]:
    """Every request the emulator saw from this account."""
    rows: list[dict[str, Any]] = emu.admin.ledger(media.hub, key_of(media))["requests"]
    return rows


def png_size(path: Path) -> tuple[int, int]:
    """Width and height as Pillow reads them (fails on anything not a PNG)."""
    from PIL import Image

    with Image.open(path) as img:
        assert img.format == "PNG"
        return img.size


def wav_seconds(path: Path) -> float:
    """Duration of a WAV file as the stdlib reads it."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def av_seconds(path: Path) -> float:
    """Duration of an MP4 or MP3 as PyAV (FFmpeg) decodes it."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0] if container.streams.video else \
            container.streams.audio[0]
        last = 0.0
        for frame in container.decode(stream):
            if frame.time is not None:
                last = max(last, float(frame.time) + float(frame.duration or 0) * float(
                    stream.time_base or 0))
        assert last > 0, f"{path} decoded to nothing"
        return last
