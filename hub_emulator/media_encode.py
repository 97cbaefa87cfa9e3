"""Real media files, small and cached: PNG (Pillow), WAV (stdlib ``wave``), MP3/Opus/AAC/FLAC and
H.264 MP4 (PyAV's bundled FFmpeg), plus probing uploaded audio for its duration.

Everything is deterministic in its arguments (the same prompt gives the same bytes), which keeps
the caches useful and lets the emulator recognise its own speech when it is transcribed.
"""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib
from fractions import Fraction
from functools import lru_cache

import av
from PIL import Image, ImageDraw, UnidentifiedImageError

SAMPLE_RATE = 24_000  # OpenAI TTS output rate
VIDEO_FPS = 4  # few frames keep encodes in the millisecond range
NOTE_SECONDS = 0.12
_NOTES_HZ = (200, 240, 300, 400, 480, 600, 800, 1000)  # each divides 24 kHz: whole periods tile

AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
_AV_AUDIO = {  # response_format -> (container, encoder, sample format)
    "mp3": ("mp3", "libmp3lame", "s16p"),
    "opus": ("ogg", "libopus", "s16"),
    "aac": ("adts", "aac", "fltp"),
    "flac": ("flac", "flac", "s16"),
}


def seed_of(*parts: object) -> int:
    """A stable 32-bit seed from any values (prompt, index, ...)."""
    return zlib.crc32("\x1f".join(map(str, parts)).encode())


def _colour(seed: int, shift: int = 0) -> tuple[int, int, int]:
    s = (seed >> shift) & 0xFFFFFF
    return (64 + (s & 0x7F), 64 + ((s >> 8) & 0x7F), 64 + ((s >> 16) & 0x7F))


