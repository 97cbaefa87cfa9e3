"""Bad input is refused before any request, naming the field, the rule and the value."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from hub_core.errors import HubInputError
from tests.media.conftest import ledger_jobs, requests_to


def _png(width: int, height: int, *, noise: bool = False) -> bytes:
    if noise:  # incompressible, so the file is as big as its pixels
        img = Image.frombytes("RGBA", (width, height), os.urandom(width * height * 4))
    else:
        img = Image.new("RGBA", (width, height), (200, 30, 30, 255))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 30)).save(out, format="JPEG")
    return out.getvalue()


SQUARE = _png(256, 256)
EDIT_CASES = [
    ("not a PNG", {"image": _jpeg(256, 256)}, "image", "must be a PNG"),
    ("not square", {"image": _png(256, 128)}, "image", "must be square"),
    ("over 4 MB", {"image": _png(1100, 1100, noise=True)}, "image", "must be under 4 MB"),
    ("mask of another size", {"mask": _png(128, 128)}, "mask", "same size as the image"),
    ("mask not a PNG", {"mask": _jpeg(256, 256)}, "mask", "must be a PNG"),
    ("n too small", {"n": 0}, "n", "from 1 to 10"),
    ("n too large", {"n": 11}, "n", "from 1 to 10"),
    ("undocumented size", {"size": "300x300"}, "size", "documented sizes"),
    ("not an image", {"image": b"hello, I am text"}, "image", "Pillow cannot read"),
    ("empty prompt", {"prompt": "  "}, "prompt", "non-empty"),
]


@pytest.mark.parametrize(("case", "change", "field", "rule"), EDIT_CASES,
                         ids=[c[0] for c in EDIT_CASES])
def test_invalid_edit_inputs_are_refused_before_any_request(hub_emulator, media_for, case,
                                                            change, field, rule):
    media = media_for("electronhub")
    args = {"image": SQUARE, "prompt": "add a hat", "mask": None, "n": 1, "size": None,
            **change}
    with pytest.raises(HubInputError) as caught:
        media.edit_image(args.pop("image"), args.pop("prompt"), **args)
    err = caught.value
    assert isinstance(err, ValueError)
    assert err.field == field
    assert rule in err.rule and rule in str(err)
    assert str(err).startswith(f"electronhub: {field} ")
    assert "got" in str(err)
    assert requests_to(hub_emulator, media) == []
    assert media.journal.recent(media.hub, media.key_fp) == []  # nothing recorded either


def test_a_valid_edit_with_a_mask_goes_through_once(hub_emulator, media_for, tmp_path):
    media = media_for("electronhub")
    source = tmp_path / "photo.png"
    source.write_bytes(SQUARE)
    result = media.edit_image(source, "add a hat", mask=_png(256, 256), size="512x512", n=2)
    assert len(result.paths) == 2
    with Image.open(result.paths[0]) as img:
        assert img.size == (512, 512)
    (job,) = ledger_jobs(hub_emulator, media).values()
    assert job["submits"] == 1
    (row,) = media.journal.recent(media.hub, media.key_fp)
    assert row.request["image"]["size"] == "256x256"
    assert "sha256" in row.request["image"] and "data" not in row.request["image"]


def test_variations_follow_the_same_rules(hub_emulator, media_for):
    media = media_for("electronhub")
    with pytest.raises(HubInputError, match="square"):
        media.image_variations(_png(300, 200))
    result = media.image_variations(SQUARE, n=2, size="256x256")
    assert len(result.paths) == 2
    assert len(ledger_jobs(hub_emulator, media)) == 1


@pytest.mark.parametrize(
    ("hub", "call", "field"),
    [
        ("electronhub", lambda m: m.generate_image("x", model="dall-e-3", n=2), "n"),
        ("electronhub", lambda m: m.generate_image("x", model="dall-e-3", size="512x512"),
         "size"),
        ("electronhub", lambda m: m.generate_image("x", model="dall-e-3", quality="ultra"),
         "quality"),
        ("electronhub", lambda m: m.generate_image("x", style="moody"), "style"),
        ("electronhub", lambda m: m.generate_image("x", response_format="png"),
         "response_format"),
        ("electronhub", lambda m: m.generate_image("x", enhance_prompt=True), "enhance_prompt"),
        ("tokenhub", lambda m: m.generate_image("x", size="big"), "size"),
        ("chainhub", lambda m: m.speech("x", format="ogg"), "format"),
        ("chainhub", lambda m: m.speech("x" * 4097), "text"),
        ("chainhub", lambda m: m.speech("hi", speed=5), "speed"),
        ("chainhub", lambda m: m.transcribe(b"plain text, not audio"), "file"),
        ("chainhub", lambda m: m.transcribe(b"ID3....", response_format="xml"),
         "response_format"),
        ("tokenhub", lambda m: m.submit_video("x", duration=30), "duration"),
        ("tokenhub", lambda m: m.submit_video("x", duration=4.5), "duration"),
        ("tokenhub", lambda m: m.submit_video("x", resolution="4k"), "resolution"),
        ("tokenhub", lambda m: m.submit_video("x", aspect_ratio="wide"), "aspect_ratio"),
        ("chainhub", lambda m: m.submit_video("x", model="kling-v1", duration=7), "duration"),
        ("chainhub", lambda m: m.submit_video("x", model="sora-2"), "model"),
        ("electronhub", lambda m: m.submit_video("x", aspect_ratio="21:9"), "aspect_ratio"),
        ("electronhub", lambda m: m.submit_video("x", resolution="720p"), "resolution"),
        ("chainhub", lambda m: m.submit_music(""), "prompt"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(hub_emulator, media_for, hub, call,
                                                      field):
    media = media_for(hub)
    with pytest.raises(HubInputError) as caught:
        call(media)
    assert caught.value.field == field
    assert requests_to(hub_emulator, media) == []


def test_chainhub_gets_the_enhance_header_only_when_asked(hub_emulator, media_for):
    media = media_for("chainhub")
    media.generate_image("a plain cat")
    media.generate_image("a fancy cat", enhance_prompt=True)
    plain, fancy = [r for r in requests_to(hub_emulator, media)
                    if r["path"].endswith("images/generations")]
    assert "x-chainhub-enhance-prompt" not in {k.lower() for k in plain["headers"]}
    assert {k.lower(): v for k, v in fancy["headers"].items()}[
        "x-chainhub-enhance-prompt"] == "true"
