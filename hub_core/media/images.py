"""Images: generate (JSON), edit and variations (multipart); every documented rule first.

Replies carry ``url`` items (downloaded) or ``b64_json`` items (written from the reply; gpt-image
models always answer so). ChainHub's ``X-ChainHub-Enhance-Prompt: true`` is sent only when the
caller passes ``enhance_prompt=True`` (gap 20).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hub_core.errors import HubInputError
from hub_core.media.effects import Call, Flow
from hub_core.media.jobs import MediaJob
from hub_core.media.results import MediaResult, blob_mime, decode_b64
from hub_core.media.spend import media_cost
from hub_core.media.submit import Submission, accept, paid_call, send_once
from hub_core.media.validate import (
    STYLES,
    ImageFile,
    check_choice,
    check_edit,
    check_n,
    check_prompt,
    check_quality,
    check_size,
    load_image,
    sizes_for,
)

if TYPE_CHECKING:
    from hub_core.media.base import MediaBase

__all__ = ["edit_flow", "generate_flow", "image_items", "variations_flow"]

ENHANCE_HEADER = "X-ChainHub-Enhance-Prompt"
RESPONSE_FORMATS = ("url", "b64_json")
STRICT_EDIT_HUBS = frozenset({"electronhub"})
"""Hubs whose edits and variations follow the dall-e-2 rules: PNG, square, under 4 MB."""


def _strict(hub: str, model: str) -> bool:
    """Whether the dall-e-2 upload rules apply (PNG, square, under 4 MB)."""
    return hub in STRICT_EDIT_HUBS or model.startswith("dall-e-2")


def _drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _image_reply_flow(media: MediaBase, sub: Submission, call: Call) -> Flow[MediaResult]:
    """POST once (journal first), then write ``b64_json`` items or download ``url`` items."""
    record, response, spend = yield from paid_call(media, sub, send_once(call))
    reply = response.json()
    b64s, urls = image_items(reply)
    record = accept(media, record, spend, None, phase="accepted", status="succeeded")
    job = MediaJob(media, record)
    job.status, job.raw = "succeeded", reply
    blobs = [decode_b64(text, hub=media.hub) for text in b64s]
    if blobs:
        return job._deliver([(data, blob_mime(data, None, "image/png")) for data in blobs])
    job.urls = urls
    return (yield from job._finish_flow())


def image_items(reply: Any) -> tuple[list[str], tuple[str, ...]]:
    """The ``b64_json`` strings and the ``url``s of an images reply's ``data`` items.

    A reply of another shape gives neither (the caller then raises ``MediaJobError`` with the
    reply attached: the call was paid, so its reply is kept, never a bare AttributeError).
    """
    data = reply.get("data") if isinstance(reply, dict) else None
    items = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
    b64s = [value for item in items if isinstance(value := item.get("b64_json"), str) and value]
    return b64s, tuple(url for item in items if isinstance(url := item.get("url"), str) and url)


def generate_flow(
    media: MediaBase, prompt: str, *, model: str | None, n: int, size: str | None,
    quality: str | None, style: str | None, response_format: str, enhance_prompt: bool,
) -> Flow[MediaResult]:
    """``POST images/generations``."""
    media.require("images", "image generation")
    hub = media.hub
    model = media.model_for("image", model)
    check_prompt(prompt, hub=hub, limit=4000)
    check_n(n, hub=hub, model=model)
    check_size(size, hub=hub, allowed=sizes_for(hub, model))
    check_quality(quality, model=model, hub=hub)
    check_choice(style, STYLES, field="style", hub=hub)
    check_choice(response_format, RESPONSE_FORMATS, field="response_format", hub=hub)
    headers = None
    if enhance_prompt:
        if ENHANCE_HEADER not in media.profile.special_headers:
            raise HubInputError.invalid(
                "enhance_prompt", "is only offered by ChainHub (X-ChainHub-Enhance-Prompt)",
                enhance_prompt, fix="drop enhance_prompt for this hub", hub=hub)
        headers = {ENHANCE_HEADER: "true"}
    body = _drop_none({"model": model, "prompt": prompt, "n": n, "size": size,
                       "quality": quality, "style": style, "response_format": response_format})
    sub = Submission(kind="image", model=model, endpoint="images",
                     request={**body, "enhance_prompt": enhance_prompt},
                     cost=media_cost(media.profile, model, images=n))
    call = Call("POST", media.client.url("images"), json=body, headers=headers, kind="submit")
    return (yield from _image_reply_flow(media, sub, call))


def _file_part(image: ImageFile) -> tuple[str, bytes, str]:
    return (image.name, image.data, image.mime)


def _described(image: ImageFile) -> dict[str, Any]:
    """How the journal records an uploaded image: never its bytes."""
    return {"name": image.name, "bytes": len(image.data), "size": f"{image.width}x{image.height}",
            "sha256": hashlib.sha256(image.data).hexdigest()}


def _multipart_flow(
    media: MediaBase, endpoint: str, fields: dict[str, Any], images: dict[str, ImageFile],
) -> Flow[MediaResult]:
    model = str(fields["model"])
    form = {k: str(v) for k, v in fields.items() if v is not None}
    files = {name: _file_part(img) for name, img in images.items()}
    request = {**form, **{name: _described(img) for name, img in images.items()}}
    count = int(fields.get("n") or 1)
    sub = Submission(kind="image", model=model, endpoint=endpoint, request=request,
                     cost=media_cost(media.profile, model, images=count))
    call = Call("POST", media.client.url(endpoint), data=form, files=files, kind="submit")
    return (yield from _image_reply_flow(media, sub, call))


def edit_flow(
    media: MediaBase, image: Any, prompt: str, *, mask: Any, model: str | None, n: int,
    size: str | None, response_format: str | None,
) -> Flow[MediaResult]:
    """``POST images/edits`` (multipart: image, optional mask, prompt)."""
    media.require("image_edits", "image edits")
    hub = media.hub
    model = media.model_for("image_edit", model)
    strict = _strict(hub, model)
    check_prompt(prompt, hub=hub, limit=1000 if model.startswith("dall-e-2") else 32_000)
    check_n(n, hub=hub, model=model)
    check_size(size, hub=hub, allowed=sizes_for(hub, model, edit=True))
    check_choice(response_format, RESPONSE_FORMATS, field="response_format", hub=hub)
    picture = load_image(image, field="image", hub=hub)
    masked = load_image(mask, field="mask", hub=hub) if mask is not None else None
    check_edit(picture, masked, hub=hub, strict=strict)
    images = {"image": picture, **({"mask": masked} if masked is not None else {})}
    fields = {"model": model, "prompt": prompt, "n": n, "size": size,
              "response_format": response_format}
    return (yield from _multipart_flow(media, "image_edits", fields, images))


def variations_flow(
    media: MediaBase, image: Any, *, model: str | None, n: int, size: str | None,
    response_format: str | None,
) -> Flow[MediaResult]:
    """``POST images/variations`` (multipart; Electron Hub)."""
    media.require("image_variations", "image variations")
    hub = media.hub
    model = media.model_for("image_variation", model)
    check_n(n, hub=hub, model=model)
    check_size(size, hub=hub, allowed=sizes_for(hub, model, edit=True))
    check_choice(response_format, RESPONSE_FORMATS, field="response_format", hub=hub)
    picture = load_image(image, field="image", hub=hub)
    check_edit(picture, None, hub=hub, strict=_strict(hub, model))
    fields = {"model": model, "n": n, "size": size, "response_format": response_format}
    return (yield from _multipart_flow(media, "image_variations", fields, {"image": picture}))

