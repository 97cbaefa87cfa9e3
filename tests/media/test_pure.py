"""Pure pieces: status words, progress, MIME sniffing, dialect replies, names, costs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub_core.hubs import get_hub
from hub_core.media.audio import speech_mime
from hub_core.media.dialects import (
    KLING,
    SEEDANCE,
    SUNO,
    TOKENHUB_VIDEO,
    electronhub_event,
    find_task_id,
)
from hub_core.media.mime import extension_for, sniff
from hub_core.media.results import absolute_url, file_name
from hub_core.media.spend import media_cost
from hub_core.media.status import needs_action, normalize_status, parse_progress

GAP_15 = {
    "queued": ["NOT_START", "SUBMITTED", "QUEUED", "pending", "submitted"],
    "running": ["IN_PROGRESS", "processing", "in_progress", "running"],
    "succeeded": ["SUCCESS", "succeed", "succeeded", "completed"],
    "failed": ["FAILURE", "failed", "CANCEL", "cancelled", "error"],
}


@pytest.mark.parametrize(("status", "words"), GAP_15.items())
def test_every_documented_status_word_is_normalised(status, words):
    assert {normalize_status(w) for w in words} == {status}


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()))
def test_normalize_status_always_answers_one_of_four(raw):
    assert normalize_status(raw) in ("queued", "running", "succeeded", "failed")


def test_unknown_status_counts_as_running_and_modal_needs_action():
    assert normalize_status("WEIRD_NEW_STATE") == "running"
    assert normalize_status(None) == "running"
    assert needs_action("MODAL") and not needs_action("SUCCESS")


@pytest.mark.parametrize(("raw", "fraction"), [
    ("42%", 0.42), (" 100% ", 1.0), ("0%", 0.0), (42, 0.42), (100, 1.0), (0.42, 0.42),
    (1.0, 1.0), (55.5, 0.555), ("0.25", 0.25), ("42", 0.42), (250, 1.0),
    (None, None), ("", None), ("soon", None), (True, None), (-3, None), (math.nan, None),
    ([1], None),
])
def test_progress_parsing(raw, fraction):
    assert parse_progress(raw) == (pytest.approx(fraction) if fraction is not None else None)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
                 st.lists(st.integers())))
def test_progress_is_none_or_a_fraction(raw):
    value = parse_progress(raw)
    assert value is None or 0.0 <= value <= 1.0


@pytest.mark.parametrize(("head", "mime"), [
    (b"\x89PNG\r\n\x1a\nxxxx", "image/png"), (b"\xff\xd8\xff\xe0", "image/jpeg"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"ID3\x04\x00", "audio/mpeg"), (b"\xff\xfb\x90\x64", "audio/mpeg"),
    (b"\xff\xf1\x50\x80", "audio/aac"), (b"OggS\x00\x02", "audio/ogg"), (b"fLaC\x00", "audio/flac"),
    (b"\x00\x00\x00\x18ftypmp42", "video/mp4"), (b"\x00\x00\x00\x18ftypM4A ", "audio/mp4"),
    (b"hello", None), (b"", None),
])
def test_sniff_reads_magic_bytes(head, mime):
    assert sniff(head) == mime


def test_extensions_come_from_mime_types():
    assert extension_for("audio/mpeg") == ".mp3"
    assert extension_for("video/mp4; codecs=avc1") == ".mp4"
    assert extension_for("audio/x-wav") == ".wav"
    assert extension_for("application/octet-stream") == ".bin"
    assert extension_for(None, ".mp4") == ".mp4"


def test_file_names_are_safe_whatever_the_job_id():
    assert file_name("tsk-1", 0, "video/mp4") == "tsk-1_0.mp4"
    name = file_name("../../etc/passwd", 2, "image/png")
    assert "/" not in name and not name.startswith(".") and name.endswith("_2.png")
    assert file_name("", 0, None) == "job_0.bin"


def test_only_root_relative_urls_are_joined_to_the_hub():
    base = "http://hub.test/api/v1"
    assert absolute_url("/files/a.mp4", base) == "http://hub.test/files/a.mp4"
    assert absolute_url("https://cdn.test/a.mp4", base) == "https://cdn.test/a.mp4"
    assert absolute_url("file:///etc/passwd", base) == "file:///etc/passwd"  # refused later


@pytest.mark.parametrize(("reply", "job_id"), [
    ({"id": "tsk-1", "object": "video.generation.task"}, "tsk-1"),
    ({"task_id": "t-2"}, "t-2"),
    ({"data": {"task_id": "t-3"}}, "t-3"),
    ({"code": "success", "message": "", "data": "suno-4"}, "suno-4"),
    ({"code": 0, "data": {"task_id": "k-5", "task_status": "submitted"}}, "k-5"),
    ({"id": "cgt-6", "status": "submitted"}, "cgt-6"),
    ({"code": 1, "result": 7}, "7"),
    ({"code": "success", "data": None}, None),
    ("not json", None),
])
def test_task_ids_are_found_in_every_submit_shape(reply, job_id):
    assert find_task_id(reply) == job_id


def test_tokenhub_poll_replies():
    done = TOKENHUB_VIDEO.state({"status": "succeeded", "progress": 100,
                                 "data": [{"video_url": "https://x/v.mp4"}]})
    assert (done.status, done.progress, done.urls) == ("succeeded", 1.0, ("https://x/v.mp4",))
    running = TOKENHUB_VIDEO.state({"status": "running", "progress": 40})
    assert (running.status, running.progress, running.urls) == ("running", 0.4, ())
    failed = TOKENHUB_VIDEO.state({"status": "failed", "error": {"message": "nsfw"}})
    assert (failed.status, failed.failure_reason) == ("failed", "nsfw")
    bare = TOKENHUB_VIDEO.state({"status": "failed"})
    assert "without a reason" in (bare.failure_reason or "")


def test_kling_vendor_and_relay_shapes():
    vendor = KLING.state({"code": 0, "data": {"task_status": "succeed", "task_result": {
        "videos": [{"url": "https://k/1.mp4"}]}}})
    relay = KLING.state({"code": "success", "data": {"status": "succeeded",
                                                     "url": "https://k/2.mp4"}})
    assert vendor.urls == ("https://k/1.mp4",) and vendor.status == "succeeded"
    assert relay.urls == ("https://k/2.mp4",) and relay.status == "succeeded"
    failed = KLING.state({"data": {"task_status": "failed", "task_status_msg": "bad prompt"}})
    assert failed.failure_reason == "bad prompt"
    assert KLING.body("kling-v1", "p", {"duration": 5})["duration"] == "5"


def test_seedance_and_suno_shapes():
    assert SEEDANCE.state({"status": "succeeded", "content": {"video_url": "https://a/v"}}
                          ).urls == ("https://a/v",)
    assert SEEDANCE.state({"status": "failed", "error": {"code": "x", "message": "why"}}
                          ).failure_reason == "why"
    text = SEEDANCE.body("m", "a cat", {"aspect_ratio": "16:9", "duration": 5})["content"][0]
    assert text["text"] == "a cat --ratio 16:9 --dur 5"
    suno = SUNO.state({"code": "success", "data": {"status": "IN_PROGRESS", "progress": "42%",
                                                   "data": []}})
    assert (suno.status, suno.progress) == ("running", 0.42)
    done = SUNO.state({"data": {"status": "SUCCESS", "data": [{"audio_url": "https://s/1"},
                                                             {"audio_url": "https://s/2"}]}})
    assert done.urls == ("https://s/1", "https://s/2")
    assert SUNO.body("chirp-v4", "x", {"instrumental": True})["mv"] == "chirp-v4"
    custom = SUNO.body("chirp-v4", "pop", {"lyrics": "la la", "title": "T"})
    assert (custom["prompt"], custom["tags"], custom["title"]) == ("la la", "pop", "T")


def test_electronhub_events():
    assert electronhub_event({"heartbeat": True}) is None
    beat = electronhub_event({"heartbeat": True, "status": "processing", "progress": 30})
    assert beat is not None and (beat.status, beat.progress) == ("running", 0.3)
    for final in ({"url": "https://e/v.mp4"}, {"video_url": "https://e/v.mp4"},
                  {"data": [{"url": "https://e/v.mp4"}]}):
        state = electronhub_event(final)
        assert state is not None and state.urls == ("https://e/v.mp4",)
    failed = electronhub_event({"error": {"message": "policy"}})
    assert failed is not None and (failed.status, failed.failure_reason) == ("failed", "policy")


def test_speech_type_checks():
    wav = b"RIFF\x00\x00\x00\x00WAVEfmt "
    assert speech_mime(wav, "audio/wav", "wav") == ("audio/wav", "audio/wav")
    assert speech_mime(wav, "audio/mpeg", "mp3") == ("audio/mpeg", "audio/wav")  # bytes win
    assert speech_mime(b"ID3\x03", "application/octet-stream", "mp3")[1] == "audio/mpeg"
    assert speech_mime(b"\x00\x01\x02\x03", None, "pcm") == ("audio/pcm", "audio/pcm")
    assert speech_mime(b"OggS\x00", "audio/opus", "opus") == ("audio/ogg", "audio/ogg")


def test_media_costs_from_the_price_tables():
    tokenhub, electronhub, chainhub = (get_hub(h) for h in ("tokenhub", "electronhub",
                                                            "chainhub"))
    assert media_cost(tokenhub, "bytedance/doubao-seedance-2.0", 5).amount == pytest.approx(1.0)
    assert media_cost(tokenhub, "doubao-seedance-2.0", 5, "480p").amount == pytest.approx(0.6)
    assert media_cost(tokenhub, "bytedance/doubao-seedance-2.0") is None  # no duration
    assert media_cost(electronhub, "dall-e-3").amount == 20
    assert media_cost(electronhub, "no-such-model") is None
    assert media_cost(chainhub, "kling-v1", 5) is None


def test_public_names_are_exported_lazily_from_hub_core():
    import hub_core
    import hub_core.media

    for name in ("HubMedia", "MediaJob", "MediaResult", "JobRecord", "Transcription",
                 "MediaFormatError"):
        assert name in dir(hub_core)
        assert getattr(hub_core, name) is not None
    assert hub_core.HubMedia is hub_core.media.HubMedia
