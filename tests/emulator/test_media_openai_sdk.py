"""The official openai SDK against the emulator's media routes: images.generate, images.edit,
audio.speech.create, audio.transcriptions.create, and media models in models.list."""

from __future__ import annotations

import base64
from collections.abc import Callable

import openai
import pytest
from media_support import av_info, download, jobs, make_png, png_size, wav_seconds

from hub_emulator import Emulator

IMAGE_MODELS = {"electronhub": "dall-e-3", "chainhub": "dall-e-3",
                "tokenhub": "bytedance/doubao-seedream-5.0"}


def _client(emu: Emulator, hub: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url(hub), api_key=key, max_retries=0)


@pytest.mark.parametrize("hub", list(IMAGE_MODELS))
def test_images_generate(hub_emulator: Emulator, hub_key: Callable[[str], str], hub: str) -> None:
    key = hub_key(hub)
    client = _client(hub_emulator, hub, key)
    result = client.images.generate(model=IMAGE_MODELS[hub], prompt="a cabin in snow",
                                    size="1024x1024", quality="hd", style="natural")
    assert result.data is not None and result.data[0].url
    assert png_size(download(result.data[0].url)) == (1024, 1024)
    b64 = client.images.generate(model=IMAGE_MODELS[hub], prompt="a cabin", size="1024x1024",
                                 response_format="b64_json")
    assert b64.data is not None and b64.data[0].b64_json
    assert png_size(base64.b64decode(b64.data[0].b64_json)) == (1024, 1024)
    assert len(jobs(hub_emulator, hub, key)) == 2


@pytest.mark.parametrize(("hub", "model", "size"), [("electronhub", "dall-e-2", "512x512"),
                                                    ("chainhub", "gpt-image-1", "1024x1536")])
def test_images_edit(hub_emulator: Emulator, hub_key: Callable[[str], str], hub: str,
                     model: str, size: str) -> None:
    key = hub_key(hub)
    client = _client(hub_emulator, hub, key)
    result = client.images.edit(model=model, image=("photo.png", make_png(256, 256), "image/png"),
                                mask=("mask.png", make_png(256, 256), "image/png"),
                                prompt="put a moon in the sky", size=size,  # type: ignore[arg-type]
                                response_format="b64_json")
    assert result.data is not None and result.data[0].b64_json
    width, height = (int(x) for x in size.split("x"))
    assert png_size(base64.b64decode(result.data[0].b64_json)) == (width, height)
    (job,) = jobs(hub_emulator, hub, key).values()
    assert job["kind"] == "image" and job["submits"] == 1


def test_images_edit_error_is_a_bad_request(hub_emulator: Emulator,
                                            hub_key: Callable[[str], str]) -> None:
    client = _client(hub_emulator, "electronhub", hub_key("electronhub"))
    with pytest.raises(openai.BadRequestError, match="must be square, got 256x128"):
        client.images.edit(model="dall-e-2", image=("p.png", make_png(256, 128), "image/png"),
                           prompt="x")


@pytest.mark.parametrize(("hub", "model"), [("electronhub", "tts-1"),
                                            ("chainhub", "gpt-4o-mini-tts")])
def test_audio_speech_create(hub_emulator: Emulator, hub_key: Callable[[str], str], hub: str,
                             model: str) -> None:
    client = _client(hub_emulator, hub, hub_key(hub))
    text = "Speech made by the emulator for the SDK."
    wav = client.audio.speech.create(model=model, voice="nova", input=text,
                                     response_format="wav")
    assert wav.response.headers["content-type"] == "audio/wav"
    assert wav_seconds(wav.content) == pytest.approx(0.06 * len(text), abs=1e-3)
    with client.audio.speech.with_streaming_response.create(model=model, voice="echo",
                                                            input=text) as streamed:
        mp3 = b"".join(streamed.iter_bytes())
    assert av_info(mp3)["seconds"] == pytest.approx(0.06 * len(text), abs=0.1)


@pytest.mark.parametrize(("hub", "model"), [("electronhub", "whisper-1"),
                                            ("chainhub", "gpt-4o-transcribe")])
def test_audio_transcriptions_create(hub_emulator: Emulator, hub_key: Callable[[str], str],
                                     hub: str, model: str) -> None:
    key = hub_key(hub)
    client = _client(hub_emulator, hub, key)
    text = "Round trip through the official client."
    audio = client.audio.speech.create(model="tts-1", voice="alloy", input=text,
                                       response_format="mp3").content
    result = client.audio.transcriptions.create(model=model, file=("speech.mp3", audio),
                                                language="en")
    assert result.text == text
    plain = client.audio.transcriptions.create(model=model, file=("speech.mp3", audio),
                                               response_format="text")
    assert plain == text
    if model == "whisper-1":
        verbose = client.audio.transcriptions.create(
            model=model, file=("speech.mp3", audio), response_format="verbose_json",
            timestamp_granularities=["segment"])
        assert verbose.duration == pytest.approx(0.06 * len(text), abs=0.1)
        assert verbose.segments and verbose.segments[0].text.strip()
    kinds = [j["kind"] for j in jobs(hub_emulator, hub, key).values()]
    assert kinds.count("transcription") == (3 if model == "whisper-1" else 2)


MEDIA_MODELS = {
    "electronhub": {"dall-e-3", "sdxl", "flux-dev", "gpt-image-1", "dall-e-2", "tts-1",
                    "whisper-1", "suno-v3.5", "midjourney-video", "t2v-turbo"},
    "chainhub": {"gpt-image-1", "dall-e-3", "gpt-4o-mini-tts", "tts-1", "gpt-4o-transcribe",
                 "whisper-1", "chirp-v3-5", "chirp-v4", "kling-v1", "kling-v2-master",
                 "doubao-seedance-1-0-pro-fast-251015"},
    "tokenhub": {"bytedance/doubao-seedream-5.0", "bytedance/doubao-seedance-2.0",
                 "bytedance/doubao-seedance-2.0-fast"},
    "apihub": set(),
}


@pytest.mark.parametrize("hub", list(MEDIA_MODELS))
def test_media_models_are_listed(hub_emulator: Emulator, hub_key: Callable[[str], str],
                                 hub: str) -> None:
    client = _client(hub_emulator, hub, hub_key(hub))
    models = {m.id: m.model_dump() for m in client.models.list()}
    assert MEDIA_MODELS[hub] <= set(models)
    chat_only = {"apihub"}
    assert (hub in chat_only) == (not MEDIA_MODELS[hub])
    if hub == "electronhub":
        assert models["dall-e-3"]["sizes"] == ["1024x1024", "1792x1024", "1024x1792"]
        assert models["dall-e-3"]["pricing"]["credits"] == 20
        assert "alloy" in models["tts-1"]["voices"]
        assert models["gpt-image-1"]["endpoints"] == [
            "/v1/images/generations", "/v1/images/edits", "/v1/images/variations"]
    if MEDIA_MODELS[hub]:
        some = sorted(MEDIA_MODELS[hub])[0]
        assert client.models.retrieve(some).id == some
