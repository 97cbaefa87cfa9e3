"""``HubClient``: one object per (hub, key) that both framework adapters talk through.

It resolves the key and base URL from arguments or ``<HUB>_API_KEY`` / ``<HUB>_BASE_URL``,
owns a lazily built :class:`~hub_core.transport.Transport` (so it pickles), and adds the chat rule
the transport cannot know: a stream that ends without ``[DONE]`` and without a ``finish_reason``
was cut, and raises :class:`~hub_core.errors.StreamError` with the text that did arrive.

Example:
    >>> from hub_core import HubClient
    >>> client = HubClient("apihub", api_key="sk-...", base_url="http://127.0.0.1:8787/apihub/v1")
    >>> reply = client.chat({"model": "qwen-max", "messages": [{"role": "user", "content": "hi"}]})
    ... # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import SecretStr

from hub_core._owner import TransportOwner
from hub_core.account import (
    DEFAULT_USAGE_LIMIT,
    Balance,
    UsageRecord,
    balance_from_reply,
    balance_request,
    usage_records_from_reply,
    usage_request,
)
from hub_core.catalog import (
    DEFAULT_CATALOG_TTL,
    ModelInfo,
    cached_models,
    model_info,
    remember_models,
)
from hub_core.catalog_entries import entries_of
from hub_core.chat import finish_reason_of, partial_text
from hub_core.errors import HubAPIError, HubInputError, StreamError
from hub_core.hubs import HubProfile, get_hub
from hub_core.ratelimit import window_seconds
from hub_core.spending import (
    Spend,
    chat_spend,
    embeddings_spend,
    embeddings_usage,
    stream_cost,
)
from hub_core.usage import report_usage, reporting

if TYPE_CHECKING:
    from hub_core.budget import Budget
    from hub_core.transport import HubResponse, Timeouts, Transport

__all__ = ["CLIENT_SETTINGS", "Balance", "HubClient", "UsageRecord", "client_from_settings"]


def _secret(value: str | SecretStr | None, env: str) -> SecretStr | None:
    if isinstance(value, SecretStr):
        return value
    if value:
        return SecretStr(value)
    from_env = os.environ.get(env)
    return SecretStr(from_env) if from_env else None


class HubClient(TransportOwner):
    """Framework-free client for one hub and one key: what both adapters talk through.

    It speaks the hub's OpenAI-compatible wire format (payloads and replies are plain dicts),
    resolves the key and URL, retries what may succeed, keeps to the plan's rate limit, and
    adds the chat rule the transport cannot know: a stream that ends without ``[DONE]`` and
    without a ``finish_reason`` was cut (``StreamError`` with the text that did arrive).

    Setup:
        Ships with ``ai-hubs`` (httpx, pydantic and tiktoken only). Export the hub's key, e.g.
        ``export APIHUB_API_KEY="sk-..."`` (and ``APIHUB_BASE_URL`` to point elsewhere, such as
        the bundled emulator: ``ai-hubs emulator``).

    Key init args:
        hub: a registered hub name (``"electronhub"``, ``"chainhub"``, ``"apihub"``,
            ``"tokenhub"``) or a :class:`HubProfile`.
        api_key: the key; defaults to ``<HUB>_API_KEY``. A wrong prefix warns, never rejects.
            The repr says only whether it is set.
        base_url: defaults to ``<HUB>_BASE_URL``, then the hub's documented URL.
        timeout: seconds for every phase, or a :class:`~hub_core.transport.Timeouts`.
        max_retries: retries after the first attempt (DESIGN.md retry table).
        default_headers: sent with every request. proxy: an HTTP(S) proxy URL.
        plan: the hub plan whose RPM the client-side limiter enforces (default: the hub's
            default plan, e.g. Electron Hub ``free`` = 5 RPM).
        rpm: explicit requests per minute; ``0`` turns client-side limiting off.
        rate_window: seconds the rpm counts over (default 60, the plans' minute). A smaller
            window scales a plan down in time, e.g. ``rpm=5, rate_window=3`` against a test
            server that counts 5 requests per 3 s.
        catalog_ttl: seconds :meth:`models` reuses a hub's ``/models`` listing (default 600).

    Instantiate:
        .. code-block:: python

            from hub_core import HubClient

            client = HubClient("apihub", api_key="sk-demo", base_url=emu.base_url("apihub"),
                               rpm=0)

    Chat:
        .. code-block:: python

            payload = {"model": "qwen-max", "messages": [{"role": "user", "content": "Say hello"}]}
            reply = client.chat(payload).json()
            reply["choices"][0]["message"]["content"], reply["usage"]

    Stream:
        .. code-block:: python

            for chunk in client.stream_chat(payload):  # chunk dicts, as the hub sent them
                for choice in chunk.get("choices", []):
                    print(choice["delta"].get("content") or "", end="")

    Async:
        .. code-block:: python

            reply = (await client.achat(payload)).json()
            async for chunk in client.astream_chat(payload): ...

    Embed:
        .. code-block:: python

            vectors = client.embed({"model": "text-embedding-3-small", "input": ["hello"]}).json()
            len(vectors["data"][0]["embedding"])  # 1536

    Models and prices:
        .. code-block:: python

            info = client.model("qwen-max")  # the cached /models listing, else GET /models/{id}
            info.context_window, info.supports_tools, info.price  # ModelPrice(input_per_mtok=...)

    Balance and usage history:
        .. code-block:: python

            client.balance()  # Balance(amount=..., unit='tokens', ...); Electron Hub, API Hub
            history = client.usage_history(limit=5)  # newest first: model, tokens, cost, time

    Budget:
        .. code-block:: python

            from hub_core import Budget

            budget = Budget(max_cost=0.01, unit="USD")  # API Hub prices in $ per 1M tokens
            client.chat({**payload, "max_tokens": 100}, budget=budget)
            budget.spent  # the reply's cost; the worst case was reserved before sending

    Errors:
        ``hub_core.errors``: ``InsufficientCreditsError`` (402, never retried),
        ``RateLimitError`` (``retry_after``), ``AuthenticationError``, ``UpstreamError``,
        ``HubTimeoutError``, ``StreamError`` (``partial_text``), ... A route the hub does not
        document raises ``UnsupportedFeatureError`` and sends nothing:

        .. code-block:: python

            from hub_core.errors import UnsupportedFeatureError

            try:
                HubClient("chainhub", base_url=emu.base_url("chainhub")).balance()
            except UnsupportedFeatureError as exc:
                unsupported = str(exc)  # 'chainhub: ChainHub documents no balance route; ...'

    A client pickles (its transport is rebuilt in the new process) and closes with
    ``close()`` / ``aclose()`` or a ``with`` block; shared connection pools stay open.
    """

    def __init__(
        self,
        hub: str | HubProfile,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: float | Timeouts | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        plan: str | None = None,
        rpm: int | None = None,
        proxy: str | None = None,
        catalog_ttl: float = DEFAULT_CATALOG_TTL,
        rate_window: float | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more (0 turns retries off)")
        self.profile = get_hub(hub)
        self.api_key = _secret(api_key, self.profile.api_key_env)
        if self.api_key is not None:
            self.profile.check_key(self.api_key.get_secret_value())
        self.base_url = self.profile.resolve_base_url(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.plan = plan
        self.rpm = self.profile.plan_rpm(plan) if rpm is None else (rpm or None)
        self.plan_name = self.profile.plan_label(plan, rpm)
        """The plan ``rpm`` comes from, named in the limiter's wait log (None: explicit rpm)."""
        self.rate_window = window_seconds(rate_window, hub=self.profile.name)
        self.proxy = proxy
        self.catalog_ttl = catalog_ttl
        self._transport: Transport | None = None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def hub(self) -> str:
        """The hub's name."""
        return self.profile.name

    def _new_transport(self) -> Transport:
        from hub_core.transport import Transport

        return Transport(
            hub=self.profile.name,
            base_url=self.base_url,
            api_key=self.api_key,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
            proxy=self.proxy,
            rpm=self.rpm,
            plan=self.plan_name,
            rate_window=self.rate_window,
        )

    def url(self, endpoint: str, **path_params: str) -> str:
        """Absolute URL of a named endpoint of this hub (see ``HubProfile.endpoints``)."""
        url = self.profile.url_for(endpoint, self.base_url)
        return url.format(**path_params) if path_params else url

    def __repr__(self) -> str:
        key = "set" if self.api_key is not None else "missing"
        return f"HubClient(hub={self.hub!r}, base_url={self.base_url!r}, api_key={key})"

    # -- chat ------------------------------------------------------------------------------

    def chat(
        self,
        payload: Mapping[str, Any],
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        budget: Budget | None = None,
    ) -> HubResponse:
        """``POST /chat/completions``; the response JSON is the completion.

        With ``budget`` the call's worst case is reserved first (``BudgetExceededError`` and
        nothing sent when it does not fit) and settled to the reply's cost; see
        :mod:`hub_core.spending` for what a failure counts.
        """
        if budget is None:
            return self.transport.request(
                "POST", self.url("chat"), json=payload, headers=extra_headers, timeout=timeout
            )
        with chat_spend(budget, self.profile, payload) as spend:
            response = self.transport.request(
                "POST", self.url("chat"), json=payload, headers=extra_headers, timeout=timeout
            )
            spend.settle_usage(_reply_usage(response))
        return response

    async def achat(
        self,
        payload: Mapping[str, Any],
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        budget: Budget | None = None,
    ) -> HubResponse:
        """Async twin of :meth:`chat`."""
        if budget is None:
            return await self.transport.arequest(
                "POST", self.url("chat"), json=payload, headers=extra_headers, timeout=timeout
            )
        with chat_spend(budget, self.profile, payload) as spend:
            response = await self.transport.arequest(
                "POST", self.url("chat"), json=payload, headers=extra_headers, timeout=timeout
            )
            spend.settle_usage(_reply_usage(response))
        return response

    def stream_chat(
        self,
        payload: Mapping[str, Any],
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        response_headers: dict[str, str] | None = None,
        budget: Budget | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stream ``POST /chat/completions``; yields chunk dicts.

        ``response_headers``, when given, is filled with the reply's HTTP headers once the
        stream is open (a generator has no other way to hand them out). With ``budget`` the
        worst case is reserved before the request and settled when the stream ends (to the
        worst case if it breaks or is abandoned early: the hub may bill the whole reply).

        Raises:
            StreamError: the stream broke, carried an error event, or ended without ``[DONE]``
                and without a ``finish_reason``; ``partial_text`` holds the content received.
        """
        body = dict(payload)
        body["stream"] = True
        spend = None if budget is None else chat_spend(budget, self.profile, body)
        with spend or _NO_SPEND:
            events = self.transport.stream_json(
                "POST", self.url("chat"), json=body, headers=extra_headers, timeout=timeout
            )
            seen: list[dict[str, Any]] = []
            finished = False
            try:
                for chunk in events:
                    if not seen and response_headers is not None:
                        response_headers.update(events.headers or {})
                    seen.append(chunk)
                    if not finished and finish_reason_of(chunk) is not None:
                        finished = True
                    yield chunk
            except StreamError as exc:
                exc.partial_text = partial_text(seen)
                raise
            finally:
                events.close()
            if not finished and not events.done_seen:
                raise self._cut_short(seen)
            if spend is not None:
                spend.settle(stream_cost(self.profile, body, seen))

    async def astream_chat(
        self,
        payload: Mapping[str, Any],
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        response_headers: dict[str, str] | None = None,
        budget: Budget | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Async twin of :meth:`stream_chat`."""
        body = dict(payload)
        body["stream"] = True
        spend = None if budget is None else chat_spend(budget, self.profile, body)
        with spend or _NO_SPEND:
            events = self.transport.astream_json(
                "POST", self.url("chat"), json=body, headers=extra_headers, timeout=timeout
            )
            seen: list[dict[str, Any]] = []
            finished = False
            try:
                async for chunk in events:
                    if not seen and response_headers is not None:
                        response_headers.update(events.headers or {})
                    seen.append(chunk)
                    if not finished and finish_reason_of(chunk) is not None:
                        finished = True
                    yield chunk
            except StreamError as exc:
                exc.partial_text = partial_text(seen)
                raise
            finally:
                await events.aclose()
            if not finished and not events.done_seen:
                raise self._cut_short(seen)
            if spend is not None:
                spend.settle(stream_cost(self.profile, body, seen))

    def _cut_short(self, seen: list[dict[str, Any]]) -> StreamError:
        return StreamError(
            "the stream ended before the hub said it was complete (no [DONE], no "
            "finish_reason); the reply may be truncated",
            hub=self.hub,
            partial_text=partial_text(seen),
            chunks=len(seen),
        )

    # -- embeddings, models, account -------------------------------------------------------

    def embed(
        self,
        payload: Mapping[str, Any],
        *,
        timeout: float | None = None,
        budget: Budget | None = None,
    ) -> HubResponse:
        """``POST /embeddings``; reports usage and cost to :func:`hub_core.usage.collecting`.

        With ``budget`` the inputs' worst case (tokens x price) is reserved first and settled to
        the reply's cost.
        """
        if budget is None and not reporting():
            return self.transport.request(
                "POST", self.url("embeddings"), json=payload, timeout=timeout
            )
        spend = None if budget is None else embeddings_spend(budget, self.profile, payload)
        with spend or _NO_SPEND:
            response = self.transport.request(
                "POST", self.url("embeddings"), json=payload, timeout=timeout
            )
            self._embedded(payload, response, spend)
        return response

    async def aembed(
        self,
        payload: Mapping[str, Any],
        *,
        timeout: float | None = None,
        budget: Budget | None = None,
    ) -> HubResponse:
        """Async twin of :meth:`embed`."""
        if budget is None and not reporting():
            return await self.transport.arequest(
                "POST", self.url("embeddings"), json=payload, timeout=timeout
            )
        spend = None if budget is None else embeddings_spend(budget, self.profile, payload)
        with spend or _NO_SPEND:
            response = await self.transport.arequest(
                "POST", self.url("embeddings"), json=payload, timeout=timeout
            )
            self._embedded(payload, response, spend)
        return response

    def _embedded(
        self, payload: Mapping[str, Any], response: HubResponse, spend: Spend | None
    ) -> None:
        """Settle and report one embeddings reply."""
        model = str(payload.get("model") or "")
        usage, cost = embeddings_usage(self.profile, model, _json_or_none(response))
        if spend is not None:
            spend.settle(cost)
        report_usage(self.hub, model, usage, cost)

    def models(self, *, refresh: bool = False) -> list[ModelInfo]:
        """The hub's ``/models`` merged with the profile's tables, as :class:`ModelInfo`.

        The listing is reused for ``catalog_ttl`` seconds (per hub and base URL, shared by every
        client in the process); ``refresh=True`` asks the hub again. Adapters' ``profile`` /
        ``metadata`` read the merged values afterwards.
        """
        if not refresh:
            cached = cached_models(self.profile, self.base_url, self.catalog_ttl)
            if cached is not None:
                return cached
        data = self.transport.request("GET", self.url("models"), kind="poll").json()
        return remember_models(self.profile, entries_of(data, hub=self.hub), base_url=self.base_url)

    async def amodels(self, *, refresh: bool = False) -> list[ModelInfo]:
        """Async twin of :meth:`models`."""
        if not refresh:
            cached = cached_models(self.profile, self.base_url, self.catalog_ttl)
            if cached is not None:
                return cached
        response = await self.transport.arequest("GET", self.url("models"), kind="poll")
        entries = entries_of(response.json(), hub=self.hub)
        return remember_models(self.profile, entries, base_url=self.base_url)

    def _model_url(self, model: str) -> str:
        if not isinstance(model, str) or not model.strip():
            raise HubInputError.invalid(
                "model", "must be a non-empty model id", model, fix="e.g. 'gpt-4o'", hub=self.hub
            )
        return f"{self.url('models')}/{quote(model.strip(), safe='/:')}"

    def _listed(self, model: str) -> ModelInfo | None:
        cached = cached_models(self.profile, self.base_url, self.catalog_ttl) or []
        return next((info for info in cached if info.id == model), None)

    def _one(self, model: str, reply: Any) -> ModelInfo:
        infos = remember_models(self.profile, entries_of(reply, hub=self.hub))
        if not infos:
            raise HubAPIError(f"the reply for model {model!r} holds no model", hub=self.hub,
                              status_code=200)
        return infos[0]

    def model(self, model: str, *, refresh: bool = False) -> ModelInfo:
        """One model: from the cached listing, else ``GET /models/{model}``.

        Raises:
            ModelNotFoundError: only when the hub answers 404 for it (never guessed).
        """
        url = self._model_url(model)
        listed = None if refresh else self._listed(model)
        if listed is not None:
            return listed
        entry = self.transport.request("GET", url, kind="poll").json()
        return self._one(model, entry)

    async def amodel(self, model: str, *, refresh: bool = False) -> ModelInfo:
        """Async twin of :meth:`model`."""
        url = self._model_url(model)
        listed = None if refresh else self._listed(model)
        if listed is not None:
            return listed
        entry = (await self.transport.arequest("GET", url, kind="poll")).json()
        return self._one(model, entry)

    def model_info(self, model: str) -> ModelInfo:
        """What this process knows about ``model`` on this hub (no request is made)."""
        return model_info(self.profile, model)

    def balance(self) -> Balance:
        """What is left on the account, in the hub's unit.

        Raises:
            UnsupportedFeatureError: the hub has no documented balance route (ChainHub,
                TokenHub); nothing is sent.
        """
        url, route = balance_request(self.profile, self.base_url)
        data = self.transport.request("GET", url, kind="poll").json()
        return balance_from_reply(self.hub, route, data)

    async def abalance(self) -> Balance:
        """Async twin of :meth:`balance`."""
        url, route = balance_request(self.profile, self.base_url)
        data = (await self.transport.arequest("GET", url, kind="poll")).json()
        return balance_from_reply(self.hub, route, data)

    def usage_history(self, limit: int = DEFAULT_USAGE_LIMIT) -> list[UsageRecord]:
        """Recent requests as the hub records them (newest first), at most ``limit``.

        API Hub: ``GET /billing/usage?limit=``; Electron Hub: ``GET /v1/user/logs`` (trimmed
        here, it takes no limit).

        Raises:
            UnsupportedFeatureError: the hub has no documented route (ChainHub, TokenHub).
            HubInputError: ``limit`` is not a whole number of 1 or more (nothing is sent).
        """
        url, params, route = usage_request(self.profile, self.base_url, limit)
        data = self.transport.request("GET", url, params=params, kind="poll").json()
        return usage_records_from_reply(self.hub, data, route.cost_unit, limit)

    async def ausage_history(self, limit: int = DEFAULT_USAGE_LIMIT) -> list[UsageRecord]:
        """Async twin of :meth:`usage_history`."""
        url, params, route = usage_request(self.profile, self.base_url, limit)
        data = (await self.transport.arequest("GET", url, params=params, kind="poll")).json()
        return usage_records_from_reply(self.hub, data, route.cost_unit, limit)


_NO_SPEND = nullcontext()


def _json_or_none(response: HubResponse) -> Any:
    try:
        return response.json()
    except ValueError:  # an unreadable 200: its cost is unknown, the worst case stays counted
        return None


def _reply_usage(response: HubResponse) -> Mapping[str, Any] | None:
    body = _json_or_none(response)
    usage = body.get("usage") if isinstance(body, Mapping) else None
    return usage if isinstance(usage, Mapping) else None


CLIENT_SETTINGS = (
    "base_url", "timeout", "max_retries", "default_headers", "plan", "rpm", "rate_window", "proxy"
)


def client_from_settings(owner: Any, *, api_key: str | SecretStr | None = None) -> HubClient:
    """A :class:`HubClient` from an adapter object's same-named fields.

    Every adapter (chat model, LLM, embeddings) exposes ``hub`` and the fields in
    ``CLIENT_SETTINGS``; unset (None) ones keep the client's defaults. The key is ``api_key``
    when given, else the object's ``api_key`` field.
    """
    settings = {
        name: value for name in CLIENT_SETTINGS if (value := getattr(owner, name, None)) is not None
    }
    key = api_key if api_key is not None else getattr(owner, "api_key", None)
    return HubClient(owner.hub, api_key=key, **settings)
