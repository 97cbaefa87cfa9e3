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
from typing import TYPE_CHECKING, Any, Literal

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
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
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
    to_wire_messages,
)
from llamaindex_hub._rate_limiter import HubPlanRateLimiter
from llamaindex_hub._stream import StreamState, aclose_quietly, close_quietly, usage_kwargs
from llamaindex_hub._tools import ToolCallingMixin
from llamaindex_hub.usage import dispatch_reply_usage

if TYPE_CHECKING:
    from hub_core.client import HubClient

__all__ = ["HubLLM"]

# Call kwargs that are LlamaIndex plumbing, never request fields.
_NOT_WIRE = frozenset({"formatted", "use_chat_completions", "tool_required"})


class HubLLM(ToolCallingMixin, FunctionCallingLLM):
    """A chat model on one AI hub, for LlamaIndex: chat, complete, streams, tools, async.

    Prefer the per-hub classes (``ElectronHubLLM``, ``ChainHubLLM``, ``APIHubLLM``,
    ``TokenHubLLM``); ``HubLLM(hub="...")`` is the same thing chosen by name. Set it as
    ``Settings.llm`` and query engines, chat engines, structured programs and agents use it.

    Setup:
        Install ``ai-hubs[llamaindex]`` and export the hub's key, e.g.
        ``export TOKENHUB_API_KEY="th-..."`` (and ``TOKENHUB_BASE_URL`` to point elsewhere, such
        as the bundled emulator: ``ai-hubs emulator``). ``OPENAI_API_KEY`` is never read.

    Key init args — completion params:
        model: the hub's model id (``"gpt-4o"``, ``"openai/gpt-4.1"``); any name works, its
            context window and tool support come from the hub catalog (``llm.metadata``).
        temperature, max_tokens: sent only when set.
        additional_kwargs: extra request body fields, merged into every call (call kwargs win).
        stream_usage: ask for usage on streams (default True), so streams report tokens too.
        reasoning_effort: sent as ``reasoning_effort`` when set. reasoning_replay: ``"auto"``
            sends reasoning back only to models that require it on tool turns.
        strict: send strict function schemas. context_window, is_function_calling_model:
            override the catalog.

    Key init args — client params:
        hub: ``"electronhub"``, ``"chainhub"``, ``"apihub"`` or ``"tokenhub"`` (HubLLM only).
        api_key: defaults to ``<HUB>_API_KEY``. It is not in ``repr``, ``to_dict()``, events,
            logs or errors; pickles carry it (as a ``SecretStr``) so worker processes can call.
        base_url: defaults to ``<HUB>_BASE_URL``, then the hub's documented URL.
        timeout, max_retries (the transport's; the only retry layer), default_headers.
        plan / rpm: the client-side rate limit (``rpm=0`` turns it off); ``rate_window``: the
            seconds it counts over (default 60).
        budget: a ``hub_core.Budget`` shared with other objects (see Budget below).

    Instantiate:
        .. code-block:: python

            from llamaindex_hub import HubLLM

            llm = HubLLM(hub="tokenhub", model="openai/gpt-4.1", base_url=emu.base_url("tokenhub"),
                         api_key="th-demo", rpm=0)
            # Settings.llm = llm makes it the default of every index, engine and agent

    Invoke:
        .. code-block:: python

            from llama_index.core.llms import ChatMessage

            text = llm.complete("Say hello").text
            resp = llm.chat([ChatMessage(role="system", content="Be brief."),
                             ChatMessage(role="user", content="Say hello")])
            resp.message.content

    Stream:
        .. code-block:: python

            for part in llm.stream_complete("Say hello"):
                print(part.delta, end="")
            # part.text is the whole text so far; llm.stream_chat(messages) works the same way

    Async:
        .. code-block:: python

            await llm.acomplete("Say hello")
            await llm.achat([ChatMessage(role="user", content="Say hello")])
            async for part in await llm.astream_complete("Say hello"): ...

    Tool calling:
        .. code-block:: python

            from llama_index.core.tools import FunctionTool

            def get_weather(city: str) -> str:
                '''Weather in a city.'''
                return f"Sunny in {city}"

            tool = FunctionTool.from_defaults(fn=get_weather)
            turn = llm.chat_with_tools([tool], user_msg="Weather in Paris?")
            calls = llm.get_tool_calls_from_response(turn)  # [ToolSelection(tool_name=...)]
            answer = llm.predict_and_call([tool], user_msg="Weather in Paris?")  # runs the tool
            # FunctionAgent(tools=[tool], llm=llm) runs the whole loop, streamed or not

        One tool call per turn unless ``allow_parallel_tool_calls=True``; ``tool_choice`` may be
        ``"auto"``, ``"required"``, ``"none"`` or a tool name.

    Structured output:
        .. code-block:: python

            from llama_index.core.prompts import PromptTemplate
            from pydantic import BaseModel

            class City(BaseModel):
                name: str
                population: int

            city = llm.structured_predict(
                City, PromptTemplate("Extract the city: {text}"), text="name=Lyon population=522000"
            )
            sllm = llm.as_structured_llm(City)  # its chat/complete return the City in .raw

    Reasoning output:
        .. code-block:: python

            thinker = HubLLM(hub="tokenhub", model="deepseek/deepseek-r1",
                             base_url=emu.base_url("tokenhub"), api_key="th-demo", rpm=0)
            reply = thinker.chat([ChatMessage(role="user", content="Why is the sky blue?")])
            reply.message.blocks
            # [ThinkingBlock(content="..."), TextBlock(text="...")]

        Reasoning from ``reasoning_content``, ``reasoning``, ``reasoning_details`` or a leading
        ``<think>...</think>`` becomes a ``ThinkingBlock`` (streams: ``thinking_delta``).

    Token usage:
        .. code-block:: python

            resp.additional_kwargs  # {"prompt_tokens": ..., "completion_tokens": ..., ...}

            from llamaindex_hub import HubUsageHandler

            with HubUsageHandler() as usage:
                llm.complete("Say hello")
            usage.requests, usage.total_tokens, usage.cost  # (1, ..., {"credits": ...})

        A stream's last response carries the usage too, so LlamaIndex's ``TokenCountingHandler``
        counts hub calls; each reply (a stream once it ends) dispatches one ``HubUsageEvent``.

    Response metadata:
        ``resp.raw`` is the hub's reply (``id``, ``model``, ``usage``, with ``usage["cost"]``
        where the hub states it); ``resp.additional_kwargs`` holds the flat token counts,
        ``finish_reason``, and ``cost`` when the hub sent one. ``llm.metadata`` comes from the
        hub catalog.

        .. code-block:: python

            resp.raw["model"], resp.additional_kwargs["finish_reason"]
            llm.metadata.context_window, llm.metadata.is_function_calling_model

    Budget:
        .. code-block:: python

            from llamaindex_hub import Budget, BudgetExceededError

            budget = Budget(max_cost=0.0001, unit="USD")  # API Hub prices in $ per 1M tokens
            capped = HubLLM(hub="apihub", model="qwen-max", max_tokens=100, budget=budget,
                            base_url=emu.base_url("apihub"), api_key="sk-demo", rpm=0)
            try:
                for _ in range(10):
                    capped.complete("Hello")
            except BudgetExceededError as exc:  # raised before anything is sent
                refusal = str(exc)
            budget.spent <= budget.max_cost  # True

        Each call reserves its worst case first (prompt tokens + ``max_tokens``, else the
        model's max output, x price) and settles to the reply's cost; a failure after the
        request may have reached the hub (5xx, read timeout, broken or abandoned stream)
        settles to the worst case. A model with no known price is let through and counted in
        ``budget.unpriced_calls`` unless ``Budget(..., strict=True)`` or the budget is used up.

    Errors and credits:
        Errors are ``hub_core.errors`` classes: ``InsufficientCreditsError`` (402, after one
        request: never retried; ``balance``, ``affordable_max_tokens`` when the hub says),
        ``RateLimitError`` (``retry_after``), ``AuthenticationError``, ``StreamError``
        (``partial_text``). Bad input raises before any request:

        .. code-block:: python

            try:
                HubLLM(hub="tokenhub", model="openai/gpt-4.1", max_tokens=0)
            except ValueError as exc:  # a hub_core.errors.HubInputError
                problem = str(exc)  # names the field, the rule and the fix
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


_PER_HUB = ("APIHubLLM", "ChainHubLLM", "ElectronHubLLM", "TokenHubLLM")


def __getattr__(name: str) -> Any:
    """The per-hub classes live in ``hub_llms``; this keeps ``llms.TokenHubLLM`` (and pickles
    made before the split) working without an import cycle."""
    if name in _PER_HUB:
        from llamaindex_hub import hub_llms

        return getattr(hub_llms, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
