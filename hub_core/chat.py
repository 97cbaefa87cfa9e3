"""Wire-level chat helpers both adapters need: payloads, reasoning, tool-call deltas, usage.

Everything here works on plain OpenAI-shaped dicts, so LangChain and LlamaIndex share one
implementation of the parts hubs get wrong: reasoning in three dialects, ``<think>`` tags split
across chunks, and streamed tool calls with missing or repeated indices, empty continuation ids,
or object arguments.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hub_core.hubs import HubProfile

_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"


def build_chat_payload(
    profile: HubProfile,
    model: str,
    messages: list[dict[str, Any]],
    *,
    stream: bool = False,
    stream_usage: bool = True,
    extra_body: Mapping[str, Any] | None = None,
    **params: Any,
) -> dict[str, Any]:
    """The JSON body of ``POST /chat/completions``.

    ``None`` parameters are left out (hubs reject explicit nulls for some fields); ``stop=[]`` too.
    Streaming asks for usage in the final chunk unless ``stream_usage`` is False. ``extra_body``
    is merged last, so it can override anything.

    Example:
        >>> from hub_core.hubs import get_hub
        >>> p = build_chat_payload(get_hub("apihub"), "qwen-max", [], stream=True, top_p=None)
        >>> p["stream_options"], "top_p" in p
        ({'include_usage': True}, False)
    """
    payload: dict[str, Any] = {"model": profile.normalize_model(model), "messages": messages}
    for key, value in params.items():
        if value is None or (key == "stop" and not value):
            continue
        payload[key] = value
    if stream:
        payload["stream"] = True
        if stream_usage:
            options = dict(payload.get("stream_options") or {})
            options.setdefault("include_usage", True)
            payload["stream_options"] = options
    else:
        payload.pop("stream_options", None)
    if extra_body:
        payload.update(extra_body)
    return payload


def extract_reasoning(obj: Mapping[str, Any]) -> str | None:
    """Reasoning text of a message or delta, in whichever field the hub used.

    Reads ``reasoning_content`` (DeepSeek, Electron Hub ``/v1legacy``), ``reasoning`` (Electron Hub
    ``/v1``) and ``reasoning_details`` (OpenRouter-style list of ``{"text"|"summary": ...}``).
    """
    text = obj.get("reasoning_content")
    if isinstance(text, str) and text:
        return text
    text = obj.get("reasoning")
    if isinstance(text, str) and text:
        return text
    details = obj.get("reasoning_details")
    if isinstance(details, list) and details:
        parts = [
            d.get("text") or d.get("summary") or ""
            for d in details
            if isinstance(d, Mapping) and isinstance(d.get("text") or d.get("summary"), str)
        ]
        joined = "".join(parts)
        return joined or None
    return None


def _partial_tag_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0


class ThinkSplitter:
    """Splits ``<think>...</think>`` out of content that arrives in arbitrary pieces.

    Example:
        >>> s = ThinkSplitter()
        >>> s.feed("<thi"), s.feed("nk>plan</th"), s.feed("ink>Answer")
        (('', ''), ('plan', ''), ('', 'Answer'))
    """

    __slots__ = ("_buffer", "_inside", "seen_tag")

    def __init__(self) -> None:
        self._buffer = ""
        self._inside = False
        self.seen_tag = False

    def feed(self, text: str) -> tuple[str, str]:
        """Returns ``(reasoning, content)`` that is certain so far."""
        if not self._buffer and not self._inside and "<" not in text:
            return "", text
        text = self._buffer + text
        self._buffer = ""
        reasoning: list[str] = []
        content: list[str] = []
        while text:
            tag = _THINK_CLOSE if self._inside else _THINK_OPEN
            at = text.find(tag)
            sink = reasoning if self._inside else content
            if at >= 0:
                sink.append(text[:at])
                text = text[at + len(tag) :]
                self._inside = not self._inside
                self.seen_tag = True
                continue
            keep = _partial_tag_suffix(text, tag)
            if keep:
                sink.append(text[:-keep])
                self._buffer = text[-keep:]
            else:
                sink.append(text)
            break
        return "".join(reasoning), "".join(content)

    def flush(self) -> tuple[str, str]:
        """Whatever is held back at the end of the stream."""
        held, self._buffer = self._buffer, ""
        return (held, "") if self._inside else ("", held)


def split_think(text: str) -> tuple[str, str]:
    """``(reasoning, content)`` of a complete message whose content may hold ``<think>`` tags."""
    if _THINK_OPEN not in text:
        return "", text
    splitter = ThinkSplitter()
    reasoning, content = splitter.feed(text)
    tail_reasoning, tail_content = splitter.flush()
    return reasoning + tail_reasoning, (content + tail_content).lstrip("\n")


@dataclass(slots=True)
class ToolCallChunk:
    """One fragment of a streamed tool call, with a stable position ``index``."""

    index: int
    id: str | None
    name: str | None
    args: str


@dataclass(slots=True)
class ToolCall:
    """A complete tool call: ``arguments`` is the JSON text the model produced."""

    id: str
    name: str
    arguments: str
    index: int = 0

    def parsed_arguments(self) -> dict[str, Any]:
        """Arguments as a dict; ``{}`` for empty text. Raises ValueError on invalid JSON."""
        if not self.arguments.strip():
            return {}
        value = json.loads(self.arguments)
        if not isinstance(value, dict):
            raise ValueError(f"tool call {self.name!r} arguments are not a JSON object")
        return value


@dataclass
class _Slot:
    id: str | None
    name: str | None
    raw_index: int | None
    args: list[str] = field(default_factory=list)


class ToolCallMerger:
    """Merges streamed ``delta.tool_calls`` into calls, tolerating what real hubs send.

    Handles: a missing ``index`` (continuations go to the latest call), the same ``index`` reused
    by a new call (a new non-empty ``id`` starts a new call), empty ids on continuations,
    ``arguments`` as a JSON object instead of a string, name and first argument bytes in one
    delta, and two calls starting in one chunk. Positions in emitted chunks are our own, stable
    and dense (0, 1, 2, ...), so frameworks that merge chunks by index merge them correctly.
    """

    __slots__ = ("_by_raw_index", "_slots")

    def __init__(self) -> None:
        self._slots: list[_Slot] = []
        self._by_raw_index: dict[int, int] = {}

    def _position(self, raw_index: Any, call_id: str | None, name: str | None) -> int:
        index = raw_index if isinstance(raw_index, int) else None
        if call_id:
            for position in range(len(self._slots) - 1, -1, -1):
                if self._slots[position].id == call_id:
                    return position
            return self._new(index, call_id, name)
        if index is not None and index in self._by_raw_index:
            position = self._by_raw_index[index]
            if name and self._slots[position].name and self._slots[position].args:
                return self._new(index, None, name)  # a second nameless-id call on that index
            return position
        if name or not self._slots:
            return self._new(index, None, name)
        return len(self._slots) - 1

    def _new(self, raw_index: int | None, call_id: str | None, name: str | None) -> int:
        self._slots.append(_Slot(id=call_id, name=name, raw_index=raw_index))
        position = len(self._slots) - 1
        if raw_index is not None:
            self._by_raw_index[raw_index] = position
        return position

    def feed(self, deltas: Iterable[Mapping[str, Any]] | None) -> list[ToolCallChunk]:
        """Absorb one chunk's ``delta.tool_calls``; returns the normalised fragments."""
        out: list[ToolCallChunk] = []
        for delta in deltas or ():
            function = delta.get("function") or {}
            call_id = delta.get("id") or None
            name = function.get("name") or None
            arguments = function.get("arguments")
            if isinstance(arguments, (dict, list)):
                arguments = json.dumps(arguments, ensure_ascii=False)
            elif arguments is None:
                arguments = ""
            position = self._position(delta.get("index"), call_id, name)
            slot = self._slots[position]
            if call_id and slot.id is None:
                slot.id = call_id
            if name and slot.name is None:
                slot.name = name
            if arguments:
                slot.args.append(arguments)
            out.append(ToolCallChunk(index=position, id=call_id, name=name, args=arguments))
        return out

    def calls(self) -> list[ToolCall]:
        """The complete calls so far; a call whose id never came gets ``call_<position>``."""
        return [
            ToolCall(
                id=slot.id or f"call_{position}",
                name=slot.name or "",
                arguments="".join(slot.args),
                index=position,
            )
            for position, slot in enumerate(self._slots)
        ]

    def __bool__(self) -> bool:
        return bool(self._slots)


