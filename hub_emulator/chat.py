"""Chat completions: the JSON reply and the SSE event list, in the hub's dialect."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from . import jsonutil
from .faults import Fault
from .scripted import Reply, ToolCall, pieces

ARG_FRAGMENT = 8
DONE = b"data: [DONE]\n\n"


@dataclass
class StreamParts:
    """A stream before faults: content chunks, finish chunks, the usage chunk."""

    body: list[bytes]
    finish: list[bytes]
    usage: bytes | None


def reasoning_mode(hub: str, variant: str, body: dict[str, Any], fault: Fault | None) -> str:
    """Where reasoning goes: a delta field name, ``think_tags`` or ``reasoning_details``."""
    if fault is not None and fault.reasoning:
        return fault.reasoning
    if hub != "electronhub":
        return "reasoning_content"
    opts = body.get("reasoning")
    field = body.get("reasoning_delta_field") or (
        opts.get("delta_field") if isinstance(opts, dict) else None)
    if field in ("reasoning", "reasoning_content"):
        return str(field)
    if body.get("reasoning_content_compat") is True:
        return "reasoning_content"
    return {"v1legacy": "reasoning_content", "v1thinking": "think_tags"}.get(variant, "reasoning")


def reasoning_excluded(body: dict[str, Any]) -> bool:
    """``reasoning: {exclude: true}`` asks for no reasoning in the output."""
    opts = body.get("reasoning")
    return isinstance(opts, dict) and opts.get("exclude") is True


def usage_obj(prompt: int, replies: list[Reply], cost: float | None) -> dict[str, Any]:
    """OpenAI usage with details (reasoning tokens), plus ``cost`` on credit-priced hubs."""
    completion = sum(r.completion_tokens for r in replies)
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": sum(r.reasoning_tokens for r in replies)},
    }
    if cost is not None:
        usage["cost"] = cost
    return usage


def _message(reply: Reply, mode: str, fault: Fault | None) -> dict[str, Any]:
    content = reply.content
    msg: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if reply.reasoning:
        if mode == "think_tags":
            msg["content"] = f"<think>{reply.reasoning}</think>\n\n{content or ''}"
        elif mode == "reasoning_details":
            msg["reasoning_details"] = [{"type": "reasoning.text", "text": reply.reasoning}]
        else:
            msg[mode] = reply.reasoning
    if reply.tool_calls:
        obj_args = fault is not None and fault.tool_delta == "object_arguments"
        msg["tool_calls"] = [
            {"id": c.id, "type": "function",
             "function": {"name": c.name, "arguments": c.args if obj_args else c.arguments}}
            for c in reply.tool_calls
        ]
    return msg


def completion(cid: str, model: str, replies: list[Reply], usage: dict[str, Any], mode: str,
               fault: Fault | None) -> dict[str, Any]:
    """The non-stream ``chat.completion`` object."""
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_hub_emulator",
        "choices": [
            {"index": i, "message": _message(r, mode, fault), "logprobs": None,
             "finish_reason": r.finish_reason}
            for i, r in enumerate(replies)
        ],
        "usage": usage,
    }


class _Encoder:
    """Prebuilt chunk prefix, so each event costs one small dumps of its choice."""

    def __init__(self, cid: str, model: str, include_usage: bool) -> None:
        head = jsonutil.dumps({"id": cid, "object": "chat.completion.chunk",
                               "created": int(time.time()), "model": model,
                               "system_fingerprint": "fp_hub_emulator"})
        self.head = b"data: " + head[:-1] + b',"choices":['
        self.tail = b'],"usage":null}\n\n' if include_usage else b"]}\n\n"

    def chunk(self, index: int, delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        return self.head + jsonutil.dumps(choice) + self.tail

    def raw(self, choices: list[dict[str, Any]], usage: dict[str, Any] | None) -> bytes:
        body = self.head + b",".join(jsonutil.dumps(c) for c in choices) + b"]"
        if usage is not None:
            return body + b',"usage":' + jsonutil.dumps(usage) + b"}\n\n"
        return body + b"}\n\n"


def _tool_deltas(calls: list[ToolCall], variant: str | None) -> list[list[dict[str, Any]]]:
    """Tool-call delta lists, one per chunk, shaped by the ``tool_delta`` fault if any."""
    chunks: list[list[dict[str, Any]]] = []
    starts: list[list[dict[str, Any]]] = []
    for i, call in enumerate(calls):
        index = 0 if variant == "repeated_index" else i
        head: dict[str, Any] = {"index": index, "id": call.id, "type": "function",
                                "function": {"name": call.name, "arguments": ""}}
        frags = [call.arguments[j:j + ARG_FRAGMENT]
                 for j in range(0, len(call.arguments), ARG_FRAGMENT)]
        if variant == "object_arguments":
            head["function"]["arguments"] = call.args
            frags = []
        elif variant == "name_with_args" and frags:
            head["function"]["arguments"] = frags.pop(0)
        rest: list[list[dict[str, Any]]] = []
        for frag in frags:
            cont: dict[str, Any] = {"index": index, "function": {"arguments": frag}}
            if variant == "empty_continuation_ids":
                cont = {"index": index, "id": "", "type": "function",
                        "function": {"name": "", "arguments": frag}}
            rest.append([cont])
        if variant == "two_calls_one_chunk":
            starts.append([head])
            chunks.extend(rest)
        else:
            chunks.append([head])
            chunks.extend(rest)
    if variant == "two_calls_one_chunk":
        # every call starts in the first chunk; the argument fragments follow in call order
        first = [d for group in starts for d in group]
        chunks = [first, *chunks]
    if variant == "no_index":
        for group in chunks:
            for delta in group:
                delta.pop("index", None)
    return chunks


def stream_parts(cid: str, model: str, replies: list[Reply], usage: dict[str, Any], mode: str,
                 include_usage: bool, fault: Fault | None) -> StreamParts:
    """Every SSE event of a chat stream, before stream faults are applied."""
    enc = _Encoder(cid, model, include_usage)
    body: list[bytes] = []
    finish: list[bytes] = []
    variant = fault.tool_delta if fault is not None else None
    for i, reply in enumerate(replies):
        body.append(enc.chunk(i, {"role": "assistant", "content": ""}))
        if reply.reasoning:
            parts = pieces(reply.reasoning, 2)
            if mode == "think_tags":
                parts = ["<think>", *parts, "</think>\n\n"]
                body.extend(enc.chunk(i, {"content": p}) for p in parts)
            elif mode == "reasoning_details":
                body.extend(enc.chunk(i, {"content": None, "reasoning_details": [
                    {"type": "reasoning.text", "text": p}]}) for p in parts)
            else:
                body.extend(enc.chunk(i, {"content": None, mode: p}) for p in parts)
        if reply.content:
            body.extend(enc.chunk(i, {"content": p}) for p in pieces(reply.content, 1))
        if reply.tool_calls:
            body.extend(enc.chunk(i, {"tool_calls": group})
                        for group in _tool_deltas(reply.tool_calls, variant))
        finish.append(enc.chunk(i, {}, reply.finish_reason))
    usage_event = enc.raw([], usage) if include_usage else None
    return StreamParts(body, finish, usage_event)


def error_event(obj: dict[str, Any]) -> bytes:
    """An SSE event carrying an error object (the way hubs report mid-stream failures)."""
    return b"data: " + jsonutil.dumps(obj) + b"\n\n"
