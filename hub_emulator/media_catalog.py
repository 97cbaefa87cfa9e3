"""Media models per hub: what each does, its documented sizes/voices, and its price.

Prices are in the hub's unit: Electron Hub credits per request (2024 price list), ChainHub credits
(our pick, see README), TokenHub credits = dollars (video per second of output).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CREATED = 1_718_000_000
OPENAI_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage",
                 "shimmer", "verse")
EH_SIZES = ("256x256", "512x512", "1024x1024", "1792x1024", "1024x1792")
EDIT_SIZES = ("256x256", "512x512", "1024x1024")
GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
DALLE3_SIZES = ("1024x1024", "1792x1024", "1024x1792")
TRANSCRIPT_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")


@dataclass(frozen=True)
class MediaModel:
    """One media model of one hub.

    ``ops`` names what it serves: generate, edit, variation (images), speech, transcribe, music
    (Electron Hub ``audio/music``), suno, kling, volc (ChainHub task APIs), video (TokenHub),
    stream_video (Electron Hub SSE). ``per`` is request | image | second.
    """

    id: str
    owned_by: str
    kind: str  # image | speech | transcription | music | video
    ops: tuple[str, ...]
    price: float
    per: str = "request"
    price_480p: float | None = None
    sizes: tuple[str, ...] = ()
    voices: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    max_n: int = 10

    def cost(self, *, n: int = 1, seconds: float = 0.0, resolution: str | None = None) -> float:
        """Price of one request in the hub's unit."""
        if self.per == "image":
            return round(self.price * n, 6)
        if self.per == "second":
            rate = self.price_480p if resolution == "480p" and self.price_480p else self.price
            return round(rate * seconds, 6)
        return self.price


def _img(mid: str, owner: str, price: float, ops: tuple[str, ...] = ("generate",),
         sizes: tuple[str, ...] = EH_SIZES, per: str = "request", max_n: int = 10) -> MediaModel:
    return MediaModel(mid, owner, "image", ops, price, per, sizes=sizes, max_n=max_n)


def _video(mid: str, owner: str, op: str, price: float, per: str = "request",
           price_480p: float | None = None) -> MediaModel:
    return MediaModel(mid, owner, "video", (op,), price, per, price_480p)


def _stt(mid: str, owner: str, price: float, formats: tuple[str, ...] = TRANSCRIPT_FORMATS
         ) -> MediaModel:
    return MediaModel(mid, owner, "transcription", ("transcribe",), price, formats=formats)


MEDIA: dict[str, tuple[MediaModel, ...]] = {
    "electronhub": (
        _img("dall-e-3", "openai", 20, sizes=DALLE3_SIZES, max_n=1),
        _img("sdxl", "stability", 1),
        _img("flux-dev", "black-forest-labs", 150),
        _img("gpt-image-1", "openai", 25, ("generate", "edit", "variation"),
             sizes=EH_SIZES + GPT_IMAGE_SIZES),
        _img("dall-e-2", "openai", 10, ("generate", "edit", "variation")),
        MediaModel("tts-1", "openai", "speech", ("speech",), 5, voices=OPENAI_VOICES),
        _stt("whisper-1", "openai", 2),
        MediaModel("suno-v3.5", "suno", "music", ("music",), 20),
        _video("midjourney-video", "midjourney", "stream_video", 100),
        _video("t2v-turbo", "t2v", "stream_video", 30),
        _video("svd-turbo", "stability", "stream_video", 20),
        _video("dream-machine", "luma", "stream_video", 80),
    ),
    "chainhub": (
        _img("gpt-image-1", "openai", 0.04, ("generate", "edit"), GPT_IMAGE_SIZES, "image"),
        _img("dall-e-3", "openai", 0.04, sizes=DALLE3_SIZES, per="image", max_n=1),
        MediaModel("gpt-4o-mini-tts", "openai", "speech", ("speech",), 0.012,
                   voices=OPENAI_VOICES),
        MediaModel("tts-1", "openai", "speech", ("speech",), 0.015, voices=OPENAI_VOICES),
        _stt("gpt-4o-transcribe", "openai", 0.006, ("json", "text")),
        _stt("whisper-1", "openai", 0.006),
        MediaModel("chirp-v3-0", "suno", "music", ("suno",), 0.1),
        MediaModel("chirp-v3-5", "suno", "music", ("suno",), 0.1),
        MediaModel("chirp-v4", "suno", "music", ("suno",), 0.1),
        _video("kling-v1", "kling", "kling", 0.14, "second"),
        _video("kling-v1-6", "kling", "kling", 0.2, "second"),
        _video("kling-v2-master", "kling", "kling", 0.28, "second"),
        _video("kling-v2-1-master", "kling", "kling", 0.28, "second"),
        _video("kling-v2-5-turbo", "kling", "kling", 0.21, "second"),
        _video("doubao-seedance-1-0-pro-fast-251015", "bytedance", "volc", 0.08, "second"),
    ),
    "tokenhub": (
        _img("bytedance/doubao-seedream-5.0", "bytedance", 0.03, sizes=(), per="image", max_n=4),
        _video("bytedance/doubao-seedance-2.0", "bytedance", "video", 0.20, "second", 0.12),
        _video("bytedance/doubao-seedance-2.0-fast", "bytedance", "video", 0.16, "second", 0.10),
    ),
    "apihub": (),
}