def tool_calls_from_message(message: Mapping[str, Any]) -> list[ToolCall]:
    """Tool calls of a non-streamed message, with object arguments turned into JSON text."""
    merger = ToolCallMerger()
    for position, call in enumerate(message.get("tool_calls") or ()):
        if isinstance(call, Mapping):
            fixed = dict(call)
            if not isinstance(fixed.get("index"), int):
                fixed["index"] = position
            merger.feed([fixed])
    return merger.calls()


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage of one response, in framework-neutral names."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    cache_read_tokens: int | None = None
    reasoning_tokens: int | None = None
    estimated: bool = False


def parse_usage(usage: Mapping[str, Any] | None) -> Usage | None:
    """``usage`` of a completion or final chunk; None when the hub sent none."""
    if not usage:
        return None
    prompt = int(usage.get("prompt_tokens") or usage.get("input_tokens") or 0)
    completion = int(usage.get("completion_tokens") or usage.get("output_tokens") or 0)
    total = int(usage.get("total_tokens") or prompt + completion)
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    cached = prompt_details.get("cached_tokens")
    if cached is None:
        cached = usage.get("prompt_cache_hit_tokens")
    reasoning = completion_details.get("reasoning_tokens")
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=total,
        cache_read_tokens=int(cached) if cached is not None else None,
        reasoning_tokens=int(reasoning) if reasoning is not None else None,
    )


ReplayPolicy = Literal["require", "strip"]

# Model families that require their reasoning back on assistant tool-call turns (DeepSeek
# thinking mode from V3.2 on, Kimi thinking); all others get it stripped, because classic
# deepseek-reasoner / R1 answer 400 when it is present (PROTOCOL.md 2.4).
_REPLAY_REQUIRED = ("deepseek-v3.2", "deepseek-v4", "deepseek-chat-thinking", "kimi-k2-thinking")


def reasoning_replay_policy(model: str) -> ReplayPolicy:
    """Whether assistant tool-call turns sent back to ``model`` must carry their reasoning."""
    bare = model.rsplit("/", 1)[-1].lower()
    return "require" if bare.startswith(_REPLAY_REQUIRED) else "strip"


def finish_reason_of(chunk: Mapping[str, Any]) -> str | None:
    """The first choice's ``finish_reason`` in a completion or chunk."""
    choices = chunk.get("choices")
    if choices:
        reason = choices[0].get("finish_reason")
        return reason if isinstance(reason, str) else None
    return None


def partial_text(chunks: Iterable[Mapping[str, Any]]) -> str:
    """The content streamed so far, for errors that must carry what the user already saw."""
    parts: list[str] = []
    for chunk in chunks:
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            content = delta.get("content")
            if isinstance(content, str):
                parts.append(content)
    return "".join(parts)
