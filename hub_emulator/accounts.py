"""Account routes: Electron Hub ``/user/*``; API Hub register, login, JWT, API keys, billing."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

from . import catalog, jsonutil
from .routes import Ctx, HTTPError, Out, register
from .state import Account, ApiHubUser

SIGNUP_TOKENS = 1_000_000


async def eh_user_me(ctx: Ctx) -> Out:
    """``GET /v1/user/me``: credits as an int, plan, usage and per-endpoint counts."""
    acct = ctx.require_account()
    endpoints: dict[str, int] = {}
    for rec in acct.requests:
        name = rec["path"].rsplit("/v1/", 1)[-1].replace("/", ".")
        endpoints[name] = endpoints.get(name, 0) + 1
    return Out.json({
        "subscription": acct.plan, "credits": int(acct.balance),
        "usage": {"input_tokens": acct.input_tokens, "output_tokens": acct.output_tokens},
        "history": [{"date": time.strftime("%Y-%m-%d"), "requests": len(acct.requests)}],
        "endpoints": endpoints,
    })


async def eh_user_logs(ctx: Ctx) -> Out:
    """``GET /v1/user/logs``: one row per model call (account and catalog reads are not logged)."""
    acct = ctx.require_account()
    key = (ctx.key or "")[:6] + "..."
    rows = [{"key": key, "model": r["model"], "route": r["path"], "credits": r["credits"],
             "timestamp": r.get("time", 0), "status": "success" if r["status"] < 400 else "error"}
            for r in acct.requests if r["model"]]
    return Out.json(rows)


async def eh_user_models(ctx: Ctx) -> Out:
    """``GET /v1/user/models``: consumption per model."""
    acct = ctx.require_account()
    models: dict[str, dict[str, Any]] = {}
    for rec in acct.requests:
        if not rec["model"]:
            continue
        row = models.setdefault(rec["model"], {"requests": 0, "input_tokens": 0,
                                               "output_tokens": 0, "total_cost": 0})
        row["requests"] += 1
        row["total_cost"] += rec["credits"]
    return Out.json({"total_consumption": acct.spent, "models": models,
                     "last_updated": int(time.time())})


def _jwt(email: str) -> str:
    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(jsonutil.dumps(obj)).rstrip(b"=").decode()

    head = b64({"alg": "HS256", "typ": "JWT"})
    body = b64({"sub": email, "iat": int(time.time()), "nonce": secrets.token_hex(4)})
    sig = base64.urlsafe_b64encode(hashlib.sha256(f"{head}.{body}".encode()).digest())
    return f"{head}.{body}.{sig.rstrip(b'=').decode()}"


def _credentials(ctx: Ctx) -> tuple[str, str]:
    body = ctx.json()
    if not isinstance(body, dict):
        raise HTTPError(422, "body must be a JSON object with email and password")
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or "@" not in email:
        raise HTTPError(422, "a valid email is required")
    if not isinstance(password, str) or len(password) < 6:
        raise HTTPError(422, "password must have at least 6 characters")
    return email, password


def _new_key(ctx: Ctx, user: ApiHubUser, name: str) -> dict[str, Any]:
    key = "sk-" + secrets.token_hex(24)
    key_id = "key_" + secrets.token_hex(6)
    record = {"id": key_id, "name": name, "key": key, "active": True,
              "created_at": int(time.time())}
    user.keys[key_id] = record
    ctx.state.accounts[("apihub", key)] = user.account
    return record


async def api_register(ctx: Ctx) -> Out:
    """``POST /auth/register``: a user with 1,000,000 free tokens, a JWT and a first key."""
    email, password = _credentials(ctx)
    if email in ctx.state.users:
        raise HTTPError(400, "Email already registered")
    account = Account("apihub", SIGNUP_TOKENS, "free", None)
    user = ApiHubUser(email, password, _jwt(email), account)
    ctx.state.users[email] = user
    ctx.state.tokens[user.token] = user
    record = _new_key(ctx, user, "default")
    return Out.json({"token": user.token, "api_key": record["key"], "balance": account.balance,
                     "message": "Registration successful"})


async def api_login(ctx: Ctx) -> Out:
    """``POST /auth/login``: a fresh JWT."""
    email, password = _credentials(ctx)
    user = ctx.state.users.get(email)
    if user is None or user.password != password:
        raise HTTPError(401, "Invalid email or password")
    user.token = _jwt(email)
    ctx.state.tokens[user.token] = user
    return Out.json({"token": user.token, "balance": user.account.balance})


def _user(ctx: Ctx) -> ApiHubUser:
    user = ctx.state.tokens.get(ctx.key or "")
    if user is None:
        raise HTTPError(401, "Could not validate credentials")
    return user


def _price(model: str | None) -> float:
    spec, _ = catalog.resolve("apihub", model or "")
    return spec.price_in if spec is not None else 0.0


def _masked(record: dict[str, Any]) -> dict[str, Any]:
    key = record["key"]
    return {**record, "key": f"{key[:6]}...{key[-4:]}"}


async def api_keys_list(ctx: Ctx) -> Out:
    """``GET /api-keys`` (JWT): keys, masked."""
    user = _user(ctx)
    return Out.json({"api_keys": [_masked(r) for r in user.keys.values()]})


async def api_keys_create(ctx: Ctx) -> Out:
    """``POST /api-keys?name=<label>`` (JWT): the full key, shown once."""
    user = _user(ctx)
    name = ctx.query.get("name", "").strip()
    if not name:  # the label goes in the query string; a JSON body is not read
        raise HTTPError(422, "Query parameter 'name' is required")
    record = _new_key(ctx, user, name)
    return Out.json(record)


async def api_keys_delete(ctx: Ctx) -> Out:
    """``DELETE /api-keys/{key_id}`` (JWT): deactivates the key."""
    user = _user(ctx)
    record = user.keys.get(ctx.params["key_id"])
    if record is None:
        raise HTTPError(404, "API key not found")
    record["active"] = False
    ctx.state.accounts.pop(("apihub", record["key"]), None)
    ctx.state.revoked.add(record["key"])
    return Out.json({"message": "API key deactivated", "id": record["id"]})


def _email_of(ctx: Ctx) -> str | None:
    user = ctx.state.tokens.get(ctx.key or "")
    if user is not None:
        return user.email
    for candidate in ctx.state.users.values():
        if candidate.account is ctx.account:
            return candidate.email
    return None


async def api_balance(ctx: Ctx) -> Out:
    """``GET /billing/balance`` (JWT or key): token balance."""
    acct = ctx.require_account()
    return Out.json({"balance": acct.balance, "email": _email_of(ctx)})


async def api_usage(ctx: Ctx) -> Out:
    """``GET /billing/usage?limit=N`` (JWT or key): recent paid records."""
    acct = ctx.require_account()
    try:
        limit = int(ctx.query.get("limit", "50"))
    except ValueError:
        raise HTTPError(422, "limit must be an integer") from None
    rows = [r for r in acct.requests if r["credits"]][-limit:] if limit > 0 else []
    return Out.json({"usage": [
        {"model": r["model"], "tokens": r["credits"], "total_tokens": r["credits"],
         "cost": round(r["credits"] * _price(r["model"]), 8), "timestamp": r.get("time", 0)}
        for r in reversed(rows)]})


for _surface in ("api",):
    register("electronhub", _surface, "GET", "user/me", eh_user_me)
    register("electronhub", _surface, "GET", "user/logs", eh_user_logs)
    register("electronhub", _surface, "GET", "user/models", eh_user_models)
register("apihub", "root", "POST", "auth/register", api_register, auth="none")
register("apihub", "root", "POST", "auth/login", api_login, auth="none")
register("apihub", "root", "GET", "api-keys", api_keys_list, auth="jwt")
register("apihub", "root", "POST", "api-keys", api_keys_create, auth="jwt")
register("apihub", "root", "DELETE", "api-keys/{key_id}", api_keys_delete, auth="jwt")
register("apihub", "root", "GET", "billing/balance", api_balance, auth="jwt_or_key")
register("apihub", "root", "GET", "billing/usage", api_usage, auth="jwt_or_key")
