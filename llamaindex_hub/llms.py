"""LlamaIndex ``FunctionCallingLLM``s for Electron Hub, ChainHub, API Hub and TokenHub.

``Settings.llm = TokenHubLLM(model="openai/gpt-4.1")`` and query engines, chat engines, structured
programs and agents work, without the ``OpenAILike`` pitfalls: metadata comes from the hub
catalog (any model name, never 3900 tokens / "not a chat model"), tools work streamed or not,
streams report usage, reasoning becomes ``ThinkingBlock``s, errors are ``hub_core`` errors with a
single retry layer (the transport's), and the key never leaves the object.

Example:
    >>> from llamaindex_hub import TokenHubLLM
    >>> llm = TokenHubLLM(model="openai/gpt-4.1", api_key="th-...")  # doctest: +SKIP
    >>> llm.complete("Say hi").text  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from pydantic import SecretStr

from hub_core.budget import Budget
from hub_core.catalog import ModelInfo, model_info, with_overrides
from hub_core.chat import build_chat_payload, choices_of, delta_of, reasoning_replay_policy
from hub_core.errors import HubAPIError
from hub_core.hubs import get_hub
from hub_core.validate import check_model, check_positive_int
from llamaindex_hub._messages import (
    ReplayPolicy,
    from_wire_message,
    resolve_tool_choice,
    to_wire_messages,
    tool_selections,
)
from llamaindex_hub._rate_limiter import HubPlanRateLimiter
from llamaindex_hub._stream import StreamState, aclose_quietly, close_quietly, usage_kwargs
from llamaindex_hub.usage import dispatch_reply_usage

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

    from hub_core.client import HubClient

__all__ = ["APIHubLLM", "ChainHubLLM", "ElectronHubLLM", "HubLLM", "TokenHubLLM"]

# Call kwargs that are LlamaIndex plumbing, never request fields.
_NOT_WIRE = frozenset({"formatted", "use_chat_completions", "tool_required"})


class HubLLM(FunctionCallingLLM):
    """A chat model on one AI hub, for LlamaIndex (chat, complete, streaming, tools, async).

    Args:
        hub: ``"electronhub"``, ``"chainhub"``, ``"apihub"``, ``"tokenhub"`` (or a registered hub).
        model: the hub's model id, e.g. ``"gpt-4o"`` or ``"openai/gpt-4.1"``.
        api_key: defaults to ``<HUB>_API_KEY`` (never ``OPENAI_API_KEY``). Kept private: it is not
            in ``repr``, ``to_dict()``, events, logs or errors; pickles carry it (as a
            ``SecretStr``) so worker processes can call the hub.
        base_url: defaults to ``<HUB>_BASE_URL``, then the hub's documented URL.
        rpm: client-side requests/minute; None uses the plan's preset, 0 turns it off.
        rate_window: seconds the rpm counts over (default 60).
        stream_usage: ask for usage on streams, so ``TokenCountingHandler`` counts hub calls.
        reasoning_effort: sent as ``reasoning_effort`` when set.
        reasoning_replay: ``"auto"`` follows ``hub_core.chat.reasoning_replay_policy`` (send
            reasoning back only to models that require it on tool turns).
        budget: a ``hub_core.Budget`` shared with other objects: each call reserves its worst
            case first (prompt tokens, counted offline when a byte bound does not fit, +
            ``max_tokens``, else the model's max output, x price; ``BudgetExceededError`` and
            nothing sent when it does not fit) and settles to
            the reply's cost, or to the worst case when it failed after the request may have
            reached the hub (5xx, read timeout, broken or abandoned stream).

    Each reply (a stream once it ends) dispatches a ``HubUsageEvent`` that ``HubUsageHandler``
    sums.

    Example:
        .. code-block:: python

            from llama_index.core import Settings
            from llama_index.core.agent.workflow import FunctionAgent
            from llamaindex_hub import TokenHubLLM

            Settings.llm = TokenHubLLM(model="openai/gpt-4.1")   # TOKENHUB_API_KEY
            Settings.llm.complete("Hello").text
            for part in Settings.llm.stream_complete("Tell me a story"):
                print(part.delta, end="")
            agent = FunctionAgent(tools=[...], llm=Settings.llm)  # tool calling works

        Out of credits raises ``hub_core.InsufficientCreditsError`` after one request; reasoning
        models give ``ThinkingBlock``s; usage is on the final response for
        ``TokenCountingHandler``.
    """

    hub: str = Field(description="Hub name, e.g. 'tokenhub'.")
    model: str = Field(description="The hub's model id.")
    base_url: str | None = Field(default=None, description="Override of the hub's API base URL.")
    timeout: float | None = Field(default=None, description="Request timeout in seconds.")
    max_retries: int = Field(default=2, ge=0, description="Transport retries (the only layer).")
    default_headers: dict[str, str] | None = Field(
        default=None,
        description="Headers sent with every request (may carry secrets: not serialized).",
        exclude=True,
        repr=False,
    )
    plan: str | None = Field(default=None, description="Hub plan whose RPM limit applies.")
    rpm: int | None = Field(
        default=None, ge=0, description="Requests/minute; None = plan preset, 0 = no limit."
    )
    rate_window: float | None = Field(
        default=None, gt=0, description="Seconds the rpm counts over (default 60)."
    )
    temperature: float | None = Field(
        default=None, description="Sampling temperature; None leaves the model's default."
    )
    max_tokens: int | None = Field(default=None, gt=0, description="Max output tokens.")
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request body fields, merged into every call."
    )
    stream_usage: bool = Field(default=True, description="Request usage on streamed calls.")
    reasoning_effort: str | None = Field(default=None, description="Reasoning effort hint.")
    reasoning_replay: Literal["auto", "require", "strip"] = Field(
        default="auto", description="Send reasoning back on assistant turns."
    )
    strict: bool = Field(default=False, description="Send strict function schemas.")
    context_window: int | None = Field(
        default=None, gt=0, description="Override the catalog's context window."
    )
    is_function_calling_model: bool | None = Field(
        default=None, description="Override the catalog's tool-calling capability."
    )
    budget: Budget | None = Field(default=None, exclude=True, description="Spending cap.")

    _api_key: SecretStr | None = PrivateAttr(default=None)
    _client: Any = PrivateAttr(default=None)
    _own_limiter: bool = PrivateAttr(default=False)

    def __init__(
        self,
        model: str | None = None,
        *,
        hub: str | None = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        plan: str | None = None,
        rpm: int | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        additional_kwargs: Mapping[str, Any] | None = None,
        stream_usage: bool = True,
        reasoning_effort: str | None = None,
        rate_limiter: Any = None,
        **kwargs: Any,
    ) -> None:
        if hub is None:
            raise TypeError("HubLLM needs hub=..., e.g. HubLLM(hub='tokenhub', model=...)")
        if model is None:
            raise TypeError("model is required, e.g. model='gpt-4o'")
        profile = get_hub(hub)
        check_model(model, hub=profile.name)
        check_positive_int(max_tokens, "max_tokens", hub=profile.name, fix="e.g. max_tokens=1024")
        profile.resolve_base_url(base_url)  # refuses a URL without http(s)://, here or in env
        super().__init__(
            hub=profile.name,
            model=model,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=dict(default_headers) if default_headers is not None else None,
            plan=plan,
            rpm=rpm,
            temperature=temperature,
            max_tokens=max_tokens,
            additional_kwargs=dict(additional_kwargs or {}),
            stream_usage=stream_usage,
            reasoning_effort=reasoning_effort,
            **kwargs,
        )
        self._api_key = self._resolve_key(api_key)
        if rate_limiter is None:
            effective = profile.plan_rpm(self.plan) if self.rpm is None else self.rpm
            rate_limiter = HubPlanRateLimiter.for_key(
                profile.name, self._api_key, effective, self.rate_window,
                plan=profile.plan_label(self.plan, self.rpm),
            )
            self._own_limiter = rate_limiter is not None
        self.rate_limiter = rate_limiter

    def _resolve_key(self, api_key: str | SecretStr | None) -> SecretStr | None:
        if isinstance(api_key, SecretStr):
            return api_key
        if api_key:
            return SecretStr(api_key)
        from_env = os.environ.get(get_hub(self.hub).api_key_env)
        return SecretStr(from_env) if from_env else None

    @classmethod
    def class_name(cls) -> str:
        return "HubLLM"

    # -- secret hygiene and pickling -------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state = dict(state)
        fields = dict(state.get("__dict__", {}))
        if self._own_limiter:
            fields["rate_limiter"] = None  # rebuilt for this key in the new process
        state["__dict__"] = fields
        private = dict(state.get("__pydantic_private__") or {})
        # The key travels with the pickle (as SecretStr does) so worker processes can call the
        # hub; it is never in repr, to_dict/to_json, events, logs or errors.
        private["_client"] = None
        state["__pydantic_private__"] = private
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        fields = dict(state.get("__dict__", {}))
        private = state.get("__pydantic_private__") or {}
        type(self).__init__(self, api_key=private.get("_api_key"), **fields)

    def to_payload(self) -> dict[str, Any]:
        """What instrumentation events see: metadata and the hub, never the key or headers."""
        return {"class_name": self.class_name(), "hub": self.hub, **self.metadata.model_dump()}

    # -- plumbing --------------------------------------------------------------------------

    @property
    def client(self) -> HubClient:
        """The ``HubClient`` this LLM talks through (built on first use)."""
        if self._client is None:
            from hub_core.client import client_from_settings

            self._client = client_from_settings(self, api_key=self._api_key)
        return self._client

    def close(self) -> None:
        """Release this LLM's connections (shared pools stay open for other clients)."""
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        """Async twin of :meth:`close`."""
        if self._client is not None:
            await self._client.aclose()

    @property
    def model_info(self) -> ModelInfo:
        """Catalog entry of the model (family defaults for an unknown name, never an error)."""
        info = model_info(self.hub, self.model)
        return with_overrides(
            info,
            context_window=self.context_window,
            supports_tools=self.is_function_calling_model,
        )

    @property
    def metadata(self) -> LLMMetadata:
        """Context window, output size and tool support from the hub catalog."""
        info = self.model_info
        num_output = self.max_tokens or min(info.max_output_tokens, 4096)
        return LLMMetadata(
            context_window=info.context_window,
            num_output=num_output,
            is_chat_model=True,
            is_function_calling_model=info.supports_tools,
            model_name=self.model,
        )

    def _replay_policy(self) -> ReplayPolicy:
        if self.reasoning_replay == "auto":
            return reasoning_replay_policy(self.model)
        return self.reasoning_replay

    def _payload(
        self, messages: Sequence[ChatMessage], *, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        """The request body: model params, then ``additional_kwargs``, then call kwargs."""
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "reasoning_effort": self.reasoning_effort,
        }
        params.update(self.additional_kwargs)
        params.update({k: v for k, v in kwargs.items() if k not in _NOT_WIRE})
        params.pop("messages", None)
        params.pop("model", None)
        params.pop("stream", None)
        wire = to_wire_messages(messages, replay=self._replay_policy())
        return build_chat_payload(
            get_hub(self.hub),
            self.model,
            wire,
            stream=stream,
            stream_usage=self.stream_usage,
            **params,
        )

    def _to_chat_response(self, body: Any) -> ChatResponse:
        dispatch_reply_usage(self.hub, self.model, body.get("usage") if isinstance(body, dict)
                             else None)
        choices = choices_of(body)
        if not choices:
            raise HubAPIError(
                "the hub answered without choices; no message to return",
                hub=self.hub,
                status_code=200,
                body=body,
            )
        message = from_wire_message(delta_of(choices[0]))
        extra = usage_kwargs(body.get("usage"))
        if choices[0].get("finish_reason"):
            extra["finish_reason"] = choices[0]["finish_reason"]
        return ChatResponse(message=message, raw=body, additional_kwargs=extra)

    # -- private, undecorated paths (complete wraps these, so nothing is counted twice) ----

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        payload = self._payload(messages, stream=False, **kwargs)
        return self._to_chat_response(self.client.chat(payload, budget=self.budget).json())

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        payload = self._payload(messages, stream=False, **kwargs)
        response = await self.client.achat(payload, budget=self.budget)
        return self._to_chat_response(response.json())

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        payload = self._payload(messages, stream=True, **kwargs)
        client, hub, model, budget = self.client, self.hub, self.model, self.budget

        def gen() -> ChatResponseGen:
            state = StreamState()
            stream = client.stream_chat(payload, budget=budget)
            try:
                for chunk in stream:
                    response = state.feed(chunk)
                    if response is not None:
                        yield response
            finally:
                close_quietly(stream)
            dispatch_reply_usage(hub, model, state.usage or None)
            tail = state.finish()
            if tail is not None:
                yield tail

        return gen()

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        payload = self._payload(messages, stream=True, **kwargs)
        client, hub, model, budget = self.client, self.hub, self.model, self.budget

        async def gen() -> ChatResponseAsyncGen:
            state = StreamState()
            stream = client.astream_chat(payload, budget=budget)
            try:
                async for chunk in stream:
                    response = state.feed(chunk)
                    if response is not None:
                        yield response
            finally:
                await aclose_quietly(stream)
            dispatch_reply_usage(hub, model, state.usage or None)
            tail = state.finish()
            if tail is not None:
                yield tail

        return gen()

    # -- public API (decorated once each) ----------------------------------------------------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """One chat completion."""
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Streamed chat: each response carries the whole message so far plus ``delta``."""
        return self._stream_chat(messages, **kwargs)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """A completion, sent as one user message to the chat endpoint."""
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Streamed completion over the chat endpoint."""
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async twin of :meth:`chat`."""
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async twin of :meth:`stream_chat`."""
        return await self._astream_chat(messages, **kwargs)

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async twin of :meth:`complete`."""
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async twin of :meth:`stream_complete`."""
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)

    # -- tools -----------------------------------------------------------------------------

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


