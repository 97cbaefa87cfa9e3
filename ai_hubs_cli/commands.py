"""The commands behind ``ai-hubs``: each returns ``(text for people, data for --json)``.

They raise hub_core errors; :mod:`ai_hubs_cli.app` turns those into one line and an exit code.
``estimate`` never builds a client, so it cannot send a request.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_hubs_cli import render
from hub_core.account import balance_request, usage_request
from hub_core.catalog import model_info
from hub_core.client import HubClient
from hub_core.credits import estimate_call_cost
from hub_core.hubs import HubProfile, get_hub
from hub_core.tokens import count_message_tokens, encoding_for

Output = tuple[str, Any]


class UsageError(Exception):
    """The command line itself is wrong (exit code 2)."""


@dataclass(frozen=True)
class Target:
    """Which hub to talk to and where (``--hub``, ``--base-url``; the key comes from the env)."""

    hub: str
    base_url: str | None = None


def profile_of(target: Target) -> HubProfile:
    """The hub's profile; an unknown name is a usage error listing the valid ones."""
    try:
        return get_hub(target.hub)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def client_for(target: Target, *, need_key: bool) -> HubClient:
    """A client with the key from ``<HUB>_API_KEY``; a missing needed key is a usage error."""
    profile = profile_of(target)
    if need_key and not os.environ.get(profile.api_key_env):
        raise UsageError(f"this command needs an API key: set {profile.api_key_env}")
    return HubClient(profile, base_url=target.base_url, max_retries=1)


def models(target: Target, *, refresh: bool = True) -> Output:
    """``ai-hubs models``: the hub's list merged with the static tables."""
    with client_for(target, need_key=False) as client:
        infos = client.models(refresh=refresh)
        unit = client.profile.price_unit
    rows = [
        (
            info.id,
            info.context_window,
            info.max_output_tokens,
            render.price_text(info.price),
            " ".join(info.capabilities),
        )
        for info in sorted(infos, key=lambda i: i.id)
    ]
    text = render.table(
        ("MODEL", "CONTEXT", "MAX OUTPUT", f"PRICE ({unit})", "CAPABILITIES"),
        rows,
        numeric=frozenset({1, 2}),
    )
    data = [{**info.as_dict(), "price_unit": unit} for info in infos]
    return text, data


def balance(target: Target) -> Output:
    """``ai-hubs balance``: what is left, in the hub's unit."""
    balance_request(profile_of(target), "")  # an unsupported hub fails before the key check
    with client_for(target, need_key=True) as client:
        left = client.balance()
    data = {"hub": client.hub, "amount": left.amount, "unit": left.unit}
    return render.pairs({"hub": client.hub, "balance": left.amount, "unit": left.unit}), data


def usage(target: Target, *, limit: int) -> Output:
    """``ai-hubs usage``: recent requests, newest first."""
    usage_request(profile_of(target), "", limit)  # unsupported hub / bad limit: before the key
    with client_for(target, need_key=True) as client:
        records = client.usage_history(limit=limit)
    rows = [
        (
            r.time.strftime("%Y-%m-%d %H:%M:%S") if r.time else None,
            r.model,
            r.input_tokens,
            r.output_tokens,
            r.total_tokens,
            r.cost,
            r.unit,
            r.status,
        )
        for r in records
    ]
    text = render.table(
        ("TIME (UTC)", "MODEL", "IN", "OUT", "TOTAL", "COST", "UNIT", "STATUS"),
        rows,
        numeric=frozenset({2, 3, 4, 5}),
    )
    if not records:
        text = f"{client.hub}: no usage records"
    return text, [r.as_dict() for r in records]


def read_prompt(path: str) -> list[dict[str, Any]]:
    """Messages from FILE (``-`` = stdin): a JSON message list or ``{"messages": [...]}``,
    anything else is one user message."""
    try:
        raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read {path}: it is not UTF-8 text") from None
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("messages"), list):
        parsed = parsed["messages"]
    if isinstance(parsed, list) and parsed and all(isinstance(m, dict) for m in parsed):
        return parsed
    return [{"role": "user", "content": raw}]


def estimate(target: Target, *, model: str, path: str, max_tokens: int | None) -> Output:
    """``ai-hubs estimate``: worst-case cost of sending FILE to ``model``; no request is sent."""
    profile = profile_of(target)
    messages = read_prompt(path)
    prompt_tokens = count_message_tokens(messages, model)
    exact = encoding_for(model)[2]
    if max_tokens is None:
        max_output, source = model_info(profile, model).max_output_tokens, "catalog"
    else:
        max_output, source = max_tokens, "--max-tokens"
    cost = estimate_call_cost(profile, model, prompt_tokens, max_output)
    data = {
        "hub": profile.name,
        "model": model,
        "prompt_tokens": prompt_tokens,
        "prompt_tokens_exact": exact,
        "max_output_tokens": max_output,
        "max_output_source": source,
        "cost": None if cost is None else cost.amount,
        "unit": profile.price_unit,
    }
    shown_cost = (
        f"unknown: {profile.display_name} states no price for {model}"
        if cost is None
        else f"{render.cell(cost.amount)} {cost.unit}"
    )
    text = render.pairs(
        {
            "hub": profile.name,
            "model": model,
            "prompt tokens": f"{prompt_tokens:,}" + ("" if exact else " (estimated)"),
            "max output tokens": f"{max_output:,} (from {source})",
            "worst-case cost": shown_cost,
        }
    )
    return text, data
