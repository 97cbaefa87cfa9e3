"""Balances, usage history and the 402 message, against the emulator (and the pure parsers)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from account_support import HELLO, MODEL, chat, client_for, new_key, requests_of

from hub_core import InsufficientCreditsError, UsageRecord
from hub_core.account import usage_record, usage_records_from_reply
from hub_core.errors import HubAPIError, HubInputError, UnsupportedFeatureError
from hub_core.replies import parse_time


@pytest.mark.parametrize(("hub", "amount", "unit"), [("electronhub", 123, "credits"), ("apihub", 4567, "tokens")])
def test_balance_sync_and_async(hub_emulator, hub: str, amount: int, unit: str) -> None:
    key = new_key(hub)
    hub_emulator.admin.set_account(hub, key, balance=amount)
    client = client_for(hub_emulator, hub, key)
    assert (client.balance().amount, client.balance().unit) == (amount, unit)
    left = asyncio.run(client.abalance())
    assert (left.amount, left.unit) == (amount, unit)


def test_balance_follows_spending(hub_emulator) -> None:
    key = new_key("electronhub")
    hub_emulator.admin.set_account("electronhub", key, balance=100)
    client = client_for(hub_emulator, "electronhub", key)
    chat(client)
    assert client.balance().amount == hub_emulator.admin.ledger("electronhub", key)["balance"] == 95


@pytest.mark.parametrize("hub", ["chainhub", "tokenhub"])
@pytest.mark.parametrize("operation", ["balance", "usage_history"])
def test_hubs_without_a_route_raise_unsupported_and_send_nothing(hub_emulator, hub: str, operation: str) -> None:
    key = new_key(hub)
    client = client_for(hub_emulator, hub, key)
    with pytest.raises(UnsupportedFeatureError) as info:
        getattr(client, operation)()
    with pytest.raises(UnsupportedFeatureError):
        asyncio.run(getattr(client, "a" + operation)())
    err = info.value
    assert err.hub == hub and err.capability == operation
    assert client.profile.display_name in str(err)
    assert requests_of(hub_emulator, hub, key) == []


def test_apihub_usage_history_is_typed_newest_first_and_limited(hub_emulator) -> None:
    key = new_key("apihub")
    client = client_for(hub_emulator, "apihub", key)
    for text in ("one", "two two", "three three three"):
        chat(client, text)
    records = client.usage_history(limit=2)
    paid = [r for r in requests_of(hub_emulator, "apihub", key) if r["credits"]]
    assert len(records) == 2
    assert all(isinstance(r, UsageRecord) for r in records)
    assert [r.total_tokens for r in records] == [paid[-1]["credits"], paid[-2]["credits"]]
    assert all(r.model == MODEL["apihub"] and r.unit == "USD" for r in records)
    assert records[0].cost == pytest.approx(paid[-1]["credits"] * 0.30 / 1e6)
    assert records[0].time is not None and records[0].time.tzinfo is not None
    assert records[0].time >= records[1].time
    sent = [r for r in requests_of(hub_emulator, "apihub", key) if r["path"].endswith("/billing/usage")]
    assert len(sent) == 1 and sent[0]["method"] == "GET"


def test_electronhub_usage_history_from_user_logs(hub_emulator) -> None:
    key = new_key("electronhub")
    client = client_for(hub_emulator, "electronhub", key)
    chat(client)
    client.chat({"model": "gpt-4o-mini", "messages": HELLO})
    client.balance()  # an account read is not a model call
    records = asyncio.run(client.ausage_history(limit=10))
    assert [(r.model, r.cost, r.unit, r.status) for r in records] == [
        ("gpt-4o-mini", 1, "credits", "success"),
        ("gpt-4o", 5, "credits", "success"),
    ]
    assert records[0].raw["key"].endswith("...")  # the hub's masked key, never the whole key
    assert key not in repr(records) and key not in str([r.raw for r in records])


@pytest.mark.parametrize("limit", [0, -1, 1.5, "10", True])
def test_bad_limit_is_refused_before_any_request(hub_emulator, limit) -> None:
    key = new_key("apihub")
    client = client_for(hub_emulator, "apihub", key)
    with pytest.raises(HubInputError) as info:
        client.usage_history(limit=limit)
    assert isinstance(info.value, ValueError) and info.value.field == "limit"
    assert "limit" in str(info.value) and "Fix" in str(info.value)
    assert requests_of(hub_emulator, "apihub", key) == []


def test_usage_rows_in_other_shapes_parse_tolerantly() -> None:
    rows = {
        "data": {
            "records": [
                {"model_name": "m1", "prompt_tokens": "12", "completion_tokens": 3, "credits": "2.5",
                 "created_at": "2025-01-02T03:04:05Z"},
                {"model": "m2", "usage": {"input_tokens": 1, "output_tokens": 2}, "cost": 0.1,
                 "timestamp": 1_735_787_045_000},
                "not-a-row",
            ]
        }
    }
    first, second, odd = usage_records_from_reply("x", rows, "credits", 10)
    assert (first.model, first.input_tokens, first.output_tokens, first.total_tokens, first.cost) == (
        "m1", 12, 3, 15, 2.5)
    assert first.time == datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert (second.model, second.total_tokens, second.time.year) == ("m2", 3, 2025)  # epoch milliseconds
    assert odd.model is None and odd.raw == {"value": "not-a-row"}  # kept, not dropped
    assert usage_record({"model": "m", "timestamp": "yesterday"}, "USD").time is None
    assert parse_time("1735787045") == datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert parse_time(True) is None and parse_time(0) is None


def test_unreadable_usage_reply_raises_instead_of_returning_nothing() -> None:
    with pytest.raises(HubAPIError, match="no list of records"):
        usage_records_from_reply("apihub", {"detail_ok": 1}, "USD", 5)


@pytest.mark.parametrize(
    ("hub", "balance", "max_tokens", "expected"),
    [
        ("electronhub", 3, 100, ["balance 3 credits", "this call needs 5 credits", "top up or lower max_tokens"]),
        ("apihub", 3, 100, ["balance 3 tokens", "this call needs", "tokens", "top up or lower max_tokens"]),
        ("chainhub", 0.0002, 100, ["you can afford max_tokens=", "top up or lower max_tokens"]),
        ("tokenhub", 0.0002, 100, ["you can afford max_tokens=", "top up or lower max_tokens"]),
    ],
)
def test_insufficient_credits_message_per_hub_dialect(hub_emulator, hub, balance, max_tokens, expected) -> None:
    key = new_key(hub)
    hub_emulator.admin.set_account(hub, key, balance=balance)
    client = client_for(hub_emulator, hub, key)
    with pytest.raises(InsufficientCreditsError) as info:
        chat(client, max_tokens=max_tokens)
    text = str(info.value)
    for part in expected:
        assert part in text, text
    assert text.startswith(f"{hub}: 402 ")
    if info.value.affordable_max_tokens is not None:
        assert 0 < info.value.affordable_max_tokens < max_tokens
        assert f"max_tokens={info.value.affordable_max_tokens}" in text
    assert key not in text