class _FixedHubLLM(HubLLM):
    """A ``HubLLM`` bound to one hub; ``hub`` may be passed only if it matches."""

    HUB: ClassVar[str] = ""

    def __init__(
        self,
        model: str | None = None,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        plan: str | None = None,
        rpm: int | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        additional_kwargs: Mapping[str, Any] | None = None,
        stream_usage: bool = True,
        reasoning_effort: str | None = None,
        rate_limiter: Any = None,
        **kwargs: Any,
    ) -> None:
        hub = kwargs.pop("hub", None) or self.HUB
        if hub != self.HUB:
            raise ValueError(f"{type(self).__name__} talks to {self.HUB!r}, not {hub!r}")
        super().__init__(
            model,
            hub=hub,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            plan=plan,
            rpm=rpm,
            temperature=temperature,
            max_tokens=max_tokens,
            additional_kwargs=additional_kwargs,
            stream_usage=stream_usage,
            reasoning_effort=reasoning_effort,
            rate_limiter=rate_limiter,
            **kwargs,
        )

    @classmethod
    def class_name(cls) -> str:
        return cls.__name__


class ElectronHubLLM(_FixedHubLLM):
    """Electron Hub chat models (``ek-`` keys, ``ELECTRONHUB_API_KEY``), e.g. ``gpt-4o``."""

    HUB: ClassVar[str] = "electronhub"

    __init__ = _FixedHubLLM.__init__  # an explicit signature for type checkers


class ChainHubLLM(_FixedHubLLM):
    """ChainHub chat models (``CHAINHUB_API_KEY``), e.g. ``gpt-4o``."""

    HUB: ClassVar[str] = "chainhub"

    __init__ = _FixedHubLLM.__init__  # an explicit signature for type checkers


class APIHubLLM(_FixedHubLLM):
    """API Hub chat models (``APIHUB_API_KEY``), e.g. ``deepseek-chat``, ``qwen-max``."""

    HUB: ClassVar[str] = "apihub"

    __init__ = _FixedHubLLM.__init__  # an explicit signature for type checkers


class TokenHubLLM(_FixedHubLLM):
    """TokenHub chat models (``th-`` keys, ``TOKENHUB_API_KEY``), ids like ``openai/gpt-4.1``."""

    HUB: ClassVar[str] = "tokenhub"

    __init__ = _FixedHubLLM.__init__  # an explicit signature for type checkers
