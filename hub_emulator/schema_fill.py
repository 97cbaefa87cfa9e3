"""Make a JSON value valid for a JSON schema, taking values from the prompt where it has any."""

from __future__ import annotations

import re
from typing import Any

_NUM = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_QUOTED = re.compile(
    r"(?<!\w)'([^'\n]{1,200}?)'(?!\w)|\"([^\"\n]{1,200}?)\"|“([^”\n]{1,200})”|‘([^’\n]{1,200})’"
    r"|「([^」\n]{1,200})」"
)
_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
MAX_DEPTH = 8


class PromptValues:
    """Numbers and quoted strings of a prompt, handed out in order of appearance."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = text.lower()
        self.numbers = [m.group(0) for m in _NUM.finditer(text)]
        self.quoted = [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text)]
        self._n = 0
        self._q = 0
        words = re.findall(r"\w+", text)
        self.fallback = " ".join(words[:12]) or "emulated value"

    def number(self) -> str | None:
        """The next number of the prompt, if any left."""
        if self._n < len(self.numbers):
            self._n += 1
            return self.numbers[self._n - 1]
        return None

    def named(self, name: str) -> str | None:
        """A value written as ``name=value`` or ``name: value`` in the prompt."""
        m = re.search(rf"\b{re.escape(name)}\s*[=:]\s*(?:'([^']*)'|\"([^\"]*)\"|([^\s,;)]+))",
                      self.text)
        if not m:
            return None
        return next(g for g in m.groups() if g is not None)

    def string(self, name: str) -> str:
        """A string for property ``name``: named value, else next quoted text, else a snippet."""
        named = self.named(name)
        if named:
            return named
        if self._q < len(self.quoted):
            self._q += 1
            return self.quoted[self._q - 1]
        return self.fallback


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` (``#/$defs/X``, ``#/definitions/X``) and merge ``allOf``."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < MAX_DEPTH:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest}
        seen += 1
    if isinstance(schema, dict) and "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = _resolve(part, root)
            for key, value in part.items():
                if key == "properties":
                    merged.setdefault("properties", {}).update(value)
                elif key == "required":
                    merged["required"] = [*merged.get("required", []), *value]
                else:
                    merged.setdefault(key, value)
        schema = merged
    return schema if isinstance(schema, dict) else {}


def fill(schema: Any, values: PromptValues, root: dict[str, Any] | None = None,
         name: str = "value", depth: int = 0) -> Any:
    """A value that validates against ``schema``."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        for option in schema["enum"]:
            if str(option).lower() in values.low:
                return option
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            branches = [_resolve(b, root) for b in schema[key]]
            pick = next((b for b in branches if b.get("type") != "null"), branches[0])
            return fill(pick, values, root, name, depth)
    typ = schema.get("type")
    if isinstance(typ, list):
        typ = next((t for t in typ if t != "null"), "null")
    if typ is None:
        typ = "object" if "properties" in schema else "string"
    if depth > MAX_DEPTH:
        return None if typ == "null" else ({} if typ == "object" else [] if typ == "array" else
                                           0 if typ in ("integer", "number") else "x")
    if typ == "object":
        props = schema.get("properties", {})
        return {key: fill(sub, values, root, key, depth + 1) for key, sub in props.items()}
    if typ == "array":
        n = max(1, int(schema.get("minItems", 1)))
        return [fill(schema.get("items", {}), values, root, name, depth + 1) for _ in range(n)]
    if typ == "integer":
        raw = values.number()
        number = int(float(raw)) if raw is not None else 1
        return _clamp(number, schema)
    if typ == "number":
        raw = values.number()
        value = float(raw) if raw is not None else 1.5
        return _clamp(value, schema)
    if typ == "boolean":
        return "true" in values.low or "yes" in values.low
    if typ == "null":
        return None
    return _string(schema, values, name)


def _clamp(value: Any, schema: dict[str, Any]) -> Any:
    if "minimum" in schema and value < schema["minimum"]:
        value = type(value)(schema["minimum"])
    if "maximum" in schema and value > schema["maximum"]:
        value = type(value)(schema["maximum"])
    return value


def _string(schema: dict[str, Any], values: PromptValues, name: str) -> str:
    fmt = schema.get("format")
    if fmt in _FORMATS:
        return _FORMATS[fmt]
    text = values.string(name)
    min_len = int(schema.get("minLength", 0))
    max_len = schema.get("maxLength")
    if len(text) < min_len:
        text = text + "x" * (min_len - len(text))
    if max_len is not None:
        text = text[: int(max_len)]
    return text


def json_object_keys(text: str) -> list[str]:
    """Keys a JSON-mode prompt asks for: the quoted identifiers in it."""
    keys: list[str] = []
    for m in _QUOTED.finditer(text):
        word = next(g for g in m.groups() if g is not None)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,40}", word) and word not in keys:
            keys.append(word)
    return keys
