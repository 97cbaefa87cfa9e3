"""The async twins do what the sync operations do, on the same journal and rules."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from hub_core.errors import InsufficientCreditsError, MediaJobError, MediaJobTimeout
from tests.media.conftest import av_seconds, key_of, ledger_jobs, png_size, wav_seconds


def _square_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (256, 256), (0, 90, 200, 255)).save(out, format="PNG")
    return out.getvalue()


async def test_async_images_speech_and_transcription(hub_emulator, media_for):
    media = media_for("electronhub")
    image = await media.agenerate_image("a boat", model="sdxl", size="512x512")
    assert png_size(image.paths[0]) == (512, 512)
    edited = await media.aedit_image(_square_png(), "add sails")
    assert png_size(edited.paths[0]) == (1024, 1024)
    varied = await media.aimage_variations(_square_png(), size="256x256")
    assert png_size(varied.paths[0]) == (256, 256)
    spoken = await media.aspeech("Hello from the async side.", format="wav")
    assert wav_seconds(spoken.paths[0]) > 0
    heard = await media.atranscribe(spoken.paths[0])
    assert heard.text == "Hello from the async side."
    assert len(ledger_jobs(hub_emulator, media)) == 5
    await media.aclose()


@pytest.mark.parametrize(("hub", "model"), [("tokenhub", None), ("chainhub", "kling-v1"),
                                            ("electronhub", None)])
async def test_async_video_submit_refresh_wait(hub_emulator, media_for, hub, model):
    media = media_for(hub)
    job = await media.asubmit_video("a fox at night", model=model)
    assert (await job.arefresh()) is job
    seen = []

    async def progress(j):  # a coroutine callback is awaited
        seen.append(j.status)

    result = await job.async_wait(progress=progress)
    assert av_seconds(result.paths[0]) > 0
    assert seen and seen[-1] == "succeeded"
    assert len(ledger_jobs(hub_emulator, media)) == 1


async def test_async_music_and_concurrent_jobs(hub_emulator, media_for):
    media = media_for("chainhub")
    results = await asyncio.gather(
        media.agenerate_music("song one"), media.agenerate_music("song two"),
        media.agenerate_video("clip", model="doubao-seedance-1-0-pro-fast-251015"),
    )
    assert all(r.paths and r.paths[0].exists() for r in results)
    assert len(ledger_jobs(hub_emulator, media)) == 3


async def test_async_timeout_resume_and_download(hub_emulator, media_for):
    media = media_for("tokenhub")
    hub_emulator.admin.fault(hub="tokenhub", path="videos/generations", method="POST",
                             job_seconds=1.0)
    job = await media.asubmit_video("slow", duration=5)
    with pytest.raises(MediaJobTimeout):
        await job.async_wait(timeout=0.1)
    resumed = await media.aresume(job.job_id)
    result = await resumed.async_wait()
    again = await resumed.adownload()
    assert again.paths == result.paths and again.paths[0].exists()
    assert ledger_jobs(hub_emulator, media)[job.job_id]["submits"] == 1


async def test_async_errors_match_the_sync_ones(hub_emulator, media_for):
    media = media_for("tokenhub")
    hub_emulator.admin.set_account("tokenhub", key_of(media), balance=0.01)
    with pytest.raises(InsufficientCreditsError):
        await media.asubmit_video("a fox", duration=5)
    other = media_for("chainhub")
    hub_emulator.admin.fault(hub="chainhub", path="suno/submit", method="POST",
                             drop="after_accept")
    with pytest.raises(MediaJobError, match="NOT submitted again"):
        await other.asubmit_music("a song")
