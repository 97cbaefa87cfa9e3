"""OpenAI-surface routes every hub shares: chat completions, embeddings, models."""

from __future__ import annotations

from . import billing, catalog, embeddings, media_catalog, tokens
from .chat import completion, reasoning_excluded, reasoning_mode, stream_parts, usage_obj
from .dialects import HUBS
from .routes import Ctx, HTTPError, Out, register
from .scripted import BadRequest, max_tokens_of, plan_reply, prompt_tokens, validate
from .sse import assemble


def _model_not_found(ctx: Ctx, model: str) -> HTTPError:
    return HTTPError(404, f"The model `{model}` does not exist or you do not have access to it.",
                     "model_not_found")


async def chat_completions(ctx: Ctx) -> Out:
    """``POST chat/completions``: scripted reply, billed, JSON or SSE."""
    try:
        body = validate(ctx.json())
    except BadRequest as exc:
        raise HTTPError(400, str(exc), "invalid_request_error") from None
    model = body["model"]
    spec, exclude = catalog.resolve(ctx.hub, model)
    if spec is None or spec.embedding:
        raise _model_not_found(ctx, model)
    try:
        prompt = prompt_tokens(body)
        wants_reasoning = (catalog.is_reasoning(spec, model) and not exclude
                           and not reasoning_excluded(body))
        reply = plan_reply(body, model, reasoning=wants_reasoning)
    except BadRequest as exc:
        raise HTTPError(400, str(exc), "invalid_request_error") from None
    if prompt > spec.context:
        raise HTTPError(400, f"This model's maximum context length is {spec.context} tokens. "
                        f"However, your messages resulted in {prompt} tokens.",
                        "context_length_exceeded")
    limit = max_tokens_of(body)
    billing.preflight(ctx, spec, prompt, limit)
    replies = [reply] * int(body.get("n", 1))
    completion_tokens = sum(r.completion_tokens for r in replies)
    credits = billing.spend(ctx, spec, prompt, completion_tokens)
    priced = ctx.dialect.billing == "per_token_price"
    usage = usage_obj(prompt, replies, credits if priced else None)
    mode = reasoning_mode(ctx.hub, ctx.variant, body, ctx.fault)
    cid = f"chatcmpl-{ctx.request_id}"
    if body.get("stream"):
        opts = body.get("stream_options")
        include_usage = isinstance(opts, dict) and opts.get("include_usage") is True
        parts = stream_parts(cid, model, replies, usage, mode, include_usage, ctx.fault)
        fault = ctx.fault
        err = ctx.dialect.error_obj(
            fault.status if fault is not None and fault.status else 500,
            str(fault.body) if fault is not None and isinstance(fault.body, str)
            else "Upstream provider error mid-stream", "upstream_error")
        return Out(events=assemble(parts, fault, err), content_type="text/event-stream",
                   model=model, credits=credits)
    return Out.json(completion(cid, model, replies, usage, mode, ctx.fault), model=model,
                    credits=credits)


async def create_embeddings(ctx: Ctx) -> Out:
    """``POST embeddings``: hashed lexical vectors, billed per token."""
    body = ctx.json()
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        raise HTTPError(400, "'model' is required", "invalid_request_error")
    model = body["model"]
    spec, _ = catalog.resolve(ctx.hub, model)
    if spec is None or not spec.embedding:
        raise _model_not_found(ctx, model)
    try:
        texts = embeddings.parse_inputs(body.get("input"))
        used = sum(tokens.count(t) for t in texts)
        billing.preflight(ctx, spec, used, None)
        reply, used = embeddings.response(body, model)
    except BadRequest as exc:
        raise HTTPError(400, str(exc), "invalid_request_error") from None
    credits = billing.spend(ctx, spec, used, 0)
    if ctx.dialect.billing == "per_token_price":  # like chat: the charge rides in usage.cost
        reply["usage"]["cost"] = credits
    return Out.json(reply, model=model, credits=credits)


async def list_models(ctx: Ctx) -> Out:
    """``GET models`` in the hub's fields."""
    return Out.json(catalog.models_list(ctx.hub))


async def get_model(ctx: Ctx) -> Out:
    """``GET models/{id}`` (TokenHub ids contain a slash)."""
    model = ctx.params["model"]
    spec, _ = catalog.resolve(ctx.hub, model)
    if spec is not None:
        return Out.json(catalog.model_entry(ctx.hub, spec))
    media = media_catalog.lookup(ctx.hub, model)
    if media is None:
        raise _model_not_found(ctx, model)
    return Out.json(media_catalog.model_entry(ctx.hub, media))


for _hub in HUBS:
    register(_hub, "api", "POST", "chat/completions", chat_completions, paid=True)
    register(_hub, "api", "POST", "embeddings", create_embeddings, paid=True)
    register(_hub, "api", "GET", "models", list_models, auth="none" if _hub == "apihub" else "key")
    register(_hub, "api", "GET", "models/{model:path}", get_model,
             auth="none" if _hub == "apihub" else "key")
