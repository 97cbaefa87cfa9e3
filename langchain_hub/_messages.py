"""LangChain messages <-> OpenAI-shaped wire dicts, for every hub.

Pure functions and small stream accumulators: no HTTP, no hub state. They exist because the hubs
send things ChatOpenAI's parser drops (``reasoning_content``, ``reasoning``, ``reasoning_details``,
``<think>`` tags, tool-call deltas without ``index``, ``arguments`` as an object).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    InvalidToolCall,
    SystemMessage,
    ToolCall,
    ToolCallChunk,
    ToolMessage,
)
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.block_translators.openai import convert_to_openai_data_block
from langchain_core.messages.content import is_data_content_block
from langchain_core.messages.tool import invalid_tool_call as make_invalid
from langchain_core.messages.tool import tool_call as make_tool_call
from langchain_core.messages.tool import tool_call_chunk as make_tool_call_chunk
from langchain_core.utils.json import parse_partial_json

from hub_core.chat import (
    ThinkSplitter,
    ToolCallMerger,
    choices_of,
    delta_of,
    extract_reasoning,
    new_call_id,
    parse_usage,
    split_think,
)

ReplayPolicy = Literal["require", "strip"]


# --------------------------------------------------------------------------------------------
# Outgoing: LangChain -> wire
# --------------------------------------------------------------------------------------------


def _format_part(part: Any) -> dict[str, Any] | None:
    """One content part in OpenAI chat form, or None for parts the wire has no place for."""
    if isinstance(part, str):
        return {"type": "text", "text": part}
    if not isinstance(part, Mapping):
        return None
    block = dict(part)
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block.get("text", "")}
    if kind == "image_url":
        url = block.get("image_url")
        return {"type": "image_url", "image_url": url if isinstance(url, Mapping) else {"url": url}}
    if kind == "image" and isinstance(block.get("source"), Mapping):
        # Anthropic-style image block.
        source = block["source"]
        if source.get("type") == "base64":
            url = f"data:{source.get('media_type', 'image/png')};base64,{source.get('data', '')}"
        else:
            url = str(source.get("url", ""))
        return {"type": "image_url", "image_url": {"url": url}}
    if kind in {"image", "file", "audio"} and is_data_content_block(block):
        formatted = convert_to_openai_data_block(block)
        if kind == "image" and block.get("detail"):
            formatted["image_url"]["detail"] = block["detail"]
        return formatted
    if kind in {"input_audio", "file"}:
        return block
    # tool_use, thinking, reasoning, tool_call blocks: carried elsewhere or not sent at all.
    return None


def _format_content(content: str | list[Any]) -> str | list[dict[str, Any]]:
    """User/system content: a string stays a string, a list becomes OpenAI parts."""
    if isinstance(content, str):
        return content
    parts = [p for p in (_format_part(c) for c in content) if p is not None]
    if parts and all(p.get("type") == "text" for p in parts):
        return "".join(str(p.get("text", "")) for p in parts) if len(parts) == 1 else parts
    return parts


def _text_of(content: str | list[Any]) -> str:
    """Only the text of assistant/tool content (drops tool_use, reasoning and media blocks)."""
    if isinstance(content, str):
        return content
    out: list[str] = []
    for part in content:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Mapping) and part.get("type") == "text":
            out.append(str(part.get("text", "")))
    return "".join(out)


def _wire_tool_call(call: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": call.get("id") or new_call_id(),
        "type": "function",
        "function": {
            "name": call.get("name") or "",
            "arguments": json.dumps(call.get("args") or {}, ensure_ascii=False),
        },
    }


def _reasoning_of(message: AIMessage) -> str | None:
    """Reasoning text carried by an assistant message (additional_kwargs or reasoning blocks)."""
    value = message.additional_kwargs.get("reasoning_content")
    if isinstance(value, str) and value:
        return value
    if isinstance(message.content, list):
        texts = [
            str(b.get("reasoning", ""))
            for b in message.content
            if isinstance(b, Mapping) and b.get("type") == "reasoning"
        ]
        joined = "".join(texts)
        if joined:
            return joined
    return None


def message_to_wire(message: BaseMessage, *, replay: ReplayPolicy = "strip") -> dict[str, Any]:
    """One LangChain message as an OpenAI chat message dict.

    ``replay="require"`` sends an assistant turn's reasoning back when that turn made tool calls
    (DeepSeek thinking-mode families reject the history otherwise); ``"strip"`` never sends it.
    """
    out: dict[str, Any]
    if isinstance(message, AIMessage):
        out = {"role": "assistant"}
        text = _text_of(message.content)
        calls = [_wire_tool_call(c) for c in message.tool_calls]
        calls += [
            {
                "id": c.get("id") or new_call_id(),
                "type": "function",
                "function": {"name": c.get("name") or "", "arguments": c.get("args") or ""},
            }
            for c in message.invalid_tool_calls
        ]
        if calls:
            out["tool_calls"] = calls
            out["content"] = text or None
            if replay == "require" and (reasoning := _reasoning_of(message)):
                out["reasoning_content"] = reasoning
        else:
            out["content"] = text
    elif isinstance(message, HumanMessage):
        out = {"role": "user", "content": _format_content(message.content)}
    elif isinstance(message, SystemMessage):
        out = {"role": "system", "content": _format_content(message.content)}
    elif isinstance(message, ToolMessage):
        content = _format_content(message.content)
        out = {"role": "tool", "tool_call_id": message.tool_call_id, "content": content}
    elif isinstance(message, FunctionMessage):
        out = {"role": "function", "name": message.name, "content": _text_of(message.content)}
    elif isinstance(message, ChatMessage):
        out = {"role": message.role, "content": _format_content(message.content)}
    else:
        msg = f"Got unknown message type {type(message).__name__}"
        raise TypeError(msg)
    if message.name and not isinstance(message, FunctionMessage):
        out["name"] = message.name
    return out


def messages_to_wire(
    messages: Sequence[BaseMessage], *, replay: ReplayPolicy = "strip"
) -> list[dict[str, Any]]:
    """Every message converted with :func:`message_to_wire`."""
    return [message_to_wire(m, replay=replay) for m in messages]


# --------------------------------------------------------------------------------------------
# Incoming: wire -> LangChain
# --------------------------------------------------------------------------------------------


def _args_text(arguments: Any) -> str:
    """Tool-call arguments as JSON text; some hubs send an object instead of a string."""
    if arguments is None:
        return ""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False)


def parse_tool_calls(
    raw_calls: Iterable[Mapping[str, Any]] | None,
) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Complete (non-streamed) tool calls, tolerant of object arguments and missing ids."""
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for raw in raw_calls if isinstance(raw_calls, list) else []:
        if not isinstance(raw, Mapping):
            continue
        fn = raw.get("function")
        if not isinstance(fn, Mapping):
            fn = {}
        name = str(fn.get("name") or "")
        call_id = raw["id"] if isinstance(raw.get("id"), str) and raw["id"] else new_call_id()
        arguments = fn.get("arguments")
        if isinstance(arguments, Mapping):
            calls.append(make_tool_call(name=name, args=dict(arguments), id=call_id))
            continue
        text = _args_text(arguments)
        try:
            args = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            invalid.append(make_invalid(name=name, args=text, id=call_id, error=str(exc)))
            continue
        if not isinstance(args, dict):
            invalid.append(
                make_invalid(name=name, args=text, id=call_id, error="arguments are not an object")
            )
            continue
        calls.append(make_tool_call(name=name, args=args, id=call_id))
    return calls, invalid


