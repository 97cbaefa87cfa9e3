"""Wire-level chat helpers both adapters need: payloads, reasoning, tool-call deltas, usage.

Everything here works on plain OpenAI-shaped dicts, so LangChain and LlamaIndex share one
implementation of the parts hubs get wrong: reasoning in three dialects, ``<think>`` tags split
across chunks, and streamed tool calls with missing or repeated indices, empty continuation ids,
or object arguments.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hub_core.hubs import HubProfile
from hub_core.replies import whole
from hub_core.validate import check_chat_payload, check_model

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
    The result is checked before anything is sent (``hub_core.validate.check_chat_payload``: model,
    ``max_tokens``, tool names and schemas); bad input raises ``HubInputError``.
    Streaming asks for usage in the final chunk unless ``stream_usage`` is False. ``extra_body``
    is merged last, so it can override anything.

    Example:
        >>> from hub_core.hubs import get_hub
        >>> p = build_chat_payload(get_hub("apihub"), "qwen-max", [], stream=True, top_p=None)
        >>> p["stream_options"], "top_p" in p
        ({'include_usage': True}, False)
    """
    check_model(model, hub=profile.name)
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
    check_chat_payload(payload, hub=profile.name)
    return payload


def _reasoning_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        inner = value.get("content") or value.get("text") or value.get("summary")
        return inner if isinstance(inner, str) and inner else None
    return None


def extract_reasoning(obj: Mapping[str, Any] | None) -> str | None:
    """Reasoning text of a message or delta, in whichever field the hub used.

    Reads ``reasoning_content`` (DeepSeek, Electron Hub ``/v1legacy``), ``reasoning`` (Electron Hub
    ``/v1``; a string, or a dict with ``content``/``text``) and ``reasoning_details``
    (OpenRouter-style list of ``{"text"|"summary": ...}`` items or strings).
    """
    if not obj:
        return None
    text = _reasoning_text(obj.get("reasoning_content")) or _reasoning_text(obj.get("reasoning"))
    if text:
        return text
    details = obj.get("reasoning_details")
    if isinstance(details, list) and details:
        parts = [
            item if isinstance(item, str) else _reasoning_text(item) or ""
            for item in details
            if isinstance(item, (str, Mapping))
        ]
        return "".join(parts) or None
    return None


def _partial_tag_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0


class ThinkSplitter:
    """Splits a leading ``<think>...</think>`` out of content that arrives in arbitrary pieces.

    Only a reply that *starts* with ``<think>`` (after whitespace) is split, so text that merely
    mentions the tag passes through untouched; the newline after ``</think>`` is dropped. Partial
    tags at chunk edges are held back until decided.

    Example:
        >>> s = ThinkSplitter()
        >>> s.feed("<thi"), s.feed("nk>plan</th"), s.feed("ink>\\nAnswer")
        (('', ''), ('plan', ''), ('', 'Answer'))
    """

    __slots__ = ("_buffer", "_state", "_strip_newline", "seen_tag")

    def __init__(self) -> None:
        self._state: Literal["start", "think", "text"] = "start"
        self._buffer = ""
        self._strip_newline = False
        self.seen_tag = False
        """Whether the content opened with a ``<think>`` block."""

    def feed(self, text: str) -> tuple[str, str]:
        """Returns ``(reasoning, content)`` that is certain so far."""
        if self._state == "text" and not self._strip_newline:
            return "", text  # the hot path: past the think block, nothing to hold back
        buffer = self._buffer + text
        self._buffer = ""
        reasoning = ""
        if self._state == "start":
            lead = buffer.lstrip()
            if not lead or _THINK_OPEN.startswith(lead):
                self._buffer = buffer
                return "", ""
            if lead.startswith(_THINK_OPEN):
                self._state = "think"
                self.seen_tag = True
                buffer = lead[len(_THINK_OPEN) :]
            else:
                self._state = "text"
                return "", buffer
        if self._state == "think":
            end = buffer.find(_THINK_CLOSE)
            if end < 0:
                keep = _partial_tag_suffix(buffer, _THINK_CLOSE)
                self._buffer = buffer[len(buffer) - keep :]
                return buffer[: len(buffer) - keep], ""
            reasoning = buffer[:end]
            buffer = buffer[end + len(_THINK_CLOSE) :]
            self._state = "text"
            self._strip_newline = True
        if self._strip_newline and buffer:
            buffer = buffer.lstrip("\n")
            self._strip_newline = not buffer
        return reasoning, buffer

    def flush(self) -> tuple[str, str]:
        """Whatever is held back at the end of the stream."""
        held, self._buffer = self._buffer, ""
        return (held, "") if self._state == "think" else ("", held)


