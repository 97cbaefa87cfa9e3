"""Each hub's own dialect on the wire: auth, error bodies, 402/429, headers, account routes."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from hub_emulator import Emulator

MSG = {"messages": [{"role": "user", "content": "hi"}]}
CHAT = {"electronhub": "gpt-4o", "chainhub": "gpt-4o", "apihub": "qwen-max",
        "tokenhub": "openai/gpt-4.1"}


def _post(emu: Emulator, hub: str, key: str | None, body: dict, path: str = "chat/completions",
          base: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(f"{base or emu.base_url(hub)}/{path}", json=body, headers=headers)


@pytest.mark.parametrize("hub", list(CHAT))
def test_wrong_key_prefix_is_401_in_dialect(hub_emulator: Emulator, hub: str) -> None:
    resp = _post(hub_emulator, hub, "xx-nope", {"model": CHAT[hub], **MSG})
    assert resp.status_code == 401
    body = resp.json()
    if hub == "apihub":
        assert set(body) == {"detail"}
    elif hub == "electronhub":
        assert body["error"]["code"] == 401
    else:
        assert body["error"]["code"] == "invalid_api_key"
    assert resp.headers["x-request-id"].startswith("req_")


@pytest.mark.parametrize("hub", list(CHAT))
def test_unknown_model_404_model_not_found(hub_emulator: Emulator, hub: str,
                                           hub_key: Callable[[str], str]) -> None:
    resp = _post(hub_emulator, hub, hub_key(hub), {"model": "nope-9", **MSG})
    assert resp.status_code == 404
    assert "nope-9" in resp.text
    if hub in ("chainhub", "tokenhub"):
        assert resp.json()["error"]["code"] == "model_not_found"


def test_model_ids_are_lenient(hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    th = _post(hub_emulator, "tokenhub", hub_key("tokenhub"), {"model": "gpt-4.1", **MSG})
    assert th.status_code == 200 and th.json()["model"] == "gpt-4.1"
    eh = _post(hub_emulator, "electronhub", hub_key("electronhub"),
               {"model": "deepseek-r1:reasoning-exclude", **MSG})
    assert eh.status_code == 200
    assert "reasoning" not in eh.json()["choices"][0]["message"]


def test_electronhub_402_states_numbers_and_spends_nothing(
        hub_emulator: Emulator, hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.set_account("electronhub", key, balance=3)
    resp = _post(hub_emulator, "electronhub", key, {"model": "gpt-4o", **MSG})
    assert resp.status_code == 402
    assert resp.json()["error"]["message"] == (
        "Insufficient balance. You have 3 credits, this request needs 5.")
    ok = _post(hub_emulator, "electronhub", key, {"model": "gpt-4o-mini", **MSG})
    assert ok.status_code == 200
    ledger = hub_emulator.admin.ledger("electronhub", key)
    assert ledger["balance"] == 2 and ledger["spent"] == 1
    assert [r["status"] for r in ledger["requests"]] == [402, 200]
    assert [r["credits"] for r in ledger["requests"]] == [0, 1]


def test_token_priced_402_says_what_is_affordable(hub_emulator: Emulator,
                                                  hub_key: Callable[[str], str]) -> None:
    key = hub_key("tokenhub")
    hub_emulator.admin.set_account("tokenhub", key, balance=0.001)
    resp = _post(hub_emulator, "tokenhub", key, {"model": "openai/gpt-4.1", "max_tokens": 4096,
                                                 **MSG})
    assert resp.status_code == 402
    msg = resp.json()["error"]["message"]
    assert msg.startswith("This request requires more credits, or fewer max_tokens. "
                          "You requested up to 4096 tokens, but can only afford ")
    affordable = int(msg.rsplit(" ", 1)[1].rstrip("."))
    assert 0 < affordable < 4096
    ok = _post(hub_emulator, "tokenhub", key, {"model": "openai/gpt-4.1",
                                               "max_tokens": affordable, **MSG})
    assert ok.status_code == 200


def test_apihub_402_detail_and_token_ledger(hub_emulator: Emulator,
                                            hub_key: Callable[[str], str]) -> None:
    key = hub_key("apihub")
    ok = _post(hub_emulator, "apihub", key, {"model": "qwen-max", **MSG})
    usage = ok.json()["usage"]
    ledger = hub_emulator.admin.ledger("apihub", key)
    assert ledger["spent"] == usage["total_tokens"]
    assert ledger["requests"][0]["body"]["model"] == "qwen-max"
    assert "authorization" not in ledger["requests"][0]["headers"]
    hub_emulator.admin.set_account("apihub", key, balance=5)
    resp = _post(hub_emulator, "apihub", key, {"model": "qwen-max", **MSG})
    assert resp.status_code == 402
    assert resp.json()["detail"].startswith("Insufficient token balance")


def test_electronhub_rate_limit_cooldown(hub_emulator: Emulator,
                                         hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    hub_emulator.admin.set_account("electronhub", key, plan="free", cooldown=7)
    statuses = []
    for _ in range(7):
        resp = _post(hub_emulator, "electronhub", key, {"model": "gpt-4o-mini", **MSG})
        statuses.append(resp.status_code)
        assert "x-ratelimit-limit" in resp.headers
    assert statuses == [200] * 5 + [429, 429]
    assert resp.json()["error"]["message"].startswith("Rate limit exceeded. Try again in ")
    first429 = hub_emulator.admin.ledger("electronhub", key)["requests"][5]
    assert first429["status"] == 429
    assert resp.headers["x-ratelimit-remaining"] == "0"


def test_electronhub_cooldown_ends(hub_emulator: Emulator,
                                   hub_key: Callable[[str], str]) -> None:
    import time

    key = hub_key("electronhub")
    hub_emulator.admin.set_account("electronhub", key, plan=1, cooldown=0.05)
    body = {"model": "gpt-4o-mini", **MSG}
    assert [_post(hub_emulator, "electronhub", key, body).status_code for _ in range(2)] == [200, 429]
    time.sleep(0.1)  # longer than the cooldown: waiting, not measuring
    assert _post(hub_emulator, "electronhub", key, body).status_code == 200


def test_rate_limit_other_hubs_give_retry_after(hub_emulator: Emulator,
                                                hub_key: Callable[[str], str]) -> None:
    key = hub_key("apihub")
    hub_emulator.admin.set_account("apihub", key, plan=2)
    codes = [_post(hub_emulator, "apihub", key, {"model": "qwen-max", **MSG}) for _ in range(3)]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert int(codes[2].headers["retry-after"]) > 0
    assert "detail" in codes[2].json()


def test_electronhub_variants_and_user_me(hub_emulator: Emulator,
                                          hub_key: Callable[[str], str]) -> None:
    key = hub_key("electronhub")
    body = {"model": "deepseek-r1", **MSG}
    v1 = _post(hub_emulator, "electronhub", key, body).json()["choices"][0]["message"]
    legacy = _post(hub_emulator, "electronhub", key, body,
                   base=hub_emulator.base_url("electronhub", "v1legacy")).json()
    thinking = _post(hub_emulator, "electronhub", key, body,
                     base=hub_emulator.base_url("electronhub", "v1thinking")).json()
    root = _post(hub_emulator, "electronhub", key, body,
                 base=hub_emulator.base_url("electronhub", "root"))
    assert v1["reasoning"] and "reasoning_content" not in v1
    assert legacy["choices"][0]["message"]["reasoning_content"] == v1["reasoning"]
    assert thinking["choices"][0]["message"]["content"].startswith("<think>")
    assert root.status_code == 200
    me = httpx.get(f"{hub_emulator.base_url('electronhub')}/user/me",
                   headers={"Authorization": f"Bearer {key}"}).json()
    assert isinstance(me["credits"], int)
    assert me["credits"] == hub_emulator.admin.ledger("electronhub", key)["balance"]


def test_apihub_account_flow(hub_emulator: Emulator) -> None:
    root = hub_emulator.root_url("apihub")
    email = f"u{id(root)}@example.com"
    reg = httpx.post(f"{root}/auth/register", json={"email": email, "password": "secret1"}).json()
    assert reg["api_key"].startswith("sk-") and reg["balance"] == 1_000_000
    bad = httpx.post(f"{root}/auth/login", json={"email": email, "password": "wrong!!"})
    assert bad.status_code == 401 and "detail" in bad.json()
    token = httpx.post(f"{root}/auth/login", json={"email": email, "password": "secret1"}
                       ).json()["token"]
    jwt = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{root}/api-keys", headers={"Authorization": f"Bearer {reg['api_key']}"}
                     ).status_code == 401  # key management needs the JWT
    new = httpx.post(f"{root}/api-keys", params={"name": "ci"}, headers=jwt).json()
    listed = httpx.get(f"{root}/api-keys", headers=jwt).json()["api_keys"]
    assert {k["name"] for k in listed} == {"default", "ci"}
    assert all("..." in k["key"] for k in listed)
    chat = _post(hub_emulator, "apihub", new["key"], {"model": "qwen-turbo", **MSG})
    spent = chat.json()["usage"]["total_tokens"]
    bal = httpx.get(f"{root}/billing/balance",
                    headers={"Authorization": f"Bearer {reg['api_key']}"}).json()
    assert bal == {"balance": 1_000_000 - spent, "email": email}  # all keys share one balance
    usage = httpx.get(f"{root}/billing/usage", params={"limit": 5}, headers=jwt).json()["usage"]
    assert usage[0]["model"] == "qwen-turbo" and usage[0]["tokens"] == spent
    assert httpx.delete(f"{root}/api-keys/{new['id']}", headers=jwt).status_code == 200
    assert _post(hub_emulator, "apihub", new["key"], {"model": "qwen-turbo", **MSG}
                 ).status_code == 401
    assert httpx.get(f"{hub_emulator.base_url('apihub')}/models").status_code == 200  # no auth


def test_chainhub_task_root_errors_use_task_shape(hub_emulator: Emulator,
                                                  hub_key: Callable[[str], str]) -> None:
    resp = httpx.get(f"{hub_emulator.root_url('chainhub')}/suno/fetch/none",
                     headers={"Authorization": f"Bearer {hub_key('chainhub')}"})
    body = resp.json()
    assert set(body) == {"code", "message", "data"}


def test_admin_rejects_bad_input(hub_emulator: Emulator) -> None:
    from hub_emulator import AdminError

    with pytest.raises(AdminError, match="tool_delta"):
        hub_emulator.admin.fault(hub="tokenhub", tool_delta="sideways")
    with pytest.raises(AdminError, match="unknown hub"):
        hub_emulator.admin.set_account("nohub", "k", balance=1)
    with pytest.raises(AdminError, match="plan"):
        hub_emulator.admin.set_account("electronhub", "ek-x", plan="platinum")
