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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from hub_core.catalog import ModelInfo, model_info, update_from_models_list
from hub_core.chat import finish_reason_of, partial_text
from hub_core.errors import StreamError, UnsupportedFeatureError
from hub_core.hubs import HubProfile, get_hub
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



@dataclass(frozen=True)
class Balance:
    """What a hub says is left on the account."""

    amount: float
    unit: str
    raw: Mapping[str, Any]


def _secret(value: str | SecretStr | None, env: str) -> SecretStr | None:
    if isinstance(value, SecretStr):
        return value
    if value:
        return SecretStr(value)
    from_env = os.environ.get(env)
    return SecretStr(from_env) if from_env else None


class HubClient:
    """Framework-free client for one hub and one key.

    Args:
        hub: a registered hub name (``"electronhub"``, ``"chainhub"``, ``"apihub"``,
            ``"tokenhub"``) or a :class:`HubProfile`.
        api_key: the key; defaults to ``<HUB>_API_KEY``. A wrong prefix warns, never rejects.
        base_url: defaults to ``<HUB>_BASE_URL``, then the hub's documented URL.
        timeout: seconds for every phase, or a :class:`~hub_core.transport.Timeouts`.
        max_retries: retries after the first attempt (DESIGN.md retry table).
        default_headers: sent with every request.
        plan: the hub plan whose RPM the client-side limiter enforces (default: the hub's
            default plan, e.g. Electron Hub ``free`` = 5 RPM).
        rpm: explicit requests per minute; ``0`` turns client-side limiting off.
        proxy: an HTTP(S) proxy URL.
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
        self.proxy = proxy
        self._transport: Transport | None = None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def hub(self) -> str:
        """The hub's name."""
        return self.profile.name

    @property
    def transport(self) -> Transport:
        """The HTTP transport, built on first use (and again after unpickling)."""
        transport = self._transport
        if transport is None:
            with self._lock:
                transport = self._transport
                if transport is None:
                    from hub_core.transport import Transport

                    transport = Transport(
                        hub=self.profile.name,
                        base_url=self.base_url,
                        api_key=self.api_key,
                        timeout=self.timeout,
                        max_retries=self.max_retries,
                        default_headers=self.default_headers,
                        proxy=self.proxy,
                        rpm=self.rpm,
                    )
                    self._transport = transport
        return transport

    def url(self, endpoint: str, **path_params: str) -> str:
        """Absolute URL of a named endpoint of this hub (see ``HubProfile.endpoints``)."""
        url = self.profile.url_for(endpoint, self.base_url)
        return url.format(**path_params) if path_params else url

    def close(self) -> None:
        """Release this client's connections (shared pools stay open for other clients)."""
        if self._transport is not None:
            self._transport.close()

    async def aclose(self) -> None:
        """Async twin of :meth:`close`."""
        if self._transport is not None:
            await self._transport.aclose()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> HubClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_transport"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

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

    def models(self) -> list[dict[str, Any]]:
        """``GET /models``; also refreshes the capability catalog for this hub."""
        data = self.transport.request("GET", self.url("models"), kind="poll").json()
        entries = data.get("data", []) if isinstance(data, Mapping) else data
        update_from_models_list(self.profile, entries)
        return list(entries)

    async def amodels(self) -> list[dict[str, Any]]:
        """Async twin of :meth:`models`."""
        response = await self.transport.arequest("GET", self.url("models"), kind="poll")
        data = response.json()
        entries = data.get("data", []) if isinstance(data, Mapping) else data
        update_from_models_list(self.profile, entries)
        return list(entries)

    def model_info(self, model: str) -> ModelInfo:
        """Capabilities of ``model`` on this hub (no request is made)."""
        return model_info(self.profile, model)

    def _balance_url(self) -> tuple[str, str, str]:
        route = self.profile.balance
        if route is None:
            raise UnsupportedFeatureError(
                f"{self.profile.display_name} documents no balance route; check the balance on "
                "its dashboard",
                hub=self.hub,
                capability="balance",
            )
        return self.profile.url_for(route.path, self.base_url), route.field, route.unit

    def balance(self) -> Balance:
        """What is left on the account, in the hub's unit.

        Raises:
            UnsupportedFeatureError: the hub has no documented balance route (ChainHub, TokenHub).
        """
        url, field, unit = self._balance_url()
        data = self.transport.request("GET", url, kind="poll").json()
        return Balance(amount=float(data[field]), unit=unit, raw=data)

    async def abalance(self) -> Balance:
        """Async twin of :meth:`balance`."""
        url, field, unit = self._balance_url()
        data = (await self.transport.arequest("GET", url, kind="poll")).json()
        return Balance(amount=float(data[field]), unit=unit, raw=data)


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


CLIENT_SETTINGS = ("base_url", "timeout", "max_retries", "default_headers", "plan", "rpm", "proxy")


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
