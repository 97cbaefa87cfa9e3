"""Image routes over HTTP: real PNGs of the asked size, one ledger job each, hub input rules."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest
from media_support import auth, download, jobs, make_png, png_size

from hub_emulator import Emulator

GENERATE = [  # hub, model, size
    ("electronhub", "dall-e-3", "1024x1792"),
    ("electronhub", "sdxl", "256x256"),
    ("electronhub", "flux-dev", "512x512"),
    ("electronhub", "gpt-image-1", "1536x1024"),
    ("chainhub", "gpt-image-1", "1024x1024"),
    ("chainhub", "dall-e-3", "1792x1024"),
    ("tokenhub", "bytedance/doubao-seedream-5.0", "640x384"),
    ("tokenhub", "doubao-seedream-5.0", "512x512"),
]


@pytest.mark.parametrize(("hub", "model", "size"), GENERATE)
def test_generate_gives_png_of_the_size_and_one_job(hub_emulator: Emulator,
                                                    hub_key: Callable[[str], str], hub: str,
                                                    model: str, size: str) -> None:
    key = hub_key(hub)
    resp = httpx.post(f"{hub_emulator.base_url(hub)}/images/generations", headers=auth(key),
                      json={"model": model, "prompt": "a lighthouse at dusk", "size": size},
                      timeout=30)
    assert resp.status_code == 200, resp.text
    item = resp.json()["data"][0]
    data = base64.b64decode(item["b64_json"]) if item.get("b64_json") else download(item["url"])
    width, height = (int(x) for x in size.split("x"))
    assert png_size(data) == (width, height)
    ledger = jobs(hub_emulator, hub, key)
    assert len(ledger) == 1
    (job,) = ledger.values()
    assert job["kind"] == "image" and job["status"] == "succeeded" and job["submits"] == 1
    assert job["credits"] > 0
    assert job["downloads"] == (0 if item.get("b64_json") else 1)


def test_b64_json_and_n_images(hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    resp = httpx.post(f"{hub_emulator.base_url('electronhub')}/images/generations",
                      headers=auth(key), json={"model": "sdxl", "prompt": "three cats", "n": 3,
                                               "size": "256x256", "response_format": "b64_json",
                                               "public": True})
    data = resp.json()["data"]
    assert len(data) == 3 and all("url" not in d for d in data)
    images = [base64.b64decode(d["b64_json"]) for d in data]
    assert all(png_size(img) == (256, 256) for img in images)
    assert len(set(images)) == 3  # each image of a request differs
    ledger = hub_emulator.admin.ledger("electronhub", key)
    assert len(ledger["jobs"]) == 1 and ledger["spent"] == 1  # sdxl: 1 credit per request


def test_gpt_image_always_answers_b64_with_usage(hub_emulator: Emulator,
                                                 hub_key: Callable[[str], str]) -> None:
    resp = httpx.post(f"{hub_emulator.base_url('chainhub')}/images/generations",
                      headers=auth(hub_key("chainhub")),
                      json={"model": "gpt-image-1", "prompt": "a map", "response_format": "url"})
    body = resp.json()
    assert "b64_json" in body["data"][0] and "url" not in body["data"][0]
    assert body["usage"]["total_tokens"] == (body["usage"]["input_tokens"]
                                             + body["usage"]["output_tokens"])


@pytest.mark.parametrize("sent", [None, "true"])
def test_chainhub_enhance_header_is_visible(hub_emulator: Emulator,
                                            hub_key: Callable[[str], str],
                                            sent: str | None) -> None:
    key = hub_key("chainhub")
    headers = auth(key) | ({"X-ChainHub-Enhance-Prompt": sent} if sent else {})
    resp = httpx.post(f"{hub_emulator.base_url('chainhub')}/images/generations", headers=headers,
                      json={"model": "dall-e-3", "prompt": "a fox"})
    assert resp.status_code == 200
    revised = resp.json()["data"][0]["revised_prompt"]
    assert (revised != "a fox") is bool(sent)
    ledger = hub_emulator.admin.ledger("chainhub", key)
    (job,) = ledger["jobs"].values()
    assert job["urls"]  # dall-e-3 answered with a URL
    assert ledger["requests"][0]["headers"].get("x-chainhub-enhance-prompt") == sent


@pytest.mark.parametrize(("body", "needle"), [
    ({"model": "dall-e-3", "prompt": "x", "size": "300x300"}, "'size' must be one of"),
    ({"model": "dall-e-3", "prompt": "x", "n": 2}, "'n' must be an integer from 1 to 1"),
    ({"model": "sdxl", "prompt": "x", "n": 11}, "'n' must be an integer from 1 to 10"),
    ({"model": "sdxl", "prompt": ""}, "'prompt' is required"),
    ({"model": "sdxl", "prompt": "x", "response_format": "png"}, "'response_format'"),
    ({"model": "sdxl", "prompt": "x", "public": "yes"}, "'public' must be a boolean"),
    ({"model": "sdxl", "prompt": "x", "style": "noir"}, "'style' must be one of"),
])
def test_generate_input_rules(hub_emulator: Emulator, hub_key: Callable[[str], str],
                              body: dict, needle: str) -> None:
    key = hub_key("electronhub")
    resp = httpx.post(f"{hub_emulator.base_url('electronhub')}/images/generations",
                      headers=auth(key), json=body)
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert needle in error["message"] and error["code"] == 400
    assert jobs(hub_emulator, "electronhub", key) == {}


def test_unknown_image_model_and_chat_model_are_404(hub_emulator: Emulator,
                                                    hub_key: Callable[[str], str]) -> None:
    key = hub_key("tokenhub")
    for model in ("dall-e-3", "openai/gpt-4.1"):
        resp = httpx.post(f"{hub_emulator.base_url('tokenhub')}/images/generations",
                          headers=auth(key), json={"model": model, "prompt": "x"})
        assert resp.status_code == 404
        assert resp.json()["error"]["code"] == "model_not_found"
    chat = httpx.post(f"{hub_emulator.base_url('tokenhub')}/chat/completions", headers=auth(key),
                      json={"model": "bytedance/doubao-seedream-5.0",
                            "messages": [{"role": "user", "content": "hi"}]})
    assert chat.status_code == 404  # media models are not chat models


def test_insufficient_credits_is_402_and_creates_no_job(hub_emulator: Emulator,
                                                        hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.set_account("electronhub", key, balance=19)
    resp = httpx.post(f"{hub_emulator.base_url('electronhub')}/images/generations",
                      headers=auth(key), json={"model": "dall-e-3", "prompt": "x"})
    assert resp.status_code == 402
    assert resp.json()["error"]["message"] == ("Insufficient balance. You have 19 credits, "
                                               "this request needs 20.")
    ledger = hub_emulator.admin.ledger("electronhub", key)
    assert ledger["jobs"] == {} and ledger["balance"] == 19


def _edit(emu: Emulator, hub: str, key: str, image: bytes, *, mask: bytes | None = None,
          path: str = "images/edits", **fields: str) -> httpx.Response:
    files = [("image", ("in.png", image, "image/png"))]
    if mask is not None:
        files.append(("mask", ("mask.png", mask, "image/png")))
    data = {"model": "dall-e-2", "prompt": "add a red hat"} | fields
    return httpx.post(f"{emu.base_url(hub)}/{path}", headers=auth(key), data=data, files=files,
                      timeout=30)


def test_electronhub_edit_with_mask_and_variation(hub_emulator: Emulator,
                                                  hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    image = make_png(256, 256)
    mask = make_png(256, 256, mode="RGBA")
    resp = _edit(hub_emulator, "electronhub", key, image, mask=mask, size="512x512", n="2")
    assert resp.status_code == 200, resp.text
    urls = [d["url"] for d in resp.json()["data"]]
    assert [png_size(download(u)) for u in urls] == [(512, 512), (512, 512)]
    var = _edit(hub_emulator, "electronhub", key, image, path="images/variations",
                model="gpt-image-1", size="256x256", prompt="")
    assert var.status_code == 200, var.text
    assert png_size(base64.b64decode(var.json()["data"][0]["b64_json"])) == (256, 256)
    ledger = jobs(hub_emulator, "electronhub", key)
    assert len(ledger) == 2 and {j["kind"] for j in ledger.values()} == {"image"}


@pytest.mark.parametrize(("case", "needle"), [
    ("jpeg", "'image' must be a PNG image, got JPEG"),
    ("not_square", "'image' must be square, got 256x128"),
    ("too_big", "'image' must be less than 4 MB"),
    ("mask_size", "'mask' must be the same size as 'image': image is 256x256, mask is 128x128"),
    ("n", "'n' must be an integer from 1 to 10, got '11'"),
    ("size", "'size' must be one of 256x256, 512x512, 1024x1024; got '1792x1024'"),
])
def test_electronhub_edit_rules_answer_400(hub_emulator: Emulator,
                                           hub_key: Callable[[str], str], case: str,
                                           needle: str) -> None:
    key = hub_key("electronhub")
    image, mask, fields = make_png(256, 256), None, {}
    if case == "jpeg":
        image = make_png(256, 256, fmt="JPEG", mode="RGB")
    elif case == "not_square":
        image = make_png(256, 128)
    elif case == "too_big":
        image = make_png(1200, 1200, noise=True)
        assert len(image) >= 4 * 1024 * 1024
    elif case == "mask_size":
        mask = make_png(128, 128)
    elif case == "n":
        fields = {"n": "11"}
    else:
        fields = {"size": "1792x1024"}
    resp = _edit(hub_emulator, "electronhub", key, image, mask=mask, **fields)
    assert resp.status_code == 400
    assert needle in resp.json()["error"]["message"]
    assert jobs(hub_emulator, "electronhub", key) == {}


def test_chainhub_gpt_image_edit_takes_jpeg_and_non_square(hub_emulator: Emulator,
                                                           hub_key: Callable[[str], str]) -> None:
    key = hub_key("chainhub")
    resp = _edit(hub_emulator, "chainhub", key, make_png(300, 200, fmt="JPEG", mode="RGB"),
                 model="gpt-image-1", size="1536x1024")
    assert resp.status_code == 200, resp.text
    assert png_size(base64.b64decode(resp.json()["data"][0]["b64_json"])) == (1536, 1024)
    assert len(jobs(hub_emulator, "chainhub", key)) == 1
    no_variations = _edit(hub_emulator, "chainhub", key, make_png(256, 256),
                          path="images/variations")
    assert no_variations.status_code == 404  # ChainHub documents no variations route


def test_edit_needs_multipart(hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    resp = httpx.post(f"{hub_emulator.base_url('electronhub')}/images/edits",
                      headers=auth(hub_key("electronhub")),
                      json={"model": "dall-e-2", "prompt": "x"})
    assert resp.status_code == 400
    assert "multipart/form-data" in resp.json()["error"]["message"]
