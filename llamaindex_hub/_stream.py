"""Turn streamed chat-completion chunks into cumulative LlamaIndex ``ChatResponse``s.

LlamaIndex agents put the *last* streamed message into memory and parse tool calls from every
chunk, so each response here carries the whole message so far (thinking, text, every tool call)
plus this chunk's ``delta``. The trailing usage-only chunk repeats the full message.

Tool-call deltas are merged by ``hub_core.chat.ToolCallMerger`` (tolerant of a missing ``index``,
a repeated index with a new id, empty ids on continuations, dict arguments, two calls in one
chunk) and ``<think>`` tags are split by ``hub_core.chat.ThinkSplitter``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llama_index.core.base.llms.types import ChatResponse

from hub_core.chat import ThinkSplitter, ToolCallMerger, choices_of, delta_of, extract_reasoning
from llamaindex_hub._messages import build_message


def close_quietly(stream: Any) -> None:
    """Close a sync stream if it can be closed (releases its connection early)."""
    close = getattr(stream, "close", None)
    if callable(close):
        close()


async def aclose_quietly(stream: Any) -> None:
    """Async twin of :func:`close_quietly`."""
    aclose = getattr(stream, "aclose", None)
    if callable(aclose):
        await aclose()


def usage_kwargs(usage: Mapping[str, Any] | None) -> dict[str, Any]:
    """Usage as flat ``additional_kwargs`` keys (what ``TokenCountingHandler`` understands)."""
    if not isinstance(usage, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        value = usage.get(key)
        if isinstance(value, int):
            out[key] = value
    if "prompt_tokens" not in out and isinstance(usage.get("input_tokens"), int):
        out["prompt_tokens"] = usage["input_tokens"]
    if "completion_tokens" not in out and isinstance(usage.get("output_tokens"), int):
        out["completion_tokens"] = usage["output_tokens"]
    if (
        "total_tokens" not in out
        and "prompt_tokens" in out
        and "completion_tokens" in out
    ):
        out["total_tokens"] = out["prompt_tokens"] + out["completion_tokens"]
    details = usage.get("completion_tokens_details")
    if isinstance(details, Mapping) and isinstance(details.get("reasoning_tokens"), int):
        out["reasoning_tokens"] = details["reasoning_tokens"]
    pdetails = usage.get("prompt_tokens_details")
    if isinstance(pdetails, Mapping) and isinstance(pdetails.get("cached_tokens"), int):
        out["cached_tokens"] = pdetails["cached_tokens"]
    for key in ("cost", "credits"):
        if key in usage:
            out[key] = usage[key]
    return out


class StreamState:
    """Accumulates one streamed completion; ``feed`` a chunk dict, get a cumulative response."""

    def __init__(self, *, split_think_tags: bool = True) -> None:
        self.text = ""
        self.reasoning = ""
        self.tools = ToolCallMerger()
        self.usage: dict[str, Any] = {}
        self.finish_reason: str | None = None
        self.chunks = 0
        self._splitter = ThinkSplitter() if split_think_tags else None
        self._last_raw: Any = None

    def _response(self, raw: Any, delta: str, thinking_delta: str) -> ChatResponse:
        extra: dict[str, Any] = dict(self.usage)
        if thinking_delta:
            extra["thinking_delta"] = thinking_delta
        if self.finish_reason:
            extra["finish_reason"] = self.finish_reason
        calls = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in self.tools.calls()
        ]
        message = build_message(
            text=self.text,
            reasoning=self.reasoning or None,
            tool_calls=calls,
            parse_tool_arguments=self.finish_reason is not None,
        )
        return ChatResponse(message=message, delta=delta, raw=raw, additional_kwargs=extra)

    def feed(self, chunk: Mapping[str, Any]) -> ChatResponse | None:
        """Fold one chunk in; None when it carried nothing (no choices, no usage)."""
        self.chunks += 1
        self._last_raw = chunk
        usage = chunk.get("usage")
        if isinstance(usage, Mapping):
            self.usage = usage_kwargs(usage)
        choices = choices_of(chunk)
        if not choices and not isinstance(usage, Mapping):
            return None
        text_delta = ""
        thinking_delta = ""
        for choice in choices:
            if choice.get("index", 0) != 0:
                continue
            delta = delta_of(choice)
            reasoning = extract_reasoning(delta)
            if reasoning:
                thinking_delta += reasoning
            content = delta.get("content")
            if isinstance(content, str) and content:
                if self._splitter is not None:
                    think, content = self._splitter.feed(content)
                    thinking_delta += think
                text_delta += content
            self.tools.feed(delta.get("tool_calls"))
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])
        self.text += text_delta
        self.reasoning += thinking_delta
        return self._response(chunk, text_delta, thinking_delta)

    def finish(self) -> ChatResponse | None:
        """A last response if the ``<think>`` splitter still held text back, else None."""
        if self._splitter is None:
            return None
        think, content = self._splitter.flush()
        if not think and not content:
            return None
        self.text += content
        self.reasoning += think
        return self._response(self._last_raw, content, think)
