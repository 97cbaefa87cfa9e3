"""APIHubAccount end to end: register -> create key -> chat with it -> deactivate -> 401."""

from __future__ import annotations

import asyncio
import logging
import pickle
import uuid

import pytest
from account_support import MODEL, UNREACHABLE, chat, requests_of

from hub_core import APIHubAccount, APIKey, HubClient
from hub_core.errors import (
    AuthenticationError,
    BadRequestError,
    HubInputError,
    NotFoundError,
)


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


def account_for(emu) -> APIHubAccount:
    return APIHubAccount(base_url=emu.base_url("apihub"))


def test_register_create_chat_deactivate_then_401(hub_emulator) -> None:
    account = account_for(hub_emulator)
    email = new_email()
    registered = account.register(email, "s3cret-pw")
    assert registered.email == email and registered.balance == 1_000_000
    assert registered.api_key is not None and account.logged_in

    created = account.create_key("ci")
    assert isinstance(created, APIKey) and created.name == "ci" and created.active is True
    assert created.key is not None and created.id.startswith("key_")
    whole_key = created.key.get_secret_value()
    assert created.masked_key == f"{whole_key[:6]}...{whole_key[-4:]}"

    client = account.client(created.key, rpm=0)
    assert chat(client)["choices"][0]["message"]["content"]
    assert client.balance().amount < 1_000_000  # the new key spends the user's shared balance

    listed = {k.id: k for k in account.list_keys()}
    assert set(listed) >= {created.id} and len(listed) == 2
    assert listed[created.id].key is None and listed[created.id].masked_key == created.masked_key

    account.deactivate_key(created.id)
    assert {k.id: k.active for k in account.list_keys()}[created.id] is False
    with pytest.raises(AuthenticationError) as info:
        chat(client)
    assert info.value.status_code == 401
    # the first key still works: deactivation is per key
    first = HubClient("apihub", api_key=registered.api_key, base_url=hub_emulator.base_url("apihub"), rpm=0)
    assert chat(first)["choices"]


def test_create_key_sends_the_name_in_the_query_and_no_body(hub_emulator) -> None:
    account = account_for(hub_emulator)
    registered = account.register(new_email(), "s3cret-pw")
    account.create_key("nightly build")
    ledger = requests_of(hub_emulator, "apihub", registered.api_key.get_secret_value())
    posts = [r for r in ledger if r["method"] == "POST" and r["path"].endswith("/api-keys")]
    assert len(posts) == 1 and posts[0]["body"] is None and posts[0]["status"] == 200
    assert "nightly build" in {k.name for k in account.list_keys()}  # the emulator 422s without ?name=


def test_async_twins_run_the_same_flow(hub_emulator) -> None:
    async def flow() -> tuple[APIKey, list[APIKey]]:
        async with account_for(hub_emulator) as account:
            email = new_email()
            await account.aregister(email, "s3cret-pw")
            login = await account.alogin(email, "s3cret-pw")
            assert login.email == email and login.balance == 1_000_000
            key = await account.acreate_key("async")
            await account.adeactivate_key(key.id)
            return key, await account.alist_keys()

    key, keys = asyncio.run(flow())
    assert {k.id: k.active for k in keys}[key.id] is False


def test_login_replaces_the_token_and_wrong_password_is_401(hub_emulator) -> None:
    email = new_email()
    account_for(hub_emulator).register(email, "s3cret-pw")
    fresh = account_for(hub_emulator)
    assert not fresh.logged_in
    fresh.login(email, "s3cret-pw")
    assert fresh.logged_in and len(fresh.list_keys()) == 1
    with pytest.raises(AuthenticationError):
        account_for(hub_emulator).login(email, "wrong-password")


def test_hub_refusals_are_typed(hub_emulator) -> None:
    account = account_for(hub_emulator)
    email = new_email()
    account.register(email, "s3cret-pw")
    with pytest.raises(BadRequestError, match="already registered"):
        account_for(hub_emulator).register(email, "s3cret-pw")
    with pytest.raises(NotFoundError):
        account.deactivate_key("key_doesnotexist")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda a: a.register("not-an-email", "s3cret-pw"), "email"),
        (lambda a: a.register("a@b", "s3cret-pw"), "email"),
        (lambda a: a.login("me@example.com", "short"), "password"),
        (lambda a: a.register("me@example.com", None), "password"),
        (lambda a: a.create_key("x"), "login"),
        (lambda a: a.list_keys(), "login"),
    ],
)
def test_bad_input_is_refused_before_any_request(call, field: str) -> None:
    account = APIHubAccount(base_url=UNREACHABLE)  # a request would raise HubConnectionError
    with pytest.raises(HubInputError) as info:
        call(account)
    err = info.value
    assert isinstance(err, ValueError) and err.field == field and field in str(err)
    assert "short" not in str(err)  # a password is described, never shown


@pytest.mark.parametrize(("name", "key_id"), [("", "key_1"), ("   ", "key_1"), ("ok", ""), ("ok", None)])
def test_empty_key_name_or_id_is_refused_before_any_request(hub_emulator, name, key_id) -> None:
    account = account_for(hub_emulator)
    registered = account.register(new_email(), "s3cret-pw")
    before = len(requests_of(hub_emulator, "apihub", registered.api_key.get_secret_value()))
    with pytest.raises(HubInputError):
        if not name.strip():
            account.create_key(name)
        else:
            account.deactivate_key(key_id)
    assert len(requests_of(hub_emulator, "apihub", registered.api_key.get_secret_value())) == before


def test_the_jwt_never_leaves_the_object(hub_emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    account = account_for(hub_emulator)
    registered = account.register(new_email(), "s3cret-pw")
    jwt = account._jwt.get_secret_value()
    assert jwt.count(".") == 2
    created = account.create_key("secret-check")
    whole_key = created.key.get_secret_value()
    with pytest.raises(NotFoundError) as info:
        account.deactivate_key("key_missing")
    texts = [repr(account), str(vars(account)), repr(registered), repr(created), str(created.raw),
             str(registered.raw), repr(account.list_keys()), str(info.value), repr(info.value),
             repr(info.value.body), caplog.text]
    for text in texts:
        assert jwt not in text
        assert whole_key not in text
    assert registered.api_key.get_secret_value() not in repr(registered)
    clone = pickle.loads(pickle.dumps(account))
    assert jwt.encode() not in pickle.dumps(account)
    assert not clone.logged_in and clone.base_url == account.base_url
    with pytest.raises(HubInputError, match="not logged in"):
        clone.list_keys()


def test_base_url_defaults_to_the_environment(hub_emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIHUB_BASE_URL", hub_emulator.base_url("apihub"))
    account = APIHubAccount()
    assert account.base_url == hub_emulator.base_url("apihub")
    assert account.register(new_email(), "s3cret-pw").api_key is not None
    assert chat(account.client(account.create_key("env").key, rpm=0))["model"] == MODEL["apihub"]
