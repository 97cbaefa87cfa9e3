"""Deterministic scripted chat model: what a reply says, which tools it calls, token counts."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import jsonutil, tokens
from .schema_fill import PromptValues, fill, json_object_keys

IMAGE_TOKENS = 85


class BadRequest(ValueError):
    """The request is malformed; the caller answers 400 with this message."""


@dataclass
class ToolCall:
    """One scripted tool call."""

    id: str
    name: str
    arguments: str
    args: dict[str, Any]


@dataclass
class Reply:
    """One choice's content plus the usage numbers of the request."""

    content: str | None
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    completion_tokens: int = 0
    reasoning_tokens: int = 0


def message_text(message: dict[str, Any]) -> tuple[str, int]:
    """Text of a message and how many image parts it carries (image parts are accepted)."""
    content = message.get("content")
    if content is None:
        return "", 0
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list):
        raise BadRequest("messages[].content must be a string or a list of parts")
    texts: list[str] = []
    images = 0
    for part in content:
        if not isinstance(part, dict):
            raise BadRequest("content parts must be objects")
        ptype = part.get("type")
        if ptype == "text":
            texts.append(str(part.get("text", "")))
        elif ptype in ("image_url", "input_image", "image"):
            images += 1
    return "\n".join(texts), images


def prompt_tokens(body: dict[str, Any]) -> int:
    """Prompt token count the way OpenAI counts chat (4 per message + 3), plus tools and images."""
    total = 3
    for msg in body["messages"]:
        text, images = message_text(msg)
        total += 4 + tokens.count(text) + images * IMAGE_TOKENS
        for call in msg.get("tool_calls") or ():
            fn = call.get("function") or {}
            args = fn.get("arguments", "")
            total += tokens.count(str(fn.get("name", ""))) + tokens.count(
                args if isinstance(args, str) else jsonutil.dumps(args).decode())
    if body.get("tools"):
        total += tokens.count(jsonutil.dumps(body["tools"]).decode())
    return total


def validate(body: Any) -> dict[str, Any]:
    """The minimal checks a real hub makes before billing."""
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise BadRequest("'model' is required")
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise BadRequest("'messages' must be a non-empty list")
    for msg in msgs:
        if not isinstance(msg, dict) or msg.get("role") not in (
                "system", "developer", "user", "assistant", "tool", "function"):
            raise BadRequest("each message needs a valid 'role'")
    n = body.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= 16:
        raise BadRequest("'n' must be an integer between 1 and 16")
    temp = body.get("temperature")
    if temp is not None and not (isinstance(temp, (int, float)) and 0 <= temp <= 2):
        raise BadRequest("'temperature' must be between 0 and 2")
    mt = max_tokens_of(body)
    if mt is not None and (not isinstance(mt, int) or mt < 1):
        raise BadRequest("'max_tokens' must be a positive integer")
    return body


def max_tokens_of(body: dict[str, Any]) -> Any:
    """``max_tokens`` or its newer name."""
    mt = body.get("max_tokens")
    return mt if mt is not None else body.get("max_completion_tokens")


def _stops(body: dict[str, Any]) -> list[str]:
    stop = body.get("stop")
    if isinstance(stop, str):
        return [stop]
    if isinstance(stop, list):
        return [s for s in stop if isinstance(s, str) and s]
    return []


def _conversation_text(msgs: list[dict[str, Any]]) -> tuple[str, str]:
    """(last user text, all user+system text) of the conversation."""
    last_user = ""
    everything: list[str] = []
    for msg in msgs:
        text, _ = message_text(msg)
        if msg.get("role") in ("user", "system", "developer"):
            everything.append(text)
        if msg.get("role") == "user":
            last_user = text
    return last_user, "\n".join(everything)


