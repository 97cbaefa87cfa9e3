"""LlamaIndex ``ChatMessage`` <-> OpenAI chat wire dicts, as pure functions.

Kept apart from ``llms.py`` so the conversion rules (the part most integrations get subtly wrong:
``content: null`` next to ``tool_calls``, reasoning replay, ``<think>`` tags, dict arguments) can be
unit-tested without a hub or an event loop.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from hub_core.chat import extract_reasoning, split_think, tool_calls_from_message

logger = logging.getLogger(__name__)

ReplayPolicy = Literal["require", "strip"]

_ROLE_MAP: dict[str, str] = {
    MessageRole.CHATBOT.value: "assistant",
    MessageRole.MODEL.value: "assistant",
}

# --------------------------------------------------------------------------------------------
# framework -> wire
# --------------------------------------------------------------------------------------------


def _arguments_json(kwargs: dict[str, Any] | str) -> str:
    """Tool arguments as the JSON string the wire wants (dicts are dumped, strings kept)."""
    if isinstance(kwargs, str):
        return kwargs or "{}"
    return json.dumps(kwargs, ensure_ascii=False)


def _legacy_tool_calls(raw: Any) -> list[dict[str, Any]]:
    """``additional_kwargs["tool_calls"]`` written by older code (dicts or SDK objects)."""
    calls: list[dict[str, Any]] = []
    if not isinstance(raw, Iterable) or isinstance(raw, (str, bytes)):
        return calls
    for item in raw:
        data = item.model_dump() if hasattr(item, "model_dump") else item
        if not isinstance(data, Mapping):
            continue
        fn = data.get("function") or {}
        args = fn.get("arguments", "{}")
        calls.append(
            {
                "id": data.get("id") or "",
                "type": "function",
                "function": {
                    "name": fn.get("name", ""),
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
        )
    return calls


def _image_part(block: ImageBlock) -> dict[str, Any]:
    if block.url is not None:
        url = str(block.url)
    else:
        data = block.resolve_image(as_base64=True).read().decode("ascii")
        url = f"data:{block.image_mimetype or 'image/png'};base64,{data}"
    image_url: dict[str, Any] = {"url": url}
    if block.detail:
        image_url["detail"] = block.detail
    return {"type": "image_url", "image_url": image_url}


def _audio_part(block: AudioBlock) -> dict[str, Any]:
    data = block.resolve_audio(as_base64=True).read().decode("ascii")
    return {"type": "input_audio", "input_audio": {"data": data, "format": block.format or "wav"}}


def _document_part(block: DocumentBlock) -> dict[str, Any]:
    data = block.resolve_document()
    b64 = block._get_b64_string(data)
    mimetype = block.document_mimetype or block._guess_mimetype()
    return {
        "type": "file",
        "file": {
            "filename": block.title or "document",
            "file_data": f"data:{mimetype};base64,{b64}",
        },
    }


def to_wire_message(
    message: ChatMessage, *, replay_reasoning: bool = False
) -> dict[str, Any]:
    """One ``ChatMessage`` as an OpenAI chat message dict.

    - Assistant ``ToolCallBlock``s become ``tool_calls`` with ``content: null`` when there is no
      text (OpenAI-compatible servers reject an empty string next to tool calls).
    - ``ThinkingBlock``s are dropped unless ``replay_reasoning`` (DeepSeek thinking-mode tool
      turns need ``reasoning_content`` sent back).
    - User messages with media become content parts; other roles get a plain string.
    """
    role = _ROLE_MAP.get(message.role.value, message.role.value)
    texts: list[str] = []
    parts: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    reasoning: list[str] = []
    has_media = False
    for block in message.blocks:
        if isinstance(block, TextBlock):
            texts.append(block.text)
            parts.append({"type": "text", "text": block.text})
        elif isinstance(block, ImageBlock):
            parts.append(_image_part(block))
            has_media = True
        elif isinstance(block, AudioBlock):
            parts.append(_audio_part(block))
            has_media = True
        elif isinstance(block, DocumentBlock):
            parts.append(_document_part(block))
            has_media = True
        elif isinstance(block, ToolCallBlock):
            tool_calls.append(
                {
                    "id": block.tool_call_id or "",
                    "type": "function",
                    "function": {
                        "name": block.tool_name,
                        "arguments": _arguments_json(block.tool_kwargs),
                    },
                }
            )
        elif isinstance(block, ThinkingBlock):
            if block.content:
                reasoning.append(block.content)
        elif isinstance(block, CachePoint):
            continue  # an Anthropic-only hint; the OpenAI wire has no place for it
        else:
            raise ValueError(
                f"{type(block).__name__} cannot be sent to an OpenAI-compatible chat endpoint"
            )

    if not tool_calls and role == "assistant":
        tool_calls = _legacy_tool_calls(message.additional_kwargs.get("tool_calls"))

    text = "".join(texts)
    content: Any
    if has_media and role == "user":
        content = parts
    elif has_media:
        # Only user turns may carry media on the chat wire; keep the text, say what was dropped.
        logger.debug("dropping media blocks from a %s message", role)
        content = text
    else:
        content = text

    wire: dict[str, Any] = {"role": role, "content": content}
    if tool_calls:
        wire["tool_calls"] = tool_calls
        if content == "":
            wire["content"] = None
    if role == "tool":
        call_id = message.additional_kwargs.get("tool_call_id")
        if call_id is not None:
            wire["tool_call_id"] = call_id
    name = message.additional_kwargs.get("name")
    if isinstance(name, str) and role in ("user", "system", "function"):
        wire["name"] = name
    if replay_reasoning and reasoning and role == "assistant":
        wire["reasoning_content"] = "".join(reasoning)
    return wire


def to_wire_messages(
    messages: Sequence[ChatMessage], *, replay: ReplayPolicy = "strip"
) -> list[dict[str, Any]]:
    """Messages for a request; reasoning is replayed only under the ``"require"`` policy."""
    return [to_wire_message(m, replay_reasoning=(replay == "require")) for m in messages]


# --------------------------------------------------------------------------------------------
# wire -> framework
# --------------------------------------------------------------------------------------------


def parse_arguments(arguments: Any) -> dict[str, Any]:
    """Tool-call arguments as a dict: tolerant of partial JSON, dict arguments and garbage."""
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if not isinstance(arguments, str) or not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError:
        try:
            value = parse_partial_json(arguments)
        except (ValueError, TypeError):
            return {}
    return dict(value) if isinstance(value, Mapping) else {}


def _content_text(content: Any) -> str:
    """``message.content`` as text: a string, None, or a list of text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out: list[str] = []
        for part in content:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                out.append(part["text"])
            elif isinstance(part, str):
                out.append(part)
        return "".join(out)
    return str(content)


