"""Image routes: ``images/generations`` (JSON), ``images/edits`` and ``images/variations``
(multipart). Inputs are checked the way the hubs document them; outputs are real PNGs."""

from __future__ import annotations

import base64
import time
from typing import Any

from . import media_encode as enc
from . import multipart_form
from .media_catalog import EDIT_SIZES, MediaModel, lookup
from .media_jobs import accept, bad_request, new_id, publish, unknown_model
from .multipart_form import Upload
from .routes import Ctx, Out, register

FREE_SIZE = (256, 4096)  # TokenHub Seedream takes any WxH in this range
MAX_EDIT_BYTES = 4 * 1024 * 1024  # Electron Hub / dall-e-2: "a square PNG under 4 MB"
MAX_GPT_IMAGE_BYTES = 50 * 1024 * 1024
GPT_IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")
QUALITIES = ("standard", "hd", "low", "medium", "high", "auto")
STYLES = ("vivid", "natural")
ENHANCE_HEADER = "x-chainhub-enhance-prompt"


def _int(value: Any, name: str, low: int, high: int, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise bad_request(f"'{name}' must be an integer from {low} to {high}, "
                          f"got {value!r}.") from None
    if (isinstance(value, float) and value != number) or not low <= number <= high:
        raise bad_request(f"'{name}' must be an integer from {low} to {high}, got {value!r}.")
    return number


def _dims(size: Any, allowed: tuple[str, ...], default: str) -> tuple[int, int]:
    """Width and height of ``size`` after checking it against the documented sizes."""
    size = default if size in (None, "") else size
    if allowed and size not in allowed:
        raise bad_request(f"'size' must be one of {', '.join(allowed)}; got {size!r}.")
    if size == "auto":
        return 1024, 1024
    try:
        width, height = (int(x) for x in str(size).lower().split("x"))
    except ValueError:
        raise bad_request(f"'size' must look like 1024x1024, got {size!r}.") from None
    low, high = FREE_SIZE
    if not (low <= width <= high and low <= height <= high):
        raise bad_request(f"'size' sides must be {low} to {high} pixels, got {size!r}.")
    return width, height


def _response_format(value: Any) -> str:
    fmt = value or "url"
    if fmt not in ("url", "b64_json"):
        raise bad_request(f"'response_format' must be 'url' or 'b64_json', got {fmt!r}.")
    return str(fmt)


def _prompt(value: Any, limit: int = 32_000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request("'prompt' is required and must be a non-empty string.")
    if len(value) > limit:
        raise bad_request(f"'prompt' must be at most {limit} characters, got {len(value)}.")
    return value


def _reply(ctx: Ctx, spec: MediaModel, job_id: str, pngs: list[bytes], fmt: str,
           revised: str | None) -> dict[str, Any]:
    """The OpenAI images response; gpt-image-* always answers ``b64_json`` (and ``usage``)."""
    job = ctx.require_account().jobs[job_id]
    gpt_image = spec.id.startswith("gpt-image")
    data: list[dict[str, Any]] = []
    for i, png in enumerate(pngs):
        item: dict[str, Any] = {"revised_prompt": revised}
        if fmt == "b64_json" or gpt_image:
            item["b64_json"] = base64.b64encode(png).decode()
        else:
            item["url"] = publish(ctx, job, png, f"{job_id}-{i}.png", "image/png")
        data.append(item)
    body: dict[str, Any] = {"created": int(time.time()), "data": data}
    if gpt_image:
        text = max(1, len(job.params.get("prompt", "")) // 4)
        body["usage"] = {"input_tokens": text, "output_tokens": 1056 * len(pngs),
                         "total_tokens": text + 1056 * len(pngs),
                         "input_tokens_details": {"text_tokens": text, "image_tokens": 0}}
    return body


async def generate(ctx: Ctx) -> Out:
    """``POST images/generations``."""
    body = ctx.json()
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    spec = lookup(ctx.hub, body.get("model"), "generate")
    if spec is None:
        raise unknown_model(ctx, body.get("model"), "generate")
    prompt = _prompt(body.get("prompt"))
    n = _int(body.get("n"), "n", 1, spec.max_n, 1)
    default = "2048x2048" if ctx.hub == "tokenhub" else (spec.sizes or ("1024x1024",))[0]
    width, height = _dims(body.get("size"), spec.sizes, default)
    fmt = _response_format(body.get("response_format"))
    for name, allowed in (("quality", QUALITIES), ("style", STYLES)):
        if body.get(name) is not None and body[name] not in allowed:
            raise bad_request(f"'{name}' must be one of {', '.join(allowed)}, got {body[name]!r}.")
    public = body.get("public")
    if public is not None and not isinstance(public, bool):
        raise bad_request(f"'public' must be a boolean, got {public!r}.")
    enhance = ctx.headers.get(ENHANCE_HEADER) if ctx.hub == "chainhub" else None
    job_id = new_id("img-")
    job = accept(ctx, spec, spec.cost(n=n), job_id=job_id, sync=True, params={
        "prompt": prompt, "n": n, "size": f"{width}x{height}", "response_format": fmt,
        "public": public, "enhance_prompt": enhance})
    revised = f"{prompt} (enhanced: vivid detail, balanced light)" \
        if enhance is not None and enhance.lower() == "true" else prompt
    pngs = [enc.png(width, height, enc.seed_of(spec.id, prompt, i), prompt) for i in range(n)]
    return Out.json(_reply(ctx, spec, job_id, pngs, fmt, revised), model=spec.id,
                    credits=job.credits)


def _check_upload(field: str, upload: Upload, strict: bool) -> tuple[int, int]:
    """Electron Hub / dall-e-2 rules when ``strict`` (PNG, square, < 4 MB), else gpt-image's."""
    info = enc.image_info(upload.data)
    limit = MAX_EDIT_BYTES if strict else MAX_GPT_IMAGE_BYTES
    if len(upload.data) >= limit:
        raise bad_request(f"'{field}' must be less than {limit // (1024 * 1024)} MB, got "
                          f"{len(upload.data) / (1024 * 1024):.1f} MB.")
    formats = ("PNG",) if strict else GPT_IMAGE_FORMATS
    if info is None or info[0] not in formats:
        got = info[0] if info else "unreadable data"
        raise bad_request(f"'{field}' must be a {' or '.join(formats)} image, got {got}.")
    _, width, height = info
    if strict and width != height:
        raise bad_request(f"'{field}' must be square, got {width}x{height}.")
    return width, height


async def _edit_or_variation(ctx: Ctx, op: str) -> Out:
    form = multipart_form.parse(ctx)
    spec = lookup(ctx.hub, form.get("model"), op)
    if spec is None:
        raise unknown_model(ctx, form.get("model"), op)
    images = form.uploads("image", "image[]")
    if not images:
        raise bad_request("'image' is required (a file part).")
    strict = ctx.hub == "electronhub" or spec.id == "dall-e-2"
    if strict and len(images) > 1:
        raise bad_request(f"'image' takes one file here, got {len(images)}.")
    sizes = [_check_upload("image", img, strict) for img in images]
    masks = form.uploads("mask")
    mask = masks[0].data if masks and op == "edit" else None
    if mask is not None:
        mask_info = enc.image_info(mask)
        if mask_info is None or mask_info[0] != "PNG":
            raise bad_request("'mask' must be a PNG image, got "
                              f"{mask_info[0] if mask_info else 'unreadable data'}.")
        if mask_info[1:] != sizes[0]:
            raise bad_request("'mask' must be the same size as 'image': image is "
                              f"{sizes[0][0]}x{sizes[0][1]}, mask is "
                              f"{mask_info[1]}x{mask_info[2]}.")
    prompt = _prompt(form.get("prompt"), 1000 if spec.id == "dall-e-2" else 32_000) \
        if op == "edit" else ""
    n = _int(form.get("n"), "n", 1, 10, 1)
    allowed = EDIT_SIZES if strict else spec.sizes
    width, height = _dims(form.get("size"), allowed, "1024x1024" if strict else "auto")
    fmt = _response_format(form.get("response_format"))
    job_id = new_id("img-")
    job = accept(ctx, spec, spec.cost(n=n), job_id=job_id, sync=True, params={
        "prompt": prompt, "n": n, "size": f"{width}x{height}", "op": op,
        "image_bytes": len(images[0].data), "mask": mask is not None})
    pngs = [enc.edited_png(images[0].data, mask, width, height,
                           enc.seed_of(spec.id, prompt, op, i)) for i in range(n)]
    return Out.json(_reply(ctx, spec, job_id, pngs, fmt, prompt or None), model=spec.id,
                    credits=job.credits)


async def edit(ctx: Ctx) -> Out:
    """``POST images/edits`` (multipart: image, mask?, prompt, model, n, size)."""
    return await _edit_or_variation(ctx, "edit")


async def variation(ctx: Ctx) -> Out:
    """``POST images/variations`` (multipart: image, model, n, size)."""
    return await _edit_or_variation(ctx, "variation")


register(("electronhub", "chainhub", "tokenhub"), "api", "POST", "images/generations", generate,
         paid=True)
register(("electronhub", "chainhub"), "api", "POST", "images/edits", edit, paid=True)
register("electronhub", "api", "POST", "images/variations", variation, paid=True)
