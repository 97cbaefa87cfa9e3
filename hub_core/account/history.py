"""Balances and usage history: the requests ``HubClient`` sends and the replies it reads.

A hub whose profile has no route raises :class:`~hub_core.errors.UnsupportedFeatureError` before
anything is sent. Usage records are read tolerantly (PROTOCOL.md gap 18): each value is looked up
under the names hubs use, and a missing one stays ``None``.

Example:
    >>> from hub_core.hubs import get_hub
    >>> usage_record({"model": "qwen-max", "tokens": 42, "cost": 0.00001}, "USD").total_tokens
    42
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub_core.errors import HubInputError, UnsupportedFeatureError
from hub_core.hubs import BalanceRoute, HubProfile, UsageRoute
from hub_core.replies import EPOCH, first, number, parse_time, scrubbed, text, unreadable, whole

DEFAULT_USAGE_LIMIT = 50

# ---------------------------------------------------------------------------------------------
# Balance


@dataclass(frozen=True)
class Balance:
    """What a hub says is left on the account."""

    amount: float
    unit: str
    raw: Mapping[str, Any]


def balance_request(profile: HubProfile, base_url: str) -> tuple[str, BalanceRoute]:
    """The balance URL and route, or ``UnsupportedFeatureError`` (nothing is sent)."""
    route = profile.balance
    if route is None:
        raise UnsupportedFeatureError(
            f"{profile.display_name} documents no balance route; check the balance on its "
            "dashboard",
            hub=profile.name,
            capability="balance",
        )
    return profile.url_for(route.path, base_url), route


def balance_from_reply(hub: str, route: BalanceRoute, data: Any) -> Balance:
    """A :class:`Balance` from the hub's reply; a reply without the number raises."""
    amount = number(data.get(route.field)) if isinstance(data, Mapping) else None
    if amount is None:
        raise unreadable(hub, f"the balance reply has no number in {route.field!r}", data)
    return Balance(amount=amount, unit=route.unit, raw=scrubbed(data))


# ---------------------------------------------------------------------------------------------
# Usage history


@dataclass(frozen=True)
class UsageRecord:
    """One past request as the hub's usage history reports it; unknown values are ``None``."""

    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    cost: float | None
    unit: str
    """The unit of ``cost`` (Electron Hub ``credits``, API Hub ``USD``)."""
    time: datetime | None
    """When the request was made (timezone-aware, UTC when the hub gives none)."""
    status: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (time as ISO 8601; ``raw`` left out)."""
        return {
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
            "cost": self.cost,
            "unit": self.unit,
            "time": self.time.isoformat() if self.time is not None else None,
            "status": self.status,
        }


def check_limit(limit: int, *, hub: str | None = None) -> int:
    """``limit`` if it is a whole number of 1 or more, else a :class:`HubInputError`."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise HubInputError.invalid(
            "limit", "must be a whole number of 1 or more", limit, fix="pass e.g. limit=50", hub=hub
        )
    return limit


def usage_request(
    profile: HubProfile, base_url: str, limit: int
) -> tuple[str, dict[str, str] | None, UsageRoute]:
    """URL, query and route of the usage history; unsupported hubs raise before any request."""
    check_limit(limit, hub=profile.name)
    route = profile.usage_history
    if route is None:
        raise UnsupportedFeatureError(
            f"{profile.display_name} documents no usage-history route; see its dashboard",
            hub=profile.name,
            capability="usage_history",
        )
    params = {route.limit_param: str(limit)} if route.limit_param else None
    return profile.url_for(route.path, base_url), params, route


_TIME_NAMES = ("timestamp", "created_at", "time", "date", "created", "createdAt")
_ROW_LISTS = ("usage", "data", "records", "items", "logs", "history", "results")


def rows_of(data: Any) -> list[Any] | None:
    """The list of records in a reply: the reply itself, or under a usual key (one level deep)."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in _ROW_LISTS:
            value = data.get(key)
            if isinstance(value, list):
                return value
            if isinstance(value, Mapping):
                nested = rows_of(value)
                if nested is not None:
                    return nested
    return None


def usage_records_from_reply(hub: str, data: Any, unit: str, limit: int) -> list[UsageRecord]:
    """Typed records, newest first when every record has a time, at most ``limit`` of them."""
    rows = rows_of(data)
    if rows is None:
        raise unreadable(hub, "the usage-history reply holds no list of records", data)
    records = [usage_record(row, unit) for row in rows]
    if records and all(r.time is not None for r in records):
        records.sort(key=lambda r: r.time or EPOCH, reverse=True)
    return records[:limit]


def usage_record(row: Any, unit: str) -> UsageRecord:
    """One record from a row in any of the shapes hubs use (PROTOCOL.md gap 18)."""
    if not isinstance(row, Mapping):
        return UsageRecord(None, None, None, None, None, unit, None, raw={"value": row})
    nested = row.get("usage")
    tokens: Mapping[str, Any] = nested if isinstance(nested, Mapping) else row
    input_tokens = first(tokens, ("input_tokens", "prompt_tokens"), whole)
    output_tokens = first(tokens, ("output_tokens", "completion_tokens"), whole)
    total = first(tokens, ("total_tokens", "tokens"), whole)
    if total is None and input_tokens is not None and output_tokens is not None:
        total = input_tokens + output_tokens
    status = row.get("status")
    return UsageRecord(
        model=first(row, ("model", "model_id", "model_name"), text),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=total,
        cost=first(row, ("cost", "credits", "total_cost", "amount", "price", "charge"), number),
        unit=unit,
        time=first(row, _TIME_NAMES, parse_time),
        status=str(status) if isinstance(status, str | int) and status != "" else None,
        raw=scrubbed(row),
    )
