"""Turning hub replies into LangChain results: whole replies, a stream's closing chunks, cost.

Functions of the reply and the model's settings, kept apart from ``ChatHub`` so the model class
holds configuration and the call paths only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatResult

from hub_core import errors as core_errors
from hub_core.chat import choices_of
from hub_core.credits import reply_cost
from hub_core.hubs import HubProfile
from hub_core.tokens import count_message_tokens, count_tokens
from langchain_hub._errors import to_langchain_error
from langchain_hub._messages import StreamState, ai_message_from_choice

__all__ = ["chat_result", "cost_metadata", "final_chunks"]


def cost_metadata(profile: HubProfile, model: str, usage: Any) -> dict[str, Any]:
    """``cost`` / ``cost_unit``: the hub's ``usage.cost``, else the price table; {} unknown."""
    cost = reply_cost(profile, model, usage if isinstance(usage, Mapping) else None)
    if cost is None:
        return {}
    return {"cost": cost.amount, "cost_unit": cost.unit}


def chat_result(
    body: Any,
    headers: Mapping[str, str] | None,
    model: str,
    *,
    profile: HubProfile,
    include_headers: bool,
) -> ChatResult:
    """A ``ChatResult`` from a completion body (one generation per choice)."""
    hub = profile.name
    if not isinstance(body, Mapping):
        raise to_langchain_error(
            core_errors.HubAPIError(
                f"unexpected response body of type {type(body).__name__}",
                hub=hub,
                status_code=200,
            )
        )
    # A 200 whose body is an error never gets here: the transport raises it.
    choices = choices_of(body)
    if not choices:
        raise to_langchain_error(
            core_errors.HubAPIError(
                "the hub answered without choices", hub=hub, status_code=200, body=body
            )
        )
    usage = body.get("usage")
    extra_meta: dict[str, Any] = {}
    if usage:
        extra_meta["token_usage"] = usage
    extra_meta.update(cost_metadata(profile, model, usage))
    if include_headers and headers is not None:
        extra_meta["headers"] = dict(headers)
    generations = []
    for i, choice in enumerate(choices):
        message = ai_message_from_choice(choice, body, hub=hub)
        message.response_metadata.update(extra_meta)
        if i > 0:
            message.usage_metadata = None
        info: dict[str, Any] = {"finish_reason": choice.get("finish_reason")}
        if choice.get("logprobs") is not None:
            info["logprobs"] = choice["logprobs"]
        generations.append(ChatGeneration(message=message, generation_info=info))
    llm_output = {
        "token_usage": usage,
        "model_name": body.get("model", model),
        "model_provider": hub,
        "system_fingerprint": body.get("system_fingerprint"),
    }
    return ChatResult(generations=generations, llm_output=llm_output)


def final_chunks(
    state: StreamState,
    payload: Mapping[str, Any],
    stream_usage: bool,
    reply_headers: dict[str, str] | None,
    *,
    profile: HubProfile,
) -> list[AIMessageChunk]:
    """The closing chunks; usage is estimated offline when the hub sent none but was asked."""
    model = str(payload["model"])
    if state.usage is None and stream_usage:
        prompt = count_message_tokens(payload.get("messages") or [], model)
        completion = count_tokens("".join(state.reasoning) + state.partial_text, model)
        state.usage = UsageMetadata(
            input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion
        )
        state.meta["usage_estimated"] = True
    chunks = state.finish()
    last = chunks[-1]
    if reply_headers:
        last.response_metadata["headers"] = dict(reply_headers)
    if state.meta.get("usage_estimated"):
        last.response_metadata["usage_estimated"] = True
    wire_usage = state.raw_usage
    if not wire_usage and state.usage is not None:
        wire_usage = {
            "prompt_tokens": state.usage["input_tokens"],
            "completion_tokens": state.usage["output_tokens"],
            "total_tokens": state.usage["total_tokens"],
        }
    last.response_metadata.update(cost_metadata(profile, model, wire_usage))
    return chunks
