"""Checks of user input that both adapters run before any request is sent.

Every check raises :class:`~hub_core.errors.HubInputError` (also a ``ValueError``) naming the
field, the rule, the value and the fix, so a typo fails at once with a clear message instead of
as a connection error or a hub's 400 (or, worse, a bill). Hand-written rather than full JSON
Schema validation: the rules are the few that hubs enforce (OpenAI's tool-name pattern, an object
schema for tool parameters), and ``hub_core`` depends on no schema library.

Example:
    >>> check_base_url("http://127.0.0.1:8787/tokenhub/api/v1/")
    'http://127.0.0.1:8787/tokenhub/api/v1'
    >>> try:
    ...     check_base_url("127.0.0.1:8000/v1")
    ... except ValueError as err:
    ...     print(err.field, "|", err.rule)
    base_url | must be an http:// or https:// URL
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from hub_core.errors import HubInputError

__all__ = [
    "TOOL_NAME_RE",
    "check_base_url",
    "check_chat_payload",
    "check_embedding_settings",
    "check_model",
    "check_positive_int",
    "check_tools",
    "input_error_in",
]

TOOL_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""OpenAI's rule for function names (Anthropic's too); hubs pass names through unchanged."""


def check_base_url(value: Any, *, hub: str | None = None, source: str = "base_url") -> str:
    """``value`` without trailing slashes, if it is an absolute http(s) URL with a host.

    ``source`` names where the value came from (``"TOKENHUB_BASE_URL"`` for the environment).
    """
    field = source if source == "base_url" else f"base_url (from {source})"
    if not isinstance(value, str) or not value.strip():
        raise HubInputError.invalid(
            field, "must be a non-empty URL", value, fix="e.g. 'https://host/v1'", hub=hub
        )
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        bare = url.split("://", 1)[-1]
        raise HubInputError.invalid(
            field,
            "must be an http:// or https:// URL",
            value,
            fix=f"write the scheme, e.g. 'http://{bare}'",
            hub=hub,
        )
    if any(ch.isspace() for ch in url):
        raise HubInputError.invalid(
            field, "must not contain spaces", value, fix="remove the spaces", hub=hub
        )
    return url.rstrip("/")


def check_model(value: Any, *, field: str = "model", hub: str | None = None) -> str:
    """A model id: a non-empty string (returned stripped)."""
    if not isinstance(value, str) or not value.strip():
        raise HubInputError.invalid(
            field,
            "must be a non-empty model id",
            value,
            fix="name the hub's model, e.g. 'gpt-4o' (list them with client.models())",
            hub=hub,
        )
    return value.strip()


def check_positive_int(
    value: Any, field: str, *, hub: str | None = None, fix: str = ""
) -> int | None:
    """``None`` or a whole number >= 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise HubInputError.invalid(
            field, "must be a whole number >= 1", value, fix=fix or f"leave {field} unset", hub=hub
        )
    return int(value)


def _check_schema(params: Any, field: str, hub: str | None) -> None:
    fix = 'use a JSON schema object, e.g. {"type": "object", "properties": {...}}'
    if not isinstance(params, Mapping):
        raise HubInputError.invalid(field, "must be a JSON schema object", params, fix=fix, hub=hub)
    kind = params.get("type", "object")
    if kind != "object":
        raise HubInputError.invalid(
            f"{field}.type", 'must be "object" (tool arguments are an object)', kind, fix=fix,
            hub=hub,
        )
    properties = params.get("properties", {})
    if not isinstance(properties, Mapping) or not all(
        isinstance(spec, Mapping | bool) for spec in properties.values()
    ):
        raise HubInputError.invalid(
            f"{field}.properties", "must map each argument name to its schema", properties,
            fix=fix, hub=hub,
        )
    required = params.get("required", [])
    if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
        raise HubInputError.invalid(
            f"{field}.required", "must be a list of argument names", required,
            fix='e.g. ["city"]', hub=hub,
        )


def check_tools(tools: Any, *, hub: str | None = None) -> None:
    """OpenAI-format ``tools``: each function tool has a valid name and an object schema.

    Tools of other types (a hub's built-in ``web_search``) pass unchecked.
    """
    if tools is None:
        return
    if not isinstance(tools, list | tuple):
        raise HubInputError.invalid(
            "tools", "must be a list of tools", tools, fix="pass tools=[...]", hub=hub
        )
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        if not isinstance(tool, Mapping):
            raise HubInputError.invalid(
                where, "must be an OpenAI tool dict", tool,
                fix='{"type": "function", "function": {"name": ..., "parameters": {...}}}',
                hub=hub,
            )
        if tool.get("type", "function") != "function":
            continue
        function = tool.get("function")
        if not isinstance(function, Mapping):
            raise HubInputError.invalid(
                f"{where}.function", "must be an object with name and parameters", function,
                fix='{"name": "get_weather", "parameters": {"type": "object", ...}}', hub=hub,
            )
        name = function.get("name")
        if not isinstance(name, str) or not TOOL_NAME_RE.match(name):
            raise HubInputError.invalid(
                f"{where}.function.name",
                "must be 1-64 letters, digits, '_' or '-' (no spaces)",
                name,
                fix="rename the tool, e.g. 'get_weather'",
                hub=hub,
            )
        if "parameters" in function:
            _check_schema(function["parameters"], f"{where}.function.parameters", hub)


def check_chat_payload(payload: Mapping[str, Any], *, hub: str | None = None) -> None:
    """The fields of a chat request body that are wrong on every hub: checked before sending."""
    check_model(payload.get("model"), hub=hub)
    for field in ("max_tokens", "max_completion_tokens"):
        check_positive_int(payload.get(field), field, hub=hub, fix="ask for 1 or more tokens")
    check_tools(payload.get("tools"), hub=hub)


def check_embedding_settings(
    *,
    model: Any = None,
    dimensions: Any = None,
    batch_size: Any = None,
    hub: str | None = None,
    model_field: str = "model",
) -> None:
    """Embedding settings: an explicit model is non-empty; dimensions and batch_size >= 1."""
    if model is not None:
        check_model(model, field=model_field, hub=hub)
    check_positive_int(dimensions, "dimensions", hub=hub, fix="leave it unset for the default")
    check_positive_int(batch_size, "batch_size", hub=hub, fix="e.g. batch_size=256")


def input_error_in(exc: BaseException) -> BaseException:
    """The ``HubInputError`` a pydantic ``ValidationError`` wraps (validators' errors are
    wrapped), so adapters can raise ours; ``exc`` itself when it wraps none."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        for item in errors():
            cause = (item.get("ctx") or {}).get("error")
            if isinstance(cause, HubInputError):
                return cause
    return exc
