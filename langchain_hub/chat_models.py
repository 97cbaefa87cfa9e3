"""LangChain chat models for Electron Hub, ChainHub, API Hub and TokenHub.

A standalone ``BaseChatModel`` (the ``langchain-openrouter`` shape, not a ChatOpenAI subclass), so
it owns the wire conversion: reasoning in every dialect, tolerant streamed tool calls, credit-aware
typed errors and the hub plan's shared rate limit. All HTTP goes through ``hub_core.HubClient``.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, Literal, cast

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    model_validator,
)

from hub_core import errors as core_errors
from hub_core.budget import Budget
from hub_core.catalog import model_info
from hub_core.chat import build_chat_payload, choices_of, reasoning_replay_policy
from hub_core.client import HubClient, client_from_settings
from hub_core.credits import reply_cost
from hub_core.hubs import HubProfile, get_hub
from hub_core.ratelimit import limiter_for
from hub_core.tokens import count_message_tokens, count_tokens
from hub_core.validate import (
    check_base_url,
    check_model,
    check_positive_int,
    check_tools,
    input_error_in,
)
from langchain_hub._errors import is_retryable, to_langchain_error
from langchain_hub._messages import (
    ReplayPolicy,
    StreamState,
    ai_message_from_choice,
    messages_to_wire,
)
from langchain_hub._rate_limiter import HubPlanRateLimiter

__all__ = ["ChatAPIHub", "ChatChainHub", "ChatElectronHub", "ChatHub", "ChatTokenHub"]

_INTERNAL_KWARGS = ("ls_structured_output_format", "structured_output_format", "stream")
_ToolChoice = dict[str, Any] | str | bool | None


def _is_pydantic_v1(schema: Any) -> bool:
    try:
        from pydantic.v1 import BaseModel as V1BaseModel
    except ImportError:  # pragma: no cover - pydantic 2 always ships v1
        return False
    return isinstance(schema, type) and issubclass(schema, V1BaseModel)


class ChatHub(BaseChatModel):
    """Chat model for any registered hub, a drop-in for ``ChatOpenAI``.

    Prefer the per-hub classes (``ChatElectronHub``, ``ChatChainHub``, ``ChatAPIHub``,
    ``ChatTokenHub``); ``ChatHub(hub="...")`` is the same thing chosen by name.

    Setup:
        Install ``ai-hubs[langchain]`` and export the hub's key, e.g.
        ``export TOKENHUB_API_KEY="th-..."`` (and ``TOKENHUB_BASE_URL`` to point elsewhere, such
        as the bundled emulator: ``ai-hubs emulator``).

    Key init args — completion params:
        model: model id as the hub names it (``"gpt-4o"``, ``"openai/gpt-4.1"``).
        temperature, max_tokens, stop, n, seed, top_p, frequency_penalty, presence_penalty,
        logit_bias, logprobs, top_logprobs: OpenAI chat parameters, sent only when set.
        reasoning_effort / reasoning: reasoning controls, passed to the hub as given.
        stream_usage: ask for token usage in streams (default True).

    Key init args — client params:
        hub: ``"electronhub"``, ``"chainhub"``, ``"apihub"`` or ``"tokenhub"`` (ChatHub only).
        api_key: defaults to ``<HUB>_API_KEY``. base_url: defaults to ``<HUB>_BASE_URL``.
        timeout, max_retries, default_headers, proxy.
        plan / rpm: the client-side rate limit (``rpm=0`` turns it off); ``rate_window``:
            the seconds it counts over (default 60).

    Instantiate:
        .. code-block:: python

            from langchain_hub import ChatHub

            llm = ChatHub(hub="tokenhub", model="openai/gpt-4.1", base_url=emu.base_url("tokenhub"),
                          api_key="th-demo", rpm=0)

    Invoke:
        .. code-block:: python

            msg = llm.invoke("Say hello")
            msg.content, msg.response_metadata["model_name"]

    Stream:
        .. code-block:: python

            for chunk in llm.stream("Say hello"):
                print(chunk.text, end="")
            # exactly one chunk carries usage_metadata; the last has chunk_position == "last"

    Async:
        .. code-block:: python

            await llm.ainvoke("Say hello")
            async for chunk in llm.astream("Say hello"): ...
            await llm.abatch(["a", "b"])

    Tool calling:
        .. code-block:: python

            def get_weather(city: str) -> str:
                '''Weather in a city.'''

            ai = llm.bind_tools([get_weather], tool_choice="any").invoke("Weather in Paris?")
            ai.tool_calls  # [{"name": "get_weather", "args": {"city": "Paris"}, ...}]

    Structured output:
        .. code-block:: python

            from pydantic import BaseModel

            class Answer(BaseModel):
                city: str

            llm.with_structured_output(Answer).invoke("Paris")
            # method defaults to "json_schema" where the model supports it, else
            # "function_calling"; "json_mode" and include_raw=True work too.

    Reasoning output:
        Reasoning from ``reasoning_content``, ``reasoning``, ``reasoning_details`` or a leading
        ``<think>...</think>`` lands in ``additional_kwargs["reasoning_content"]`` and in v1
        ``reasoning`` content blocks (``output_version="v1"``).

    Token usage:
        .. code-block:: python

            msg.usage_metadata  # {"input_tokens": ..., "output_tokens": ..., "total_tokens": ...}
            llm.get_num_tokens_from_messages([("human", "Say hello")])  # offline, any model

    Response metadata:
        ``model_name`` (as the hub answered), ``model_provider`` (the hub), ``finish_reason``,
        ``id``, ``system_fingerprint``, ``upstream_provider`` when given, ``cost`` and
        ``cost_unit`` when the price is known, ``headers`` with ``include_response_headers``.

    Budget:
        ``budget=Budget(max_cost=5, unit="credits")`` (shared by any number of models, threads
        and event loops) reserves each call's worst case before sending: prompt tokens (bounded
        by the prompt's UTF-8 size, counted exactly offline only when that bound does not fit)
        plus ``max_tokens`` (else the model's max output) x price. A call that does not fit
        raises ``BudgetExceededError`` and sends nothing; a reply settles to its real cost; a
        failure after the request may have reached the hub (5xx, read timeout, broken or
        abandoned stream) settles to the worst case.

    Errors and credits:
        Errors are ``hub_core.errors`` classes that are also langchain-core ``ModelError``
        subclasses: ``InsufficientCreditsError`` (402, never retried), ``RateLimitError``
        (``ModelRateLimitError``, ``retry_after``), ``AuthenticationError``, ``StreamError``
        (``partial_text``). ``llm.with_retry()`` skips errors whose ``is_retryable`` is False, and
        ``llm.with_fallbacks([other_hub_llm])`` moves on when a hub is out of credits.
    """

    model_config = ConfigDict(populate_by_name=True, protected_namespaces=())

    hub: str = ""
    """The hub's registered name; fixed by the per-hub subclasses."""
    model_name: str = Field(alias="model")
    """Model id as the hub names it."""
    api_key: SecretStr | None = None
    """Defaults to ``<HUB>_API_KEY``."""
    base_url: str | None = None
    """Defaults to ``<HUB>_BASE_URL``, then the hub's documented URL."""
    timeout: float | None = None
    """Seconds per HTTP phase; None uses the transport defaults (read 120 s)."""
    max_retries: int = 2
    """Retries after the first attempt, for retryable failures only (never a 402)."""
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, alias="max_completion_tokens")
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    n: int | None = None
    seed: int | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    logit_bias: dict[int, int] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    streaming: bool = False
    """Stream internally even for ``invoke``."""
    stream_usage: bool = True
    """Ask for usage in streams (``stream_options.include_usage``)."""
    reasoning_effort: str | None = None
    """``"low"``/``"medium"``/``"high"``... where the model supports it."""
    reasoning: dict[str, Any] | None = None
    """Hub reasoning options, e.g. Electron Hub ``{"effort": "high", "exclude": False}``."""
    reasoning_replay: Literal["auto", "require", "strip"] = "auto"
    """Send reasoning back on assistant tool-call turns: ``auto`` decides by model family."""
    extra_body: dict[str, Any] | None = None
    """Hub-specific fields merged into the request body last."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other OpenAI parameters, flattened into the request body."""
    default_headers: dict[str, str] | None = None
    """Sent with every request."""
    include_response_headers: bool = False
    """Put the HTTP response headers in ``response_metadata["headers"]`` (on a stream's last
    chunk)."""
    plan: str | None = None
    """The hub plan whose RPM the default rate limiter enforces (default: hub's default)."""
    rpm: int | None = None
    """Explicit requests per minute; 0 turns client-side limiting off."""
    rate_window: float | None = Field(default=None, gt=0)
    """Seconds the rpm counts over (default 60); smaller scales a plan down for test servers."""
    proxy: str | None = None
    budget: Budget | None = Field(default=None, exclude=True)
    """A spending cap shared with other objects; None spends without one."""

    _client: HubClient | None = PrivateAttr(default=None)
    _client_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    # -- construction ------------------------------------------------------------------------

    @model_validator(mode="before")
    @classmethod
    def _hub_defaults(cls, values: Any) -> Any:
        """Fill key/base URL from the hub's env vars; move unknown kwargs into model_kwargs."""
        if not isinstance(values, dict):
            return values
        values = dict(values)
        hub = values.get("hub") or cls.model_fields["hub"].default
        if not hub:
            msg = "ChatHub needs hub=... ('electronhub', 'chainhub', 'apihub' or 'tokenhub')"
            raise ValueError(msg)
        profile = get_hub(hub)
        values["hub"] = profile.name
        if values.get("api_key") is None and (env_key := os.environ.get(profile.api_key_env)):
            values["api_key"] = env_key
        if values.get("base_url"):
            check_base_url(values["base_url"], hub=profile.name)
        elif env_url := os.environ.get(profile.base_url_env):
            values["base_url"] = check_base_url(env_url, hub=profile.name,
                                                source=profile.base_url_env)
        known: set[str] = set()
        for name, info in cls.model_fields.items():
            known.add(name)
            if info.alias:
                known.add(info.alias)
        extra = dict(values.get("model_kwargs") or {})
        for key in list(values):
            if key not in known:
                warnings.warn(
                    f"{key!r} is not a ChatHub field; sending it in the request body via "
                    "model_kwargs (use extra_body for hub-specific fields).",
                    UserWarning,
                    stacklevel=4,
                )
                extra[key] = values.pop(key)
        if extra:
            values["model_kwargs"] = extra
        return values

    def __init__(self, **kwargs: Any) -> None:
        """Build the model; bad settings raise ``HubInputError`` (a ``ValueError``) naming the
        field, not pydantic's wrapper around it."""
        try:
            super().__init__(**kwargs)
        except ValidationError as exc:
            raise input_error_in(exc) from None

    @model_validator(mode="after")
    def _hub_checks(self) -> ChatHub:
        """Validate model, max_tokens, n/streaming; attach the plan's shared rate limiter."""
        check_model(self.model_name, hub=self.hub)
        check_positive_int(self.max_tokens, "max_tokens", hub=self.hub, fix="e.g. max_tokens=1024")
        if self.n is not None and self.n < 1:
            raise ValueError("n must be at least 1")
        if self.n is not None and self.n > 1 and self.streaming:
            raise ValueError("n must be 1 when streaming")
        if self.rate_limiter is None:
            profile = self.profile_hub
            rpm = profile.plan_rpm(self.plan) if self.rpm is None else self.rpm
            plan = profile.plan_label(self.plan, self.rpm)
            limiter = limiter_for(self.hub, self.api_key, rpm, self.rate_window, plan=plan)
            if limiter is not None:
                self.rate_limiter = HubPlanRateLimiter(limiter)
        return self

    def _resolve_model_profile(self) -> ModelProfile | None:
        """Capabilities from the hub catalog (context window, tools, json_schema, vision...)."""
        return cast(ModelProfile, model_info(self.hub, self.model_name).as_langchain_profile())

    @property
    def profile_hub(self) -> HubProfile:
        """The hub's :class:`~hub_core.hubs.HubProfile`."""
        return get_hub(self.hub)

    @property
    def client(self) -> HubClient:
        """The ``HubClient`` (built on first use, rebuilt after unpickling)."""
        client = self._client
        if client is None:
            with self._client_lock:
                client = self._client
                if client is None:
                    client = client_from_settings(self)
                    self._client = client
        return client

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        private["_client"] = None
        private.pop("_client_lock", None)
        state["__pydantic_private__"] = private
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        private = dict(state.get("__pydantic_private__") or {})
        private["_client_lock"] = threading.Lock()
        state["__pydantic_private__"] = private
        super().__setstate__(state)

    # -- LangChain plumbing --------------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return f"{self.hub}-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": self.profile_hub.api_key_env}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_hub", "chat_models"]

    @property
    def _default_params(self) -> dict[str, Any]:
        """Wire parameters that are set on the instance."""
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": [self.stop] if isinstance(self.stop, str) else self.stop,
            "n": self.n,
            "seed": self.seed,
            "top_p": self.top_p,
            "frequency_penalty": self.frequency_penalty,
            "presence_penalty": self.presence_penalty,
            "logit_bias": self.logit_bias,
            "logprobs": self.logprobs,
            "top_logprobs": self.top_logprobs,
            "reasoning_effort": self.reasoning_effort,
            "reasoning": self.reasoning,
            **self.model_kwargs,
        }
        return {k: v for k, v in params.items() if v is not None}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"hub": self.hub, "model_name": self.model_name, **self._default_params}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = {**self._default_params, **kwargs}
        ls = LangSmithParams(
            ls_provider=self.hub,
            ls_model_name=str(kwargs.get("model") or self.model_name),
            ls_model_type="chat",
        )
        if (temperature := params.get("temperature")) is not None:
            ls["ls_temperature"] = temperature
        if (max_tokens := params.get("max_tokens")) is not None:
            ls["ls_max_tokens"] = max_tokens
        if ls_stop := stop or params.get("stop"):
            ls["ls_stop"] = ls_stop if isinstance(ls_stop, list) else [ls_stop]
        return ls

    # -- request building ---------------------------------------------------------------------

    def _replay_policy(self, model: str) -> ReplayPolicy:
        if self.reasoning_replay == "auto":
            return reasoning_replay_policy(model)
        return self.reasoning_replay

    def _build_request(
        self,
        messages: Sequence[BaseMessage],
        stop: list[str] | None,
        *,
        stream: bool,
        kwargs: dict[str, Any],
    ) -> tuple[dict[str, Any], dict[str, str] | None]:
        """The JSON body and per-call headers of one chat request."""
        call = dict(kwargs)
        for key in _INTERNAL_KWARGS:
            call.pop(key, None)
        headers = call.pop("extra_headers", None)
        stream_usage = call.pop("stream_usage", self.stream_usage)
        extra_body = {**(self.extra_body or {}), **(call.pop("extra_body", None) or {})}
        model = str(call.pop("model", None) or self.model_name)
        if call.get("tools") == []:
            call.pop("tools")
            call.pop("tool_choice", None)
            call.pop("parallel_tool_calls", None)
        params = {**self._default_params, **call}
        if stop is not None:
            params["stop"] = stop
        if stream and (params.get("n") or 1) > 1:
            raise ValueError("n must be 1 when streaming")
        wire = messages_to_wire(messages, replay=self._replay_policy(model))
        payload = build_chat_payload(
            self.profile_hub,
            model,
            wire,
            stream=stream,
            stream_usage=bool(stream_usage),
            extra_body=extra_body or None,
            **params,
        )
        return payload, (dict(headers) if headers else None)

    # -- results -----------------------------------------------------------------------------

    def _cost_metadata(self, model: str, usage: Any) -> dict[str, Any]:
        """``cost`` / ``cost_unit``: the hub's ``usage.cost``, else the price table; {} unknown."""
        cost = reply_cost(self.profile_hub, model, usage if isinstance(usage, Mapping) else None)
        if cost is None:
            return {}
        return {"cost": cost.amount, "cost_unit": cost.unit}

    def _create_chat_result(
        self, body: Any, headers: Mapping[str, str] | None, model: str
    ) -> ChatResult:
        if not isinstance(body, Mapping):
            raise to_langchain_error(
                core_errors.HubAPIError(
                    f"unexpected response body of type {type(body).__name__}",
                    hub=self.hub,
                    status_code=200,
                )
            )
        # A 200 whose body is an error never gets here: the transport raises it.
        choices = choices_of(body)
        if not choices:
            raise to_langchain_error(
                core_errors.HubAPIError(
                    "the hub answered without choices", hub=self.hub, status_code=200, body=body
                )
            )
        usage = body.get("usage")
        extra_meta: dict[str, Any] = {}
        if usage:
            extra_meta["token_usage"] = usage
        extra_meta.update(self._cost_metadata(model, usage))
        if self.include_response_headers and headers is not None:
            extra_meta["headers"] = dict(headers)
        generations = []
        for i, choice in enumerate(choices):
            message = ai_message_from_choice(choice, body, hub=self.hub)
            message.response_metadata.update(extra_meta)
            if i > 0:
                message.usage_metadata = None
            info: dict[str, Any] = {"finish_reason": choice.get("finish_reason")}
            if choice.get("logprobs") is not None:
                info["logprobs"] = choice["logprobs"]
            generations.append(ChatGeneration(message=message, generation_info=info))
        llm_output = {
            "token_usage": usage,
            "model_name": body.get("model", model),
            "model_provider": self.hub,
            "system_fingerprint": body.get("system_fingerprint"),
        }
        return ChatResult(generations=generations, llm_output=llm_output)

    def _final_chunks(
        self,
        state: StreamState,
        payload: Mapping[str, Any],
        stream_usage: bool,
        reply_headers: dict[str, str] | None = None,
    ) -> list[AIMessageChunk]:
        """The closing chunks; usage is estimated offline when the hub sent none but was asked."""
        model = str(payload["model"])
        if state.usage is None and stream_usage:
            prompt = count_message_tokens(payload.get("messages") or [], model)
            completion = count_tokens("".join(state.reasoning) + state.partial_text, model)
            state.usage = UsageMetadata(
                input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion
            )
            state.meta["usage_estimated"] = True
        chunks = state.finish()
        last = chunks[-1]
        if reply_headers:
            last.response_metadata["headers"] = dict(reply_headers)
        if state.meta.get("usage_estimated"):
            last.response_metadata["usage_estimated"] = True
        wire_usage = state.raw_usage
        if not wire_usage and state.usage is not None:
            wire_usage = {
                "prompt_tokens": state.usage["input_tokens"],
                "completion_tokens": state.usage["output_tokens"],
                "total_tokens": state.usage["total_tokens"],
            }
        last.response_metadata.update(self._cost_metadata(model, wire_usage))
        return chunks

    # -- sync ----------------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        payload, headers = self._build_request(messages, stop, stream=False, kwargs=kwargs)
        try:
            response = self.client.chat(payload, extra_headers=headers, budget=self.budget)
            body = response.json()
        except core_errors.HubError as exc:
            raise to_langchain_error(exc) from exc.__cause__
        return self._create_chat_result(body, response.headers, payload["model"])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        payload, headers = self._build_request(messages, stop, stream=True, kwargs=kwargs)
        state = StreamState(hub=self.hub, v1=self.output_version == "v1")
        reply_headers: dict[str, str] | None = {} if self.include_response_headers else None
        try:
            for event in self.client.stream_chat(
                payload, extra_headers=headers, response_headers=reply_headers, budget=self.budget
            ):
                for message in state.feed(event):
                    yield ChatGenerationChunk(message=message)
        except core_errors.HubError as exc:
            if isinstance(exc, core_errors.StreamError):
                exc.partial_text = state.partial_text or exc.partial_text
            raise to_langchain_error(exc) from exc.__cause__
        want_usage = bool(kwargs.get("stream_usage", self.stream_usage))
        for message in self._final_chunks(state, payload, want_usage, reply_headers):
            yield ChatGenerationChunk(message=message)

    # -- async ---------------------------------------------------------------------------------

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        payload, headers = self._build_request(messages, stop, stream=False, kwargs=kwargs)
        try:
            response = await self.client.achat(
                payload, extra_headers=headers, budget=self.budget
            )
            body = response.json()
        except core_errors.HubError as exc:
            raise to_langchain_error(exc) from exc.__cause__
        return self._create_chat_result(body, response.headers, payload["model"])

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        payload, headers = self._build_request(messages, stop, stream=True, kwargs=kwargs)
        state = StreamState(hub=self.hub, v1=self.output_version == "v1")
        reply_headers: dict[str, str] | None = {} if self.include_response_headers else None
        try:
            async for event in self.client.astream_chat(
                payload, extra_headers=headers, response_headers=reply_headers, budget=self.budget
            ):
                for message in state.feed(event):
                    yield ChatGenerationChunk(message=message)
        except core_errors.HubError as exc:
            if isinstance(exc, core_errors.StreamError):
                exc.partial_text = state.partial_text or exc.partial_text
            raise to_langchain_error(exc) from exc.__cause__
        want_usage = bool(kwargs.get("stream_usage", self.stream_usage))
        for message in self._final_chunks(state, payload, want_usage, reply_headers):
            yield ChatGenerationChunk(message=message)

    # -- tools and structured output ----------------------------------------------------------

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
        check_tools(formatted, hub=self.hub)
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

    # -- retries -------------------------------------------------------------------------------

    def with_retry(
        self,
        *,
        retry_if_exception_type: tuple[type[BaseException], ...]
        | Callable[[BaseException], bool] = (Exception,),
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """``Runnable.with_retry`` that never retries what cannot succeed (402, 401, 400...).

        A tuple of types is narrowed by ``ModelError.is_retryable``; a callable is used as given.
        """
        if isinstance(retry_if_exception_type, tuple):
            types = retry_if_exception_type

            def _should_retry(exc: BaseException) -> bool:
                return isinstance(exc, types) and is_retryable(exc)

            return super().with_retry(retry_if_exception_type=_should_retry, **kwargs)
        return super().with_retry(retry_if_exception_type=retry_if_exception_type, **kwargs)

    # -- tokens --------------------------------------------------------------------------------

    def get_num_tokens(self, text: str) -> int:
        """Tokens in ``text`` for this model, counted offline."""
        return count_tokens(text, self.model_name)

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
    ) -> int:
        """Prompt tokens of ``messages`` (and tool schemas), offline, for any model name."""
        wire = messages_to_wire(
            convert_to_messages(messages), replay=self._replay_policy(self.model_name)
        )
        total = count_message_tokens(wire, self.model_name)
        for tool in tools or []:
            spec = json.dumps(convert_to_openai_tool(tool), ensure_ascii=False)
            total += count_tokens(spec, self.model_name)
        return total


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


