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
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, Literal, cast

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import (
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import AIMessage, BaseMessage, convert_to_messages
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import (
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
from hub_core.chat import build_chat_payload, reasoning_replay_policy
from hub_core.client import HubClient, client_from_settings
from hub_core.hubs import HubProfile, get_hub
from hub_core.ratelimit import limiter_for
from hub_core.tokens import count_message_tokens, count_tokens
from hub_core.validate import (
    check_base_url,
    check_model,
    check_positive_int,
    input_error_in,
)
from langchain_hub._chat_results import chat_result, final_chunks
from langchain_hub._errors import is_retryable, to_langchain_error
from langchain_hub._messages import (
    ReplayPolicy,
    StreamState,
    messages_to_wire,
)
from langchain_hub._rate_limiter import HubPlanRateLimiter
from langchain_hub._structured import ToolCallingMixin

__all__ = ["ChatHub"]

_INTERNAL_KWARGS = ("ls_structured_output_format", "structured_output_format", "stream")
_ToolChoice = dict[str, Any] | str | bool | None


class ChatHub(ToolCallingMixin):
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
        return chat_result(
            body, response.headers, payload["model"], profile=self.profile_hub,
            include_headers=self.include_response_headers,
        )

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
        closing = final_chunks(state, payload, want_usage, reply_headers, profile=self.profile_hub)
        for message in closing:
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
        return chat_result(
            body, response.headers, payload["model"], profile=self.profile_hub,
            include_headers=self.include_response_headers,
        )

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
        closing = final_chunks(state, payload, want_usage, reply_headers, profile=self.profile_hub)
        for message in closing:
            yield ChatGenerationChunk(message=message)

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


def register_serializable(*classes: type[ChatHub]) -> None:
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
    for cls in classes:
        path = (*cls.get_lc_namespace(), cls.__name__)
        mapping[path] = path
        if isinstance(cache, dict) and isinstance(cache.get("all"), set):
            cache["all"].add(path)


register_serializable(ChatHub)


_PER_HUB = ("ChatAPIHub", "ChatChainHub", "ChatElectronHub", "ChatTokenHub")


def __getattr__(name: str) -> Any:
    """The per-hub classes live in ``chat_hubs``; this keeps ``chat_models.ChatTokenHub`` (and
    serialized ids ``["langchain_hub", "chat_models", ...]``) working without an import cycle."""
    if name in _PER_HUB:
        from langchain_hub import chat_hubs

        return getattr(chat_hubs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