def split_think(text: str) -> tuple[str | None, str]:
    """``(reasoning, content)`` of a whole reply; reasoning is None without a leading block."""
    if _THINK_OPEN not in text:
        return None, text
    splitter = ThinkSplitter()
    reasoning, content = splitter.feed(text)
    tail_reasoning, tail_content = splitter.flush()
    if not splitter.seen_tag:
        return None, text
    return reasoning + tail_reasoning, content + tail_content


def _text_or_none(value: Any) -> str | None:
    """A non-empty string, else None (ids and names of any other type are ignored)."""
    return value if isinstance(value, str) and value else None


def new_call_id() -> str:
    """An id for a tool call the hub sent without one (unique across turns)."""
    return f"call_{uuid.uuid4().hex[:24]}"


@dataclass(slots=True)
class ToolCallChunk:
    """One fragment of a streamed tool call.

    ``id`` and ``name`` are set on the call's first fragment only (the name also on a later one
    if the hub sent it late), so frameworks that merge fragments by ``index`` merge them right.
    """

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


@dataclass(slots=True)
class _Slot:
    index: int
    raw_index: int | None
    id: str
    name: str | None = None
    args: str = ""
    announced_name: bool = False
    announced: bool = False


class ToolCallMerger:
    """Merges streamed ``delta.tool_calls`` into calls, tolerating what real hubs send.

    Handles: a missing ``index`` (continuations go to the latest call), the same ``index`` reused
    by a new call (a new non-empty ``id`` starts a new call), empty ids on continuations,
    ``arguments`` as a JSON object instead of a string (a whole object replaces, never
    concatenates), name and first argument bytes in one delta, and two calls starting in one
    chunk. Each call gets its own ``index``: dense positions (0, 1, ...) by default, or block
    indices handed out from ``next_index`` so tool calls never share one with text blocks.
    """

    __slots__ = ("_slots",)

    def __init__(self) -> None:
        self._slots: list[_Slot] = []

    def _target(
        self, delta: Mapping[str, Any], call_id: str | None, name: str | None
    ) -> _Slot | None:
        raw_index = delta.get("index")
        if not isinstance(raw_index, int) or isinstance(raw_index, bool):
            raw_index = None
        if call_id is not None:
            for slot in reversed(self._slots):
                if slot.id == call_id:
                    return slot
            return None
        if raw_index is not None:
            for slot in reversed(self._slots):
                if slot.raw_index == raw_index:
                    # a named delta on a finished-looking call is a new call reusing the index
                    return None if name and slot.name and slot.args else slot
            return None
        if name is None and self._slots:
            return self._slots[-1]
        return None

    def feed(
        self, deltas: Iterable[Mapping[str, Any]] | None, next_index: int | None = None
    ) -> list[ToolCallChunk]:
        """Absorb one chunk's ``delta.tool_calls``; returns the normalised fragments.

        New calls get ``next_index``, ``next_index + 1``, ... when given, else their position.
        """
        out: list[ToolCallChunk] = []
        if isinstance(deltas, Mapping):  # one delta not wrapped in a list
            deltas = [deltas]
        elif not isinstance(deltas, list | tuple):  # None, or a shape no hub documents
            deltas = ()
        for delta in deltas:
            if not isinstance(delta, Mapping):
                continue
            function = delta.get("function")
            if not isinstance(function, Mapping):
                function = {}
            name = _text_or_none(function.get("name"))
            call_id = _text_or_none(delta.get("id"))
            slot = self._target(delta, call_id, name)
            if slot is None:
                raw_index = delta.get("index")
                if next_index is None:
                    index = len(self._slots)
                else:
                    index, next_index = next_index, next_index + 1
                slot = _Slot(
                    index=index,
                    raw_index=raw_index
                    if isinstance(raw_index, int) and not isinstance(raw_index, bool)
                    else None,
                    id=call_id or new_call_id(),
                )
                self._slots.append(slot)
            arguments = function.get("arguments")
            if isinstance(arguments, (dict, list)):
                piece = json.dumps(arguments, ensure_ascii=False)
                slot.args = piece
            else:
                piece = arguments if isinstance(arguments, str) else ""
                slot.args += piece
            if name and slot.name is None:
                slot.name = name
            first = not slot.announced
            send_name = slot.name is not None and not slot.announced_name
            slot.announced = True
            slot.announced_name = slot.announced_name or send_name
            out.append(
                ToolCallChunk(
                    index=slot.index,
                    id=slot.id if first else None,
                    name=slot.name if send_name else None,
                    args=piece,
                )
            )
        return out

    def calls(self) -> list[ToolCall]:
        """The complete calls so far."""
        return [
            ToolCall(id=slot.id, name=slot.name or "", arguments=slot.args, index=slot.index)
            for slot in self._slots
        ]

    def __bool__(self) -> bool:
        return bool(self._slots)