class ChatElectronHub(ChatHub):
    """Electron Hub chat model (keys ``ek-``; env ``ELECTRONHUB_API_KEY`` / ``_BASE_URL``).

    Example:
        .. code-block:: python

            from langchain_hub import ChatElectronHub

            llm = ChatElectronHub(model="gpt-4o")
            llm.invoke("Hello")
    """

    hub: str = "electronhub"


class ChatChainHub(ChatHub):
    """ChainHub chat model (keys ``sk-``; env ``CHAINHUB_API_KEY`` / ``_BASE_URL``).

    Example:
        .. code-block:: python

            from langchain_hub import ChatChainHub

            llm = ChatChainHub(model="gpt-4o-mini")
    """

    hub: str = "chainhub"


class ChatAPIHub(ChatHub):
    """API Hub chat model (keys ``sk-``; env ``APIHUB_API_KEY`` / ``_BASE_URL``; 402 = no tokens).

    Example:
        .. code-block:: python

            from langchain_hub import ChatAPIHub

            llm = ChatAPIHub(model="deepseek-chat")
    """

    hub: str = "apihub"


class ChatTokenHub(ChatHub):
    """TokenHub chat model (keys ``th-``; ``vendor/model`` ids; env ``TOKENHUB_API_KEY``).

    Example:
        .. code-block:: python

            from langchain_hub import ChatTokenHub

            llm = ChatTokenHub(model="openai/gpt-4.1")
    """

    hub: str = "tokenhub"


def _register_serializable() -> None:
    """Let ``langchain_core.load.load(..., allowed_objects="all")`` revive these classes.

    langchain-core only trusts classes in its built-in mapping under ``"all"`` (the tier meant
    for trusted partner integrations); registering here puts ours in that tier once imported.
    """
    import importlib

    lc_load = importlib.import_module("langchain_core.load.load")

    mapping = getattr(lc_load, "ALL_SERIALIZABLE_MAPPINGS", None)
    cache = getattr(lc_load, "_default_class_paths_cache", None)
    if not isinstance(mapping, dict):
        return
    for cls in (ChatHub, ChatElectronHub, ChatChainHub, ChatAPIHub, ChatTokenHub):
        path = (*cls.get_lc_namespace(), cls.__name__)
        mapping[path] = path
        if isinstance(cache, dict) and isinstance(cache.get("all"), set):
            cache["all"].add(path)


_register_serializable()