_INDEX: dict[str, dict[str, MediaModel]] = {}
for _hub, _models in MEDIA.items():
    _idx: dict[str, MediaModel] = {}
    for _m in _models:
        _idx[_m.id] = _m
        _idx.setdefault(_m.id.split("/", 1)[-1], _m)
    _INDEX[_hub] = _idx


def lookup(hub: str, model: object, op: str | None = None) -> MediaModel | None:
    """The media model ``model`` of ``hub`` (TokenHub vendor prefix optional), if it serves
    ``op``."""
    if not isinstance(model, str):
        return None
    spec = _INDEX.get(hub, {}).get(model) or _INDEX.get(hub, {}).get(model.split("/", 1)[-1])
    if spec is None or (op is not None and op not in spec.ops):
        return None
    return spec


def models_of(hub: str, op: str) -> list[str]:
    """Ids of the models that serve ``op`` (for error messages)."""
    return [m.id for m in MEDIA.get(hub, ()) if op in m.ops]


_EH_ENDPOINTS = {
    "generate": "/v1/images/generations", "edit": "/v1/images/edits",
    "variation": "/v1/images/variations", "speech": "/v1/audio/speech",
    "transcribe": "/v1/audio/transcriptions", "music": "/v1/audio/music",
    "stream_video": "/v1/videos/generations",
}
_CH_ENDPOINTS = {
    "generate": "image-generation", "edit": "image-edit", "speech": "audio-speech",
    "transcribe": "audio-transcription", "suno": "suno", "kling": "kling", "volc": "volc",
}


def model_entry(hub: str, spec: MediaModel) -> dict[str, Any]:
    """The ``/models`` entry of a media model, in that hub's fields."""
    base: dict[str, Any] = {"id": spec.id, "object": "model", "created": CREATED,
                            "owned_by": spec.owned_by}
    if hub == "electronhub":
        base.update(
            name=spec.id, description=f"{spec.id} ({spec.kind}) via Electron Hub (emulated)",
            tokens=0, endpoints=[_EH_ENDPOINTS[op] for op in spec.ops],
            pricing={"input": 0, "output": 0, "credits": spec.price, "per": spec.per},
            premium_model=spec.price >= 20, metadata={"type": spec.kind})
        if spec.sizes:
            base["sizes"] = list(spec.sizes)
        if spec.voices:
            base["voices"] = list(spec.voices)
    elif hub == "tokenhub":
        pricing = {f"per_{spec.per}": f"{spec.price:.4f}"}
        if spec.price_480p is not None:
            pricing["per_second_480p"] = f"{spec.price_480p:.4f}"
        base.update(name=spec.id, pricing=pricing,
                    architecture={"input_modalities": ["text", "image"],
                                  "output_modalities": [spec.kind]})
    else:
        base.update(pricing={"price": spec.price, "per": spec.per, "unit": "credits"},
                    supported_endpoint_types=[_CH_ENDPOINTS[op] for op in spec.ops])
        if spec.voices:
            base["voices"] = list(spec.voices)
    return base


def entries(hub: str) -> list[dict[str, Any]]:
    """Every media model of ``hub`` as ``/models`` entries."""
    return [model_entry(hub, m) for m in MEDIA.get(hub, ())]
