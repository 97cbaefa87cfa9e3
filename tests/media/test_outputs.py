"""Every hub x media kind gives a file that opens, and the hub saw exactly one submission.

Files are checked with the libraries a person's player would use: Pillow for PNGs and their
size, stdlib ``wave`` for WAV durations, PyAV (FFmpeg) for MP4 and MP3 durations.
"""

from __future__ import annotations

from typing import Any

import pytest

from hub_core.errors import UnsupportedFeatureError
from tests.media.conftest import av_seconds, ledger_jobs, png_size, wav_seconds


def _one_submission(emu: Any, media: Any, kind: str) -> dict[str, Any]:
    jobs = ledger_jobs(emu, media)
    assert len(jobs) == 1, jobs
    (job,) = jobs.values()
    assert job["kind"] == kind
    assert job["submits"] == 1
    return job


@pytest.mark.parametrize(
    ("hub", "model", "size", "expected"),
    [
        ("electronhub", "dall-e-3", "1792x1024", (1792, 1024)),
        ("electronhub", "sdxl", "512x512", (512, 512)),
        ("chainhub", "gpt-image-1", "1536x1024", (1536, 1024)),  # answers b64_json
        ("tokenhub", "bytedance/doubao-seedream-5.0", "640x480", (640, 480)),
    ],
)
def test_image_files_open_at_the_requested_size(hub_emulator, media_for, hub, model, size,
                                                expected):
    media = media_for(hub)
    result = media.generate_image("a lighthouse at dawn", model=model, size=size)
    assert len(result.paths) == 1
    assert result.mime_types == ("image/png",)
    assert result.paths[0].suffix == ".png"
    assert result.paths[0].name.startswith(result.job_id)
    assert png_size(result.paths[0]) == expected
    _one_submission(hub_emulator, media, "image")
    record = media.job(result.job_id)
    assert record is not None
    assert record.phase == "finished"
    assert record.paths == (str(result.paths[0]),)


def test_b64_json_images_are_written_from_the_reply(hub_emulator, media_for):
    media = media_for("electronhub")
    result = media.generate_image("two cats", model="sdxl", n=2, size="256x256",
                                  response_format="b64_json")
    assert result.urls == ()
    assert [png_size(p) for p in result.paths] == [(256, 256), (256, 256)]
    job = _one_submission(hub_emulator, media, "image")
    assert job["downloads"] == 0  # nothing was fetched: the bytes were in the reply


@pytest.mark.parametrize("hub", ["electronhub", "chainhub"])
@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_speech_files_open_and_last_as_long_as_the_text(hub_emulator, media_for, hub, fmt):
    media = media_for(hub)
    short = media.speech("Hi.", format=fmt)
    long = media.speech("This sentence is a good deal longer than the first one was.",
                        format=fmt)
    expected_mime = {"wav": "audio/wav", "mp3": "audio/mpeg"}[fmt]
    for result in (short, long):
        assert result.mime_types == (expected_mime,)
        assert result.paths[0].suffix == f".{fmt}"
    seconds = wav_seconds if fmt == "wav" else av_seconds
    assert 0 < seconds(short.paths[0]) < seconds(long.paths[0])
    assert len(ledger_jobs(hub_emulator, media)) == 2  # one submission per call


@pytest.mark.parametrize("hub", ["electronhub", "chainhub"])
def test_transcription_round_trips_the_hubs_own_speech(hub_emulator, media_for, hub):
    media = media_for(hub)
    spoken = media.speech("The quick brown fox jumps over the lazy dog.", format="wav")
    text = media.transcribe(spoken.paths[0])
    assert text.text == "The quick brown fox jumps over the lazy dog."
    assert text.response_format == "json"
    srt = media.transcribe(spoken.paths[0].read_bytes(), response_format="srt")
    assert "-->" in srt.text and "quick brown fox" in srt.text
    verbose = media.transcribe(spoken.paths[0], response_format="verbose_json")
    assert verbose.duration is not None and verbose.duration > 0
    assert verbose.segments


def test_chainhub_suno_music_gives_mp3s_after_one_submission(hub_emulator, media_for):
    media = media_for("chainhub")
    result = media.generate_music("an upbeat song about the sea", model="chirp-v4")
    assert result.paths and all(p.suffix == ".mp3" for p in result.paths)
    assert all(av_seconds(p) > 1.0 for p in result.paths)
    job = _one_submission(hub_emulator, media, "music")
    assert job["polls"] >= 1
    assert job["downloads"] == len(result.paths)


def test_electronhub_music_needs_the_opt_in(hub_emulator, media_for):
    media = media_for("electronhub")
    with pytest.raises(UnsupportedFeatureError, match="enable_music=True"):
        media.generate_music("a calm piano piece")
    assert ledger_jobs(hub_emulator, media) == {}  # refused before any request
    opted = media_for("electronhub", enable_music=True)
    result = opted.generate_music("a calm piano piece")
    assert result.paths and av_seconds(result.paths[0]) > 0
    _one_submission(hub_emulator, opted, "music")


@pytest.mark.parametrize(
    ("hub", "model", "extra"),
    [
        ("tokenhub", "bytedance/doubao-seedance-2.0", {"resolution": "480p"}),
        ("chainhub", "kling-v1", {"aspect_ratio": "9:16"}),
        ("chainhub", "doubao-seedance-1-0-pro-fast-251015", {"aspect_ratio": "1:1"}),
        ("electronhub", "midjourney-video", {"aspect_ratio": "16:9"}),
    ],
)
def test_video_files_open_after_one_submission(hub_emulator, media_for, hub, model, extra):
    media = media_for(hub)
    result = media.generate_video("waves rolling onto a beach", model=model, duration=5,
                                  **extra)
    assert result.mime_types == ("video/mp4",)
    assert result.paths[0].suffix == ".mp4"
    assert av_seconds(result.paths[0]) > 0.5
    job = _one_submission(hub_emulator, media, "video")
    assert job["downloads"] == 1


def test_costs_come_from_the_price_tables(hub_emulator, media_for):
    tokenhub = media_for("tokenhub")
    video = tokenhub.generate_video("a fox", duration=4, resolution="480p")
    charged = next(iter(ledger_jobs(hub_emulator, tokenhub).values()))["credits"]
    assert video.cost is not None and video.cost.amount == pytest.approx(charged) == 0.48
    electron = media_for("electronhub")
    image = electron.generate_image("a fox", model="dall-e-3")
    charged = next(iter(ledger_jobs(hub_emulator, electron).values()))["credits"]
    assert image.cost is not None and image.cost.amount == charged == 20
    assert image.cost.unit == "credits"
    chain = media_for("chainhub")
    assert chain.generate_image("a fox").cost is None  # ChainHub publishes no prices


def test_apihub_has_no_media_routes(hub_emulator, media_for):
    media = media_for("apihub")
    with pytest.raises(UnsupportedFeatureError):
        media.generate_image("a fox")
    with pytest.raises(UnsupportedFeatureError):
        media.submit_video("a fox")
    assert ledger_jobs(hub_emulator, media) == {}
