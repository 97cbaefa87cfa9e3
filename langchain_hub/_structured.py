"""Tool binding and structured output for the hub chat models (OpenAI tool format).

A mixin over ``BaseChatModel`` so ``ChatHub`` stays one class with one job per module: this one
turns tools and schemas into request parameters and output parsers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, Literal, cast

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

from hub_core.validate import check_tools

__all__ = ["ToolCallingMixin"]

_ToolChoice = dict[str, Any] | str | bool | None


def _is_pydantic_v1(schema: Any) -> bool:
    try:
        from pydantic.v1 import BaseModel as V1BaseModel
    except ImportError:  # pragma: no cover - pydantic 2 always ships v1
        return False
    return isinstance(schema, type) and issubclass(schema, V1BaseModel)


class ToolCallingMixin(BaseChatModel):
    """``bind_tools`` and ``with_structured_output`` for a chat model speaking OpenAI tools."""

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: _ToolChoice = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind OpenAI-format tools.

        Args:
            tools: tools, functions, Pydantic models or OpenAI tool dicts.
            tool_choice: ``"auto"``, ``"none"``, ``"any"``/``"required"``/``True`` (must call
                a tool), a tool name, or an OpenAI ``tool_choice`` dict.
            strict: ask the hub to enforce the schemas (``function.strict``).
            parallel_tool_calls: sent only when given.
            kwargs: more request parameters (e.g. ``response_format``).
        """
        formatted = [convert_to_openai_tool(t, strict=strict) for t in tools]
        check_tools(formatted, hub=getattr(self, "hub", None))
        if tool_choice is not None and tool_choice is not False:
            choice: Any
            if tool_choice is True or tool_choice in ("any", "required"):
                choice = "required"
            elif tool_choice in ("auto", "none"):
                choice = tool_choice
            elif isinstance(tool_choice, str):
                choice = {"type": "function", "function": {"name": tool_choice}}
            elif isinstance(tool_choice, dict):
                choice = tool_choice
            else:
                msg = f"Unrecognized tool_choice type {type(tool_choice).__name__}"
                raise ValueError(msg)
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def _default_structured_method(self) -> str:
        supported = (self.profile or {}).get("structured_output")
        return "json_schema" if supported else "function_calling"

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Structured output via tool calling, a JSON schema response format, or JSON mode.

        Args:
            schema: a Pydantic class, TypedDict, JSON schema or OpenAI function dict.
            method: default ``"json_schema"`` where the model supports it (hub catalog),
                else ``"function_calling"``.
            include_raw: return ``{"raw", "parsed", "parsing_error"}``.
            strict: ask the hub to enforce the schema (not with ``json_mode``).
        """
        method = method or cast(Any, self._default_structured_method())
        if method == "json_mode" and strict:
            raise ValueError("strict is not supported with method='json_mode'")
        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        if method == "json_schema" and _is_pydantic_v1(schema):
            method = "function_calling"
        parser: Runnable[Any, Any]
        if method == "function_calling":
            if schema is None:
                raise ValueError("schema is required unless method='json_mode'")
            tool_name = convert_to_openai_tool(schema)["function"]["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=tool_name,
                strict=strict,
                ls_structured_output_format={
                    "kwargs": {"method": method, "strict": strict},
                    "schema": schema,
                },
                **kwargs,
            )
            if is_pydantic or _is_pydantic_v1(schema):
                parser = PydanticToolsParser(tools=[cast(Any, schema)], first_tool_only=True)
            else:
                parser = JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)
        elif method == "json_mode":
            llm = self.bind(
                response_format={"type": "json_object"},
                ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
                **kwargs,
            )
            parser = (
                PydanticOutputParser(pydantic_object=cast(Any, schema))
                if is_pydantic
                else JsonOutputParser()
            )
        elif method == "json_schema":
            if schema is None:
                raise ValueError("schema is required unless method='json_mode'")
            llm = self.bind(
                response_format=_response_format(schema, strict),
                ls_structured_output_format={
                    "kwargs": {"method": method, "strict": strict},
                    "schema": convert_to_openai_tool(schema),
                },
                **kwargs,
            )
            parser = (
                PydanticOutputParser(pydantic_object=cast(Any, schema))
                if is_pydantic
                else JsonOutputParser()
            )
        else:
            msg = f"Unrecognized method {method!r}; use function_calling, json_schema or json_mode"
            raise ValueError(msg)
        if include_raw:
            parser_assign = RunnablePassthrough.assign(
                parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
            )
            parser_none = RunnablePassthrough.assign(parsed=lambda _: None)
            with_fallback = parser_assign.with_fallbacks(
                [parser_none], exception_key="parsing_error"
            )
            return RunnableMap(raw=llm) | with_fallback
        return llm | parser


def _response_format(schema: dict[str, Any] | type, strict: bool | None) -> dict[str, Any]:
    """OpenAI ``response_format`` of type ``json_schema`` for any schema LangChain accepts."""
    is_format = isinstance(schema, dict) and schema.get("type") == "json_schema"
    if is_format and isinstance(schema, dict) and schema.get("json_schema"):
        return schema
    if isinstance(schema, dict) and "name" in schema and "schema" in schema:
        return {"type": "json_schema", "json_schema": schema}
    function = convert_to_openai_function(schema, strict=strict)
    spec: dict[str, Any] = {"name": function["name"], "schema": function.pop("parameters")}
    if function.get("description"):
        spec["description"] = function["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}