def build_message(
    *,
    text: str,
    reasoning: str | None,
    tool_calls: Sequence[Mapping[str, Any]],
    additional_kwargs: dict[str, Any] | None = None,
    parse_tool_arguments: bool = True,
) -> ChatMessage:
    """An assistant ``ChatMessage``: ThinkingBlock, then TextBlock, then ToolCallBlocks.

    ``tool_calls`` are wire-shaped (``{"id", "function": {"name", "arguments"}}``); arguments are
    parsed into dicts (partial JSON tolerated, so a streamed prefix still parses). Mid-stream
    messages keep the argument text as is (``parse_tool_arguments=False``): re-parsing the whole
    growing JSON on every chunk would make a long tool-call stream quadratic, and
    :func:`tool_selections` parses text arguments when someone asks for them.
    """
    blocks: list[Any] = []
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning))
    if text or not tool_calls:
        blocks.append(TextBlock(text=text))
    for call in tool_calls:
        fn = call.get("function") or {}
        blocks.append(
            ToolCallBlock(
                tool_call_id=call.get("id") or None,
                tool_name=fn.get("name") or "",
                tool_kwargs=parse_arguments(fn.get("arguments"))
                if parse_tool_arguments or not isinstance(fn.get("arguments"), str)
                else fn["arguments"],
            )
        )
    extra = dict(additional_kwargs or {})
    if tool_calls:
        # Core's streaming structured-output and chat-engine code still detect tool turns by
        # this legacy key, so mirror the calls there (``to_wire_message`` prefers the blocks).
        extra["tool_calls"] = [dict(call) for call in tool_calls]
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)


def from_wire_message(message: Mapping[str, Any]) -> ChatMessage:
    """A completion's ``choices[0].message`` as a ``ChatMessage``.

    Reasoning is read from ``reasoning_content`` / ``reasoning`` / ``reasoning_details`` or split
    out of a leading ``<think>...</think>``, and becomes a ``ThinkingBlock``.
    """
    text = _content_text(message.get("content"))
    reasoning = extract_reasoning(message)
    if reasoning is None:
        think, rest = split_think(text)
        if think:
            reasoning, text = think, rest
    calls = [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in tool_calls_from_message(message)
    ]
    return build_message(text=text, reasoning=reasoning, tool_calls=calls)


def tool_selections(message: ChatMessage) -> list[ToolSelection]:
    """``ToolSelection``s for the ``ToolCallBlock``s of a message (legacy kwargs as fallback)."""
    selections: list[ToolSelection] = []
    for block in message.blocks:
        if isinstance(block, ToolCallBlock):
            selections.append(
                ToolSelection(
                    tool_id=block.tool_call_id or "",
                    tool_name=block.tool_name,
                    tool_kwargs=parse_arguments(block.tool_kwargs),
                )
            )
    if selections:
        return selections
    for call in _legacy_tool_calls(message.additional_kwargs.get("tool_calls")):
        selections.append(
            ToolSelection(
                tool_id=call["id"],
                tool_name=call["function"]["name"],
                tool_kwargs=parse_arguments(call["function"]["arguments"]),
            )
        )
    return selections


def resolve_tool_choice(tool_choice: Any, tool_required: bool) -> str | dict[str, Any]:
    """``"auto"``/``"required"``/``"none"``, a bare tool name, or a dict, as the wire value."""
    if tool_choice is None:
        return "required" if tool_required else "auto"
    if isinstance(tool_choice, Mapping):
        return dict(tool_choice)
    if tool_choice in ("none", "auto", "required"):
        return str(tool_choice)
    return {"type": "function", "function": {"name": str(tool_choice)}}
