"""Credit checks and spends in each hub's unit (credits per request, credits per token, tokens)."""

from __future__ import annotations

import math

from .catalog import ModelSpec
from .routes import Ctx, HTTPError

DEFAULT_REQUESTED = 4096


def preflight(ctx: Ctx, spec: ModelSpec, prompt: int, max_tokens: int | None) -> None:
    """402 in the hub's dialect when the balance cannot pay for this request."""
    acct = ctx.require_account()
    billing = ctx.dialect.billing
    requested = max_tokens if max_tokens else (0 if spec.embedding else DEFAULT_REQUESTED)
    if billing == "per_request":
        needed: float = spec.credits
        affordable = 0
    elif billing == "per_token_count":
        needed = prompt + (max_tokens or 1)
        affordable = int(acct.balance - prompt)
    else:
        needed = prompt * spec.price_in + requested * spec.price_out
        left = acct.balance - prompt * spec.price_in
        affordable = math.floor(left / spec.price_out) if spec.price_out else 0
    if acct.balance >= needed and acct.balance > 0:
        return
    message = ctx.dialect.insufficient_message(
        balance=acct.balance, needed=needed, requested_tokens=requested,
        affordable_tokens=affordable)
    raise HTTPError(402, message, "insufficient_credits")


def cost(ctx: Ctx, spec: ModelSpec, prompt: int, completion: int) -> float:
    """What a finished request costs in the hub's unit."""
    billing = ctx.dialect.billing
    if billing == "per_request":
        return spec.credits
    if billing == "per_token_count":
        return prompt + completion
    return round(prompt * spec.price_in + completion * spec.price_out, 12)


def spend(ctx: Ctx, spec: ModelSpec, prompt: int, completion: int) -> float:
    """Charge the caller; returns the credits actually taken."""
    acct = ctx.require_account()
    acct.input_tokens += prompt
    acct.output_tokens += completion
    return acct.charge(cost(ctx, spec, prompt, completion))