def _snippet(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _tool_name(tool: dict[str, Any]) -> str:
    return str((tool.get("function") or {}).get("name") or tool.get("name") or "")


def _tool_params(tool: dict[str, Any]) -> dict[str, Any]:
    fn = tool.get("function") or tool
    params = fn.get("parameters")
    return params if isinstance(params, dict) else {"type": "object", "properties": {}}


def _choose_tools(body: dict[str, Any], prompt: str) -> list[dict[str, Any]]:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    if not tools:
        return []
    choice = body.get("tool_choice", "auto")
    if choice == "none":
        return []
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name") or choice.get("name")
        forced = [t for t in tools if _tool_name(t) == wanted]
        if not forced:
            raise BadRequest(f"tool_choice names unknown tool {wanted!r}")
        return forced[:1]
    low = prompt.lower()
    positions = []
    for tool in tools:
        name = _tool_name(tool)
        at = low.find(name.lower()) if name else -1
        if at < 0 and name:
            at = low.find(name.replace("_", " ").lower())
        if at >= 0:
            positions.append((at, tool))
    positions.sort(key=lambda p: p[0])
    mentioned = [t for _, t in positions]
    if len(mentioned) >= 2 and body.get("parallel_tool_calls", True) is not False:
        return mentioned
    return mentioned[:1] or tools[:1]


def _forced_after_tool(body: dict[str, Any], msgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """After tool results, a forced ``tool_choice`` still forces a call, like real models.

    ``"required"`` picks the first tool not yet called in the conversation (an agent's
    structured-output tool after its real tools), a named choice picks that tool.
    """
    choice = body.get("tool_choice", "auto")
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    if not tools or choice in (None, "auto", "none"):
        return []
    if isinstance(choice, dict):
        return _choose_tools(body, "")
    called = {
        (call.get("function") or {}).get("name")
        for msg in msgs if msg.get("role") == "assistant"
        for call in msg.get("tool_calls") or [] if isinstance(call, dict)
    }
    fresh = [t for t in tools if _tool_name(t) not in called]
    return (fresh or tools)[:1]


_REACT_TOOL = re.compile(
    r"^> Tool Name: (?P<name>\S+)\n(?:.*\n)*?Tool Args: (?P<args>\{.*\})$", re.M
)
_OBSERVATION = "Observation:"


def _react_reply(msgs: list[dict[str, Any]], last_user: str) -> str | None:
    """The ReAct text protocol (LlamaIndex ``ReActAgent``): tools are described in the system
    prompt, the model answers ``Thought/Action/Action Input``, the agent replies with an
    ``Observation:`` message, and the model then gives ``Answer:``. None for other prompts.
    """
    system = next((message_text(m)[0] for m in msgs if m.get("role") == "system"), "")
    if "Action Input:" not in system or "> Tool Name:" not in system:
        return None
    tools = {m["name"]: m["args"] for m in _REACT_TOOL.finditer(system)}
    last_text = message_text(msgs[-1])[0].strip()
    if last_text.startswith(_OBSERVATION):
        result = last_text[len(_OBSERVATION):].strip()
        return ("Thought: I can answer without using any more tools. I'll use the user's "
                f"language to answer\nAnswer: The result is {result}.")
    question = next((message_text(m)[0] for m in msgs if m.get("role") == "user"), last_user)
    low = question.lower()
    name = next((n for n in tools if n.lower() in low), next(iter(tools), None))
    if name is None:
        return None
    try:
        schema = json.loads(tools[name])
    except ValueError:
        schema = {"type": "object", "properties": {}}
    args = fill(schema, PromptValues(question))
    return ("Thought: The current language of the user is: English. I need to use a tool to "
            f"help me answer the question.\nAction: {name}\nAction Input: "
            f"{jsonutil.dumps(args).decode()}")


def _call_id(seed: str, i: int) -> str:
    digest = hashlib.blake2b(f"{seed}|{i}".encode(), digest_size=12).hexdigest()
    return f"call_{digest}"


def _json_reply(body: dict[str, Any], prompt: str, text: str) -> str | None:
    fmt = body.get("response_format")
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        schema = spec.get("schema") or {"type": "object", "properties": {}}
        return jsonutil.dumps(fill(schema, PromptValues(prompt))).decode()
    if fmt.get("type") == "json_object":
        keys = json_object_keys(prompt) or ["answer"]
        values = PromptValues(prompt)
        obj = {key: f"{key}: {values.fallback}" for key in keys}
        return jsonutil.dumps(obj).decode()
    return None


def reasoning_text(prompt: str) -> str:
    """What a reasoning model 'thinks' before answering."""
    return (f"The user asks: {_snippet(prompt, 120)} I should answer clearly, "
            "check the request once more, then reply.")


def plan_reply(body: dict[str, Any], model: str, *, reasoning: bool) -> Reply:
    """The deterministic reply to a chat request (one choice)."""
    msgs = body["messages"]
    last = msgs[-1]
    last_user, all_text = _conversation_text(msgs)
    think = reasoning_text(last_user) if reasoning else ""
    limit = max_tokens_of(body)
    calls: list[ToolCall] = []
    content: str | None
    react = _react_reply(msgs, last_user) if not body.get("tools") else None
    if react is not None:
        content = react
    elif last.get("role") != "tool" and (tools := _choose_tools(body, last_user or all_text)):
        values = PromptValues(last_user or all_text)
        for i, tool in enumerate(tools):
            args = fill(_tool_params(tool), values)
            if not isinstance(args, dict):
                args = {}
            calls.append(ToolCall(_call_id(all_text + model, i), _tool_name(tool),
                                  jsonutil.dumps(args).decode(), args))
        content = None
    elif last.get("role") == "tool":
        results = []
        for msg in reversed(msgs):
            if msg.get("role") != "tool":
                break
            results.append(message_text(msg)[0])
        joined = "; ".join(reversed(results))
        if forced := _forced_after_tool(body, msgs):
            values = PromptValues(f"{joined} {last_user or all_text}")
            for i, tool in enumerate(forced):
                args = fill(_tool_params(tool), values)
                calls.append(ToolCall(_call_id(all_text + model + joined, i), _tool_name(tool),
                                      jsonutil.dumps(args).decode(), args))
            content = None
        else:
            content = _json_reply(body, f"{joined} {last_user}", joined) or (
                f"The tool returned: {joined.rstrip('.')}. So the answer is "
                f"{joined.rstrip('.')}.")
    else:
        content = _json_reply(body, all_text, last_user)
        if content is None:
            from .grounded import answer

            content = answer(last_user)
        if content is None:
            content = (f"You said: \"{_snippet(last_user)}\". This is a scripted reply "
                       f"from {model}, deterministic and free of charge.")
    r_tokens = tokens.count(think)
    finish = "tool_calls" if calls else "stop"
    if content is not None:
        stops = _stops(body)
        cut = min((content.find(s) for s in stops if s in content), default=-1)
        if cut >= 0:
            content = content[:cut]
        c_tokens = tokens.count(content)
    else:
        c_tokens = sum(tokens.count(c.name) + tokens.count(c.arguments) for c in calls)
    if isinstance(limit, int) and not calls and r_tokens + c_tokens > limit:
        finish = "length"
        if r_tokens >= limit:
            think, r_tokens = tokens.truncate(think, limit), limit
            content, c_tokens = "", 0
        else:
            content = tokens.truncate(content or "", limit - r_tokens)
            c_tokens = tokens.count(content)
    return Reply(content, think, calls, finish, r_tokens + c_tokens, r_tokens)


WORD = re.compile(r"\S+\s*|\s+")


def pieces(text: str, size: int = 1) -> list[str]:
    """Split text into deltas of ``size`` words (whitespace kept, so they re-join exactly)."""
    words = WORD.findall(text)
    if size <= 1:
        return words
    return ["".join(words[i:i + size]) for i in range(0, len(words), size)]
