"""Argument schemas built for one hub and model, so a model sees exactly what it may pass.

Allowed values become JSON-schema enums (``Literal``), ranges become ``minimum``/``maximum``, and
each description says the rule and, where the profile knows it, the price. The classes are
built per (tool, hub, model) and cached by the tool class; they are not importable by name, so
tools rebuild theirs after unpickling instead of pickling it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, cast

from pydantic import BaseModel, Field, create_model

from hub_core.hubs import HubProfile
from hub_core.media.options import price_text

__all__ = ["ArgSpec", "arg_model", "choices", "one_of", "price_note"]

ArgSpec = tuple[Any, Any]
"""``(type, Field(...))`` as ``pydantic.create_model`` takes it."""


def one_of(values: Sequence[Any]) -> Any:
    """``Literal[values...]``: the JSON schema lists them as an enum."""
    return cast(Any, Literal)[tuple(values)]


def choices(values: Sequence[Any]) -> str:
    """``'a', 'b' or 'c'``: allowed values as a model reads them."""
    shown = [repr(v) if isinstance(v, str) else str(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def price_note(profile: HubProfile, model: str, prefix: str = " Price: ") -> str:
    """`` Price: 20 credits per request.``, or ``""`` when the price is unknown."""
    text = price_text(profile, model)
    return f"{prefix}{text}." if text else ""


def prompt_field(what: str, limit: int | None = None) -> ArgSpec:
    """The required ``prompt`` argument."""
    rule = f" (at most {limit} characters)" if limit else ""
    return (str, Field(min_length=1, max_length=limit, description=f"{what}{rule}."))


def arg_model(name: str, doc: str, fields: dict[str, ArgSpec]) -> type[BaseModel]:
    """A pydantic model class with these fields."""
    model: type[BaseModel] = create_model(name, __doc__=doc, **fields)  # type: ignore[call-overload]
    return model
