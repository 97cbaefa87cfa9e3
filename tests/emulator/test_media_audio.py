"""Speech, transcription and Electron Hub music over HTTP: real audio files whose duration follows
the text, transcripts in every format, hub limits."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from media_support import auth, av_info, download, jobs, wav_seconds

from hub_emulator import Emulator

SPEECH = [("electronhub", "tts-1"), ("chainhub", "gpt-4o-mini-tts"), ("chainhub", "tts-1")]
TEXT = "The quick brown fox jumps over the lazy dog, twice."  # 51 chars -> 3.06 s


def _speech(emu: Emulator, hub: str, key: str, **body: object) -> httpx.Response:
    payload = {"model": "tts-1", "voice": "alloy", "input": TEXT} | body
    return httpx.post(f"{emu.base_url(hub)}/audio/speech", headers=auth(key), json=payload,
                      timeout=30)


@pytest.mark.parametrize(("hub", "model"), SPEECH)
def test_speech_wav_lasts_as_long_as_the_text(hub_emulator: Emulator,
                                              hub_key: Callable[[str], str], hub: str,
                                              model: str) -> None:
    key = hub_key(hub)
    resp = _speech(hub_emulator, hub, key, model=model, response_format="wav")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "audio/wav"
    assert wav_seconds(resp.content) == pytest.approx(0.06 * len(TEXT), abs=1e-3)
    (job,) = jobs(hub_emulator, hub, key).values()
    assert job["kind"] == "speech" and job["model"] == model and job["submits"] == 1


@pytest.mark.parametrize("hub", ["electronhub", "chainhub"])
def test_speech_mp3_is_the_default_and_decodes(hub_emulator: Emulator,
                                               hub_key: Callable[[str], str], hub: str) -> None:
    key = hub_key(hub)
    resp = _speech(hub_emulator, hub, key)
    assert resp.headers["content-type"] == "audio/mpeg"
    info = av_info(resp.content)
    assert info["format"] == "mp3" and info["codec"].startswith("mp3") and info["frames"] > 10
    assert info["seconds"] == pytest.approx(0.06 * len(TEXT), abs=0.1)
    assert len(jobs(hub_emulator, hub, key)) == 1


@pytest.mark.parametrize(("fmt", "ctype", "container"), [
    ("opus", "audio/opus", "ogg"), ("aac", "audio/aac", "aac"), ("flac", "audio/flac", "flac"),
])
def test_other_speech_formats_are_real_files(hub_emulator: Emulator,
                                             hub_key: Callable[[str], str], fmt: str,
                                             ctype: str, container: str) -> None:
    resp = _speech(hub_emulator, "electronhub", hub_key("electronhub"), response_format=fmt,
                   speed=2.0)
    assert resp.headers["content-type"] == ctype
    info = av_info(resp.content)
    assert info["format"] == container
    assert info["seconds"] == pytest.approx(0.03 * len(TEXT), abs=0.15)  # speed 2 halves it


def test_pcm_is_raw_24khz_samples_and_short_text_has_a_floor(
        hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    resp = _speech(hub_emulator, "chainhub", hub_key("chainhub"), input="Hi",
                   response_format="pcm")
    assert resp.headers["content-type"] == "audio/pcm"
    assert len(resp.content) == 24_000 * 2 // 2  # 0.5 s minimum, 16-bit mono


@pytest.mark.parametrize(("body", "needle"), [
    ({"voice": "darth"}, "'voice' must be one of alloy"),
    ({"input": ""}, "'input' is required"),
    ({"input": "x" * 4097}, "at most 4096 characters"),
    ({"response_format": "ogg"}, "'response_format' must be one of mp3"),
    ({"speed": 5}, "'speed' must be a number from 0.25 to 4.0"),
])
def test_speech_rules(hub_emulator: Emulator, hub_key: Callable[[str], str], body: dict,
                      needle: str) -> None:
    key = hub_key("electronhub")
    resp = _speech(hub_emulator, "electronhub", key, **body)
    assert resp.status_code == 400 and needle in resp.json()["error"]["message"]
    assert jobs(hub_emulator, "electronhub", key) == {}


def _transcribe(emu: Emulator, hub: str, key: str, audio: bytes, name: str = "speech.wav",
                **fields: str | list[str]) -> httpx.Response:
    data = {"model": "whisper-1"} | fields
    return httpx.post(f"{emu.base_url(hub)}/audio/transcriptions", headers=auth(key), data=data,
                      files={"file": (name, audio, "application/octet-stream")}, timeout=30)


@pytest.mark.parametrize(("hub", "model", "fmt"), [
    ("electronhub", "whisper-1", "wav"), ("chainhub", "gpt-4o-transcribe", "mp3"),
    ("chainhub", "whisper-1", "flac"),
])
def test_transcribing_emulator_speech_gives_the_text_back(
        hub_emulator: Emulator, hub_key: Callable[[str], str], hub: str, model: str,
        fmt: str) -> None:
    key = hub_key(hub)
    audio = _speech(hub_emulator, hub, key, response_format=fmt,
                    model="tts-1").content
    resp = _transcribe(hub_emulator, hub, key, audio, f"speech.{fmt}", model=model)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"text": TEXT}
    kinds = sorted(j["kind"] for j in jobs(hub_emulator, hub, key).values())
    assert kinds == ["speech", "transcription"]


def test_verbose_json_srt_vtt_and_text(hub_emulator: Emulator,
                                       hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    audio = _speech(hub_emulator, "electronhub", key, response_format="wav").content
    verbose = _transcribe(hub_emulator, "electronhub", key, audio,
                          response_format="verbose_json", language="en",
                          **{"timestamp_granularities[]": ["word", "segment"]}).json()
    assert verbose["duration"] == pytest.approx(0.06 * len(TEXT), abs=1e-3)
    assert verbose["language"] == "english" and verbose["text"] == TEXT
    assert verbose["segments"][0]["start"] == 0
    assert verbose["segments"][-1]["end"] == pytest.approx(verbose["duration"], abs=1e-2)
    assert " ".join(w["word"] for w in verbose["words"]) == TEXT
    srt = _transcribe(hub_emulator, "electronhub", key, audio, response_format="srt")
    assert srt.headers["content-type"].startswith("text/plain")
    assert srt.text.startswith("1\n00:00:00,000 --> 00:00:0")
    vtt = _transcribe(hub_emulator, "electronhub", key, audio, response_format="vtt").text
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> ")
    text = _transcribe(hub_emulator, "electronhub", key, audio, response_format="text")
    assert text.text == TEXT
    assert len(jobs(hub_emulator, "electronhub", key)) == 5


def test_foreign_audio_gets_a_deterministic_transcript(hub_emulator: Emulator,
                                                       hub_key: Callable[[str], str]) -> None:
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x01\x00" * 16000)
    key = hub_key("chainhub")
    first = _transcribe(hub_emulator, "chainhub", key, buf.getvalue(), "memo.wav").json()
    again = _transcribe(hub_emulator, "chainhub", key, buf.getvalue(), "memo.wav").json()
    assert first == again
    assert "memo.wav" in first["text"] and "2.0 seconds" in first["text"]


@pytest.mark.parametrize(("case", "needle"), [
    ("format", "Unsupported file format 'txt'"),
    ("garbage", "could not be decoded"),
    ("huge", "'file' must be at most 25 MB"),
    ("gpt4o_srt", "'response_format' must be one of json, text for gpt-4o-transcribe"),
    ("granularity", "needs response_format 'verbose_json'"),
])
def test_transcription_rules(hub_emulator: Emulator, hub_key: Callable[[str], str], case: str,
                             needle: str) -> None:
    hub = "chainhub" if case == "gpt4o_srt" else "electronhub"
    key = hub_key(hub)
    wav = _speech(hub_emulator, hub, key, response_format="wav").content
    args: dict = {}
    if case == "format":
        args = {"audio": b"hello", "name": "notes.txt"}
    elif case == "garbage":
        args = {"audio": b"\x00garbage" * 100, "name": "clip.mp3"}
    elif case == "huge":
        args = {"audio": wav + bytes(25 * 1024 * 1024)}
    elif case == "gpt4o_srt":
        args = {"model": "gpt-4o-transcribe", "response_format": "srt"}
    else:
        args = {"timestamp_granularities[]": "word"}
    audio = args.pop("audio", wav)
    resp = _transcribe(hub_emulator, hub, key, audio, args.pop("name", "speech.wav"), **args)
    assert resp.status_code == 400 and needle in resp.json()["error"]["message"]
    assert [j["kind"] for j in jobs(hub_emulator, hub, key).values()] == ["speech"]


def test_electronhub_music_answers_a_url_to_an_mp3(hub_emulator: Emulator,
                                                   hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    resp = httpx.post(f"{hub_emulator.base_url('electronhub')}/audio/music", headers=auth(key),
                      json={"model": "suno-v3.5", "prompt": "calm piano", "duration": 3})
    assert resp.status_code == 200, resp.text
    item = resp.json()["data"][0]
    info = av_info(download(item["url"]))
    assert info["format"] == "mp3" and info["seconds"] == pytest.approx(3, abs=0.1)
    (job,) = jobs(hub_emulator, "electronhub", key).values()
    assert job["kind"] == "music" and job["credits"] == 20 and job["downloads"] == 1
    chainhub = httpx.post(f"{hub_emulator.base_url('chainhub')}/audio/music",
                          headers=auth(hub_key("chainhub")),
                          json={"model": "chirp-v3-5", "prompt": "x"})
    assert chainhub.status_code == 404  # ChainHub music is the Suno task API


def test_keys_and_rate_limits_apply_to_media(hub_emulator: Emulator,
                                             hub_key: Callable[[str], str]) -> None:
    url = f"{hub_emulator.base_url('chainhub')}/audio/speech"
    body = {"model": "tts-1", "voice": "alloy", "input": "hi"}
    assert httpx.post(url, json=body).status_code == 401
    assert httpx.post(url, json=body, headers=auth("ek-wrong-prefix")).status_code == 401
    key = hub_key("chainhub")
    hub_emulator.admin.set_account("chainhub", key, plan="rpm:1")
    assert _speech(hub_emulator, "chainhub", key).status_code == 200
    limited = _speech(hub_emulator, "chainhub", key)
    assert limited.status_code == 429 and "retry-after" in limited.headers
    assert len(jobs(hub_emulator, "chainhub", key)) == 1


def test_sync_reply_dropped_after_accept_is_recorded_and_charged(
        hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.fault(hub="electronhub", path="audio/speech", drop="after_accept")
    with pytest.raises(httpx.RemoteProtocolError):
        _speech(hub_emulator, "electronhub", key)
    ledger = hub_emulator.admin.ledger("electronhub", key)
    (job,) = ledger["jobs"].values()
    assert job["kind"] == "speech" and job["credits"] == 5 and ledger["spent"] == 5


def test_sync_job_fail_is_a_400_that_costs_nothing(hub_emulator: Emulator,
                                                    hub_key: Callable[[str], str]) -> None:
    key = hub_key("chainhub")
    hub_emulator.admin.fault(hub="chainhub", path="audio/speech", job_fail="voice not allowed")
    resp = _speech(hub_emulator, "chainhub", key)
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "Your request was rejected: voice not allowed"
    ledger = hub_emulator.admin.ledger("chainhub", key)
    (job,) = ledger["jobs"].values()
    assert job["status"] == "failed" and job["credits"] == 0 and ledger["spent"] == 0
