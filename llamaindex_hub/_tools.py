"""Tool calling for ``HubLLM``: OpenAI tool specs out, ``ToolSelection``s back.

A module of its own (as ``langchain_hub._structured`` is for ``ChatHub``), so ``llms.py`` keeps
to the chat calls: this one turns LlamaIndex tools into request fields and reads tool calls,
possibly partial and streamed, back out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection

from llamaindex_hub._messages import resolve_tool_choice, tool_selections

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

    from hub_core.catalog import ModelInfo

__all__ = ["ToolCallingMixin"]


class ToolCallingMixin:
    """The ``FunctionCallingLLM`` tool hooks for an LLM that speaks OpenAI tools.

    A plain mixin placed before ``FunctionCallingLLM`` (``class HubLLM(ToolCallingMixin,
    FunctionCallingLLM)``), so it adds no pydantic fields and no constructor of its own.
    """

    if TYPE_CHECKING:  # provided by HubLLM
        model: str
        strict: bool

        @property
        def model_info(self) -> ModelInfo: ...

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Chat kwargs for a tool turn: OpenAI tool specs, ``tool_choice``, the messages.

        ``tool_choice`` may be ``"auto"``/``"required"``/``"none"``, a tool name or a dict.
        ``parallel_tool_calls=False`` is sent only when parallel calls are not allowed and the
        model is not a reasoning model (those reject the field); the response is trimmed to one
        call either way. The caller's ``chat_history`` list is not modified.
        """
        tool_choice = kwargs.pop("tool_choice", None)
        specs: list[dict[str, Any]] = []
        for tool in tools:
            spec = tool.metadata.to_openai_tool(skip_length_check=True)
            if self.strict:
                spec["function"]["strict"] = True
                spec["function"].setdefault("parameters", {})["additionalProperties"] = False
            specs.append(spec)
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            messages.append(ChatMessage(role=MessageRole.USER, content=user_msg))
        elif user_msg is not None:
            messages.append(user_msg)
        prepared: dict[str, Any] = {"messages": messages, **kwargs}
        if specs:
            prepared["tools"] = specs
            prepared["tool_choice"] = resolve_tool_choice(tool_choice, tool_required)
            if not allow_parallel_tool_calls and not self.model_info.reasoning:
                prepared["parallel_tool_calls"] = False
        return prepared

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call unless parallel calls were allowed."""
        if not allow_parallel_tool_calls:
            seen = False
            kept = []
            for block in response.message.blocks:
                if isinstance(block, ToolCallBlock):
                    if seen:
                        continue
                    seen = True
                kept.append(block)
            response.message.blocks = kept
            legacy = response.message.additional_kwargs.get("tool_calls")
            if isinstance(legacy, list) and len(legacy) > 1:
                response.message.additional_kwargs["tool_calls"] = legacy[:1]
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """Tool calls of a (possibly partial, streamed) response; partial JSON is tolerated."""
        selections = tool_selections(response.message)
        if not selections and error_on_no_tool_call:
            raise ValueError(
                f"Expected at least one tool call, but {self.model} answered without one."
            )
        return selections