def _picture(width: int, height: int, seed: int, label: str = "") -> Image.Image:
    """A gradient with a shape and (room permitting) a label: clearly not a blank image."""
    top, bottom = _colour(seed), _colour(seed, 7)
    strip = Image.new("RGB", (1, 256))
    strip.putdata([tuple(top[c] + (bottom[c] - top[c]) * y // 255 for c in range(3))
                   for y in range(256)])
    img = strip.resize((width, height))
    draw = ImageDraw.Draw(img)
    r = max(2, min(width, height) // 4)
    cx, cy = width * (1 + seed % 3) // 4, height // 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_colour(seed, 13))
    if label and width >= 64 and height >= 24:
        draw.text((4, 4), label[: max(1, width // 7)], fill=(255, 255, 255))
    return img


def _png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


@lru_cache(maxsize=256)
def png(width: int, height: int, seed: int, label: str = "") -> bytes:
    """A real PNG of ``width`` x ``height``."""
    return _png_bytes(_picture(width, height, seed, label))


def edited_png(image: bytes, mask: bytes | None, width: int, height: int, seed: int) -> bytes:
    """The source image at the asked size, with the mask's transparent area repainted."""
    src = Image.open(io.BytesIO(image)).convert("RGBA").resize((width, height))
    paint = _picture(width, height, seed).convert("RGBA")
    if mask is not None:
        alpha = Image.open(io.BytesIO(mask)).convert("RGBA").getchannel("A").resize((width, height))
        where = alpha.point(lambda a: 255 if a == 0 else 0)
    elif "A" in src.getbands() and src.getchannel("A").getextrema()[0] == 0:
        where = src.getchannel("A").point(lambda a: 255 if a == 0 else 0)
    else:
        where = Image.new("L", (width, height), 0)
        ImageDraw.Draw(where).rectangle((width // 4, height // 4, 3 * width // 4,
                                         3 * height // 4), fill=255)
    return _png_bytes(Image.composite(paint, src, where).convert("RGB"))


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """``(format, width, height)`` of an uploaded image, or ``None`` if Pillow cannot read it."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return str(img.format), img.width, img.height
    except (UnidentifiedImageError, OSError, ValueError):
        return None


# -- audio ---------------------------------------------------------------------------------------

def _period(freq: int, amplitude: float = 0.3) -> bytes:
    n = SAMPLE_RATE // freq
    return struct.pack(f"<{n}h", *(int(amplitude * 32767 * math.sin(2 * math.pi * i / n))
                                   for i in range(n)))


_PERIODS = {f: _period(f) for f in _NOTES_HZ}


@lru_cache(maxsize=128)
def pcm(seconds: float, seed: int) -> bytes:
    """16-bit mono PCM at 24 kHz: a tune of short notes picked by ``seed``, ``seconds`` long."""
    total = max(1, round(seconds * SAMPLE_RATE))
    per_note = round(NOTE_SECONDS * SAMPLE_RATE)
    out = bytearray()
    i = 0
    while len(out) < total * 2:
        period = _PERIODS[_NOTES_HZ[(seed >> (i % 29)) % len(_NOTES_HZ)]]
        out += period * (per_note // (len(period) // 2) + 1)
        i += 1
    return bytes(out[: total * 2])


def wav(seconds: float, seed: int) -> bytes:
    """A WAV file (stdlib ``wave``) of exactly ``seconds`` (to the sample)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm(seconds, seed))
    return buf.getvalue()


@lru_cache(maxsize=128)
def audio(fmt: str, seconds: float, seed: int) -> bytes:
    """Audio of ``seconds`` in a speech ``response_format`` (mp3, opus, aac, flac, wav, pcm)."""
    if fmt == "wav":
        return wav(seconds, seed)
    samples = pcm(seconds, seed)
    if fmt == "pcm":
        return samples
    container, codec, sample_fmt = _AV_AUDIO[fmt]
    rate = 48_000 if fmt == "opus" else SAMPLE_RATE  # Opus in Ogg is always 48 kHz
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        assert isinstance(stream, av.AudioStream)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=sample_fmt, layout="mono", rate=rate)
        step = 4096
        for start in range(0, len(samples), step * 2):
            chunk = samples[start:start + step * 2]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
            frame.planes[0].update(chunk)
            frame.sample_rate = SAMPLE_RATE
            frame.time_base = Fraction(1, SAMPLE_RATE)
            frame.pts = start // 2
            for resampled in resampler.resample(frame):
                out.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            out.mux(stream.encode(resampled))
        out.mux(stream.encode(None))
    return buf.getvalue()


def probe_seconds(data: bytes) -> float | None:
    """Duration of an uploaded audio/video file (WAV via ``wave``, the rest via PyAV)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        try:
            with wave.open(io.BytesIO(data), "rb") as w:
                return w.getnframes() / float(w.getframerate())
        except (wave.Error, EOFError):
            return None
    try:
        with av.open(io.BytesIO(data), "r") as box:
            if box.duration is not None:
                return float(box.duration) / av.time_base
            for stream in box.streams:
                if stream.duration is not None and stream.time_base is not None:
                    return float(stream.duration * stream.time_base)
    except (av.error.FFmpegError, ValueError, OSError):
        return None
    return None


# -- video ---------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def mp4(width: int, height: int, seconds: float, seed: int) -> bytes:
    """A real H.264 MP4 (``yuv420p``, ``VIDEO_FPS`` frames a second) of ``seconds``."""
    width, height = width - width % 2, height - height % 2
    frames = max(1, round(seconds * VIDEO_FPS))
    base = _picture(width, height, seed)
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=VIDEO_FPS)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for i in range(frames):
            frame_img = base.rotate(360 * i / frames) if width == height else \
                base.transform(base.size, Image.Transform.AFFINE,
                               (1, 0, -i * width // frames, 0, 1, 0))
            out.mux(stream.encode(av.VideoFrame.from_image(frame_img)))
        out.mux(stream.encode(None))
    return buf.getvalue()


def mp4_padding_box(size: int) -> bytes:
    """Header of an MP4 ``free`` box of ``size`` bytes in total (zeros follow), so padding a
    result keeps it a valid MP4; 64-bit size when it does not fit 32 bits."""
    if size < 16:
        raise ValueError("an MP4 free box needs at least 16 bytes")
    if size <= 0xFFFFFFFF:
        return struct.pack(">I4s", size, b"free")
    return struct.pack(">I4sQ", 1, b"free", size)