def tool_calls_from_message(message: Mapping[str, Any]) -> list[ToolCall]:
    """Tool calls of a non-streamed message, with object arguments turned into JSON text."""
    merger = ToolCallMerger()
    calls = message.get("tool_calls")
    for position, call in enumerate(calls if isinstance(calls, list) else ()):
        if isinstance(call, Mapping):
            fixed = dict(call)
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
    if not usage or not isinstance(usage, Mapping):
        return None
    prompt = whole(usage.get("prompt_tokens")) or whole(usage.get("input_tokens")) or 0
    completion = whole(usage.get("completion_tokens")) or whole(usage.get("output_tokens")) or 0
    total = whole(usage.get("total_tokens")) or prompt + completion
    prompt_details = _mapping(usage.get("prompt_tokens_details"))
    completion_details = _mapping(usage.get("completion_tokens_details"))
    cached = whole(prompt_details.get("cached_tokens"))
    if cached is None:
        cached = whole(usage.get("prompt_cache_hit_tokens"))
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=total,
        cache_read_tokens=cached,
        reasoning_tokens=whole(completion_details.get("reasoning_tokens")),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


ReplayPolicy = Literal["require", "strip"]

# Model families that require their reasoning back on assistant tool-call turns (DeepSeek
# thinking mode from V3.2 on, Kimi thinking); all others get it stripped, because classic
# deepseek-reasoner / R1 answer 400 when it is present (PROTOCOL.md 2.4).
_REPLAY_REQUIRED = ("deepseek-v3.2", "deepseek-v4", "deepseek-chat-thinking", "kimi-k2-thinking")


def reasoning_replay_policy(model: str) -> ReplayPolicy:
    """Whether assistant tool-call turns sent back to ``model`` must carry their reasoning."""
    bare = model.rsplit("/", 1)[-1].lower()
    return "require" if bare.startswith(_REPLAY_REQUIRED) else "strip"


def choices_of(chunk: Any) -> list[Mapping[str, Any]]:
    """The choices of a completion or chunk that are objects; any other shape a hub sends
    (``"choices": {...}``, ``[null]``) yields none, so readers never crash on it."""
    choices = chunk.get("choices") if isinstance(chunk, Mapping) else None
    if not isinstance(choices, list):
        return []
    return [choice for choice in choices if isinstance(choice, Mapping)]


def delta_of(choice: Mapping[str, Any]) -> Mapping[str, Any]:
    """A choice's ``delta`` (streams) or ``message`` (whole replies); ``{}`` if neither is an
    object."""
    delta = choice.get("delta") or choice.get("message")
    return delta if isinstance(delta, Mapping) else {}


def finish_reason_of(chunk: Mapping[str, Any]) -> str | None:
    """The first choice's ``finish_reason`` in a completion or chunk."""
    choices = choices_of(chunk)
    if choices:
        reason = choices[0].get("finish_reason")
        return reason if isinstance(reason, str) else None
    return None


def partial_text(chunks: Iterable[Mapping[str, Any]]) -> str:
    """The content streamed so far, for errors that must carry what the user already saw."""
    parts: list[str] = []
    for chunk in chunks:
        for choice in choices_of(chunk):
            content = delta_of(choice).get("content")
            if isinstance(content, str):
                parts.append(content)
    return "".join(parts)
