"""Balances, usage history and the API Hub account (register, login, API keys).

- ``history``: what ``HubClient.balance()`` / ``usage_history()`` send and how replies are read.
- ``apihub``: :class:`APIHubAccount`, API Hub's account surface (its JWT never leaves the object).

Example:
    >>> from hub_core.account import APIHubAccount
    >>> APIHubAccount(base_url="http://127.0.0.1:8787/apihub/v1")
    APIHubAccount(base_url='http://127.0.0.1:8787/apihub/v1', logged_in=False)
"""

from __future__ import annotations

from hub_core.account.apihub import (
    APIHubAccount,
    APIKey,
    LoginResult,
    RegisterResult,
    api_key_record,
    mask_key,
)
from hub_core.account.history import (
    DEFAULT_USAGE_LIMIT,
    Balance,
    UsageRecord,
    balance_from_reply,
    balance_request,
    check_limit,
    usage_record,
    usage_records_from_reply,
    usage_request,
)

__all__ = [
    "DEFAULT_USAGE_LIMIT",
    "APIHubAccount",
    "APIKey",
    "Balance",
    "LoginResult",
    "RegisterResult",
    "UsageRecord",
    "api_key_record",
    "balance_from_reply",
    "balance_request",
    "check_limit",
    "mask_key",
    "usage_record",
    "usage_records_from_reply",
    "usage_request",
]