def usage_from_wire(usage: Mapping[str, Any] | None) -> UsageMetadata | None:
    """LangChain ``UsageMetadata`` from an OpenAI-style usage dict (DeepSeek cache fields too)."""
    parsed = parse_usage(usage) if isinstance(usage, Mapping) else None
    if parsed is None:
        return None
    result = UsageMetadata(
        input_tokens=parsed.input_tokens,
        output_tokens=parsed.output_tokens,
        total_tokens=parsed.total_tokens,
    )
    if parsed.cache_read_tokens is not None:
        result["input_token_details"] = InputTokenDetails(cache_read=parsed.cache_read_tokens)
    if parsed.reasoning_tokens is not None:
        result["output_token_details"] = OutputTokenDetails(reasoning=parsed.reasoning_tokens)
    return result


def response_metadata_from(
    body: Mapping[str, Any], *, hub: str, choice: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``response_metadata`` keys shared by invoke and stream."""
    meta: dict[str, Any] = {"model_provider": hub}
    if body.get("model"):
        meta["model_name"] = body["model"]
    for key in ("id", "system_fingerprint", "created", "service_tier"):
        if body.get(key) is not None:
            meta[key] = body[key]
    provider = body.get("provider") or body.get("upstream_provider")
    if provider:
        meta["upstream_provider"] = provider
    if choice is not None:
        if choice.get("finish_reason") is not None:
            meta["finish_reason"] = choice["finish_reason"]
        if choice.get("logprobs") is not None:
            meta["logprobs"] = choice["logprobs"]
    return meta


def ai_message_from_choice(
    choice: Mapping[str, Any], body: Mapping[str, Any], *, hub: str
) -> AIMessage:
    """One non-streamed choice as an ``AIMessage`` with reasoning and tool calls split out."""
    raw = choice.get("message")
    if not isinstance(raw, Mapping):
        raw = {}
    content = raw.get("content")
    text = _text_of(content) if isinstance(content, str | list) else ""
    reasoning = extract_reasoning(raw)
    think, rest = split_think(text)
    if think is not None:
        text = rest
        reasoning = (reasoning or "") + think
    additional: dict[str, Any] = {}
    if reasoning:
        additional["reasoning_content"] = reasoning
    if raw.get("reasoning_details"):
        additional["reasoning_details"] = raw["reasoning_details"]
    if raw.get("refusal"):
        additional["refusal"] = raw["refusal"]
    calls, invalid = parse_tool_calls(raw.get("tool_calls"))
    if isinstance(raw.get("function_call"), Mapping) and raw["function_call"]:
        additional["function_call"] = dict(raw["function_call"])
    return AIMessage(
        content=text,
        additional_kwargs=additional,
        tool_calls=calls,
        invalid_tool_calls=invalid,
        response_metadata=response_metadata_from(body, hub=hub, choice=choice),
        usage_metadata=usage_from_wire(body.get("usage")),
        id=body["id"] if isinstance(body.get("id"), str) else None,
    )


# --------------------------------------------------------------------------------------------
# Streaming
# --------------------------------------------------------------------------------------------


def fragment_tool_calls(
    chunks: Sequence[ToolCallChunk],
) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """What ``AIMessageChunk``'s validator derives from ``tool_call_chunks``, computed cheaply.

    The validator runs ``parse_partial_json`` on every fragment (about 28 µs for a fragment that
    is not JSON, i.e. nearly every one in a streamed call). Only text starting with ``{`` can
    parse to an object, so only that is parsed; everything else is invalid, as the validator
    would decide. The result is identical (tests compare both on random fragments).
    """
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for chunk in chunks:
        args = chunk["args"]
        if not args:
            calls.append(make_tool_call(name=chunk["name"] or "", args={}, id=chunk["id"]))
            continue
        if args.lstrip()[:1] == "{":
            try:
                parsed = parse_partial_json(args)
            except Exception:  # the validator treats any failure as "invalid"
                parsed = None
            if isinstance(parsed, dict):
                calls.append(make_tool_call(name=chunk["name"] or "", args=parsed, id=chunk["id"]))
                continue
        invalid.append(make_invalid(name=chunk["name"], args=args, id=chunk["id"], error=None))
    return calls, invalid


@dataclass
class StreamState:
    """Turns wire stream chunks into ``AIMessageChunk`` pieces for one choice.

    Reasoning, text and each tool call get their own block index (in first-seen order) so v1
    content blocks never merge across kinds.
    """

    hub: str
    v1: bool = False
    think: ThinkSplitter = field(default_factory=ThinkSplitter)
    tools: ToolCallMerger = field(default_factory=ToolCallMerger)
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    usage: UsageMetadata | None = None
    raw_usage: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    _next_index: int = 0
    _last_kind: str = ""
    _kind_index: int = -1

    @property
    def partial_text(self) -> str:
        """The text received so far (for ``StreamError.partial_text``)."""
        return "".join(self.text)

    def _index_for(self, kind: str) -> int:
        if kind != self._last_kind:
            self._last_kind = kind
            self._kind_index = self._next_index
            self._next_index += 1
        return self._kind_index

    def _chunk(
        self,
        reasoning: str,
        content: str,
        tool_chunks: list[ToolCallChunk],
    ) -> AIMessageChunk | None:
        if not (reasoning or content or tool_chunks):
            return None
        blocks: list[dict[str, Any]] = []
        additional: dict[str, Any] = {}
        if reasoning:
            self.reasoning.append(reasoning)
            additional["reasoning_content"] = reasoning
            idx = self._index_for("reasoning")
            blocks.append({"type": "reasoning", "reasoning": reasoning, "index": idx})
        if content:
            self.text.append(content)
            idx = self._index_for("text")
            blocks.append({"type": "text", "text": content, "index": idx})
        if tool_chunks:
            self._last_kind = "tool_call"
            for tc in tool_chunks:
                blocks.append({"type": "tool_call_chunk", **tc})
        body: str | list[Any]
        if self.v1:
            body = cast(list[Any], blocks)
            meta: dict[str, Any] = {"model_provider": self.hub, "output_version": "v1"}
        else:
            body = content
            meta = {"model_provider": self.hub}
        if not tool_chunks:
            return AIMessageChunk(
                content=body, additional_kwargs=additional, response_metadata=meta
            )
        calls, invalid = fragment_tool_calls(tool_chunks)
        return AIMessageChunk.model_construct(
            content=body,
            additional_kwargs=additional,
            tool_call_chunks=tool_chunks,
            tool_calls=calls,
            invalid_tool_calls=invalid,
            response_metadata=meta,
        )

    def feed(self, event: Mapping[str, Any]) -> list[AIMessageChunk]:
        """Chunks for one wire event (reasoning, text, tool calls); usage and metadata are kept."""
        for key in ("id", "model", "system_fingerprint", "created", "provider", "service_tier"):
            if event.get(key) and key not in self.meta:
                self.meta[key] = event[key]
        if event.get("usage") and isinstance(event["usage"], Mapping):
            self.usage = usage_from_wire(event["usage"]) or self.usage
            self.raw_usage = dict(event["usage"])
        out: list[AIMessageChunk] = []
        for choice in choices_of(event):
            if choice.get("index", 0) not in (0, None):
                continue
            delta = delta_of(choice)
            reasoning = extract_reasoning(delta) or ""
            content = delta.get("content")
            text = _text_of(content) if isinstance(content, str | list) else ""
            think, text = self.think.feed(text) if text else ("", "")
            reasoning += think
            raw_calls = delta.get("tool_calls") or []
            tool_index = self._next_index
            tool_chunks = (
                [
                    make_tool_call_chunk(name=c.name, args=c.args, id=c.id, index=c.index)
                    for c in self.tools.feed(raw_calls, tool_index)
                ]
                if raw_calls
                else []
            )
            ends = [tc["index"] + 1 for tc in tool_chunks if tc["index"] is not None]
            self._next_index = max([self._next_index, *ends])
            if (chunk := self._chunk(reasoning, text, tool_chunks)) is not None:
                out.append(chunk)
            if choice.get("finish_reason") is not None:
                self.meta["finish_reason"] = choice["finish_reason"]
            logprobs = choice.get("logprobs")
            if isinstance(logprobs, Mapping) and isinstance(logprobs.get("content"), list):
                self.meta.setdefault("logprobs_content", []).extend(logprobs["content"])
        return out

    def finish(self) -> list[AIMessageChunk]:
        """Held-back text, then the one final chunk carrying usage and response metadata."""
        out: list[AIMessageChunk] = []
        reasoning, text = self.think.flush()
        if (chunk := self._chunk(reasoning, text, [])) is not None:
            out.append(chunk)
        meta: dict[str, Any] = {"model_provider": self.hub}
        if self.meta.get("model"):
            meta["model_name"] = self.meta["model"]
        for key in ("id", "system_fingerprint", "created", "service_tier", "finish_reason"):
            if self.meta.get(key) is not None:
                meta[key] = self.meta[key]
        if self.meta.get("provider"):
            meta["upstream_provider"] = self.meta["provider"]
        if self.meta.get("logprobs_content"):
            meta["logprobs"] = {"content": self.meta["logprobs_content"]}
        if self.v1:
            meta["output_version"] = "v1"
        out.append(
            AIMessageChunk(
                content=[] if self.v1 else "",
                usage_metadata=self.usage,
                response_metadata=meta,
                chunk_position="last",
            )
        )
        return out
