"""API Hub's account API: register, login, and API keys (``APIHubAccount``).

The account routes sit at the root of the same ``/v1`` URL every class takes. The JWT from
``register``/``login`` stays inside the object (a ``SecretStr``); it is never returned, shown in
a repr, logged, put in an error or pickled.

Example:
    >>> account = APIHubAccount(base_url="http://127.0.0.1:8787/apihub/v1")
    >>> account.register("me@example.com", "s3cret-pw")  # doctest: +SKIP
    RegisterResult(email='me@example.com', api_key=SecretStr('**********'), ...)
    >>> key = account.create_key("ci")  # doctest: +SKIP
    >>> account.deactivate_key(key.id)  # doctest: +SKIP
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import SecretStr

from hub_core._owner import TransportOwner
from hub_core.account.history import rows_of
from hub_core.errors import HubAPIError, HubError, HubInputError
from hub_core.hubs import get_hub
from hub_core.replies import number, parse_time, scrubbed, text, unreadable, without

if TYPE_CHECKING:
    from hub_core.client import HubClient
    from hub_core.retry import RequestKind
    from hub_core.transport import Timeouts, Transport

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 6


@dataclass(frozen=True)
class RegisterResult:
    """A new API Hub user: its first API key (shown once) and the signup balance (tokens)."""

    email: str
    api_key: SecretStr | None
    balance: float | None
    message: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class LoginResult:
    """A successful login; the JWT stays inside the :class:`APIHubAccount`."""

    email: str
    balance: float | None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class APIKey:
    """An API Hub key record; ``key`` holds the whole key only in ``create_key``'s answer."""

    id: str
    name: str | None
    active: bool | None
    created_at: datetime | None
    masked_key: str | None
    key: SecretStr | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def mask_key(key: str) -> str:
    """``sk-abc...wxyz``: enough to recognise a key, not to use it."""
    return f"{key[:6]}...{key[-4:]}" if len(key) > 12 else "***"


def _looks_masked(key: str) -> bool:
    return "..." in key or "*" in key or "\u2026" in key


def api_key_record(row: Mapping[str, Any]) -> APIKey:
    """An :class:`APIKey` from a key row; a whole key becomes a ``SecretStr``, never raw text."""
    value = row.get("key") or row.get("api_key")
    key: SecretStr | None = None
    masked: str | None = None
    if isinstance(value, str) and value:
        if _looks_masked(value):
            masked = value
        else:
            key, masked = SecretStr(value), mask_key(value)
    active = row.get("active", row.get("is_active"))
    if not isinstance(active, bool):
        status = row.get("status")
        active = status.lower() == "active" if isinstance(status, str) else None
    raw = {k: v for k, v in row.items() if k not in ("key", "api_key")}
    if masked is not None:
        raw["key"] = masked
    return APIKey(
        id=str(row.get("id") or row.get("key_id") or ""),
        name=text(row.get("name")),
        active=active,
        created_at=parse_time(row.get("created_at", row.get("created"))),
        masked_key=masked,
        key=key,
        raw=scrubbed(raw),
    )


def _required_text(value: Any, name: str, fix: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise HubInputError.invalid(
            name, "must be a non-empty string", value, fix=fix, hub="apihub"
        )
    return value.strip()


def _credentials(email: Any, password: Any) -> dict[str, str]:
    if not isinstance(email, str) or not _EMAIL_RE.match(email.strip()):
        raise HubInputError.invalid(
            "email", "must look like name@example.com", email, fix="pass the account's email",
            hub="apihub",
        )
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        got = (
            f"{len(password)} characters"
            if isinstance(password, str)
            else type(password).__name__
        )
        raise HubInputError(
            f"password must have at least {MIN_PASSWORD} characters; got {got}. Fix: use a longer "
            "password",
            hub="apihub",
            field="password",
            rule=f"at least {MIN_PASSWORD} characters",
        )
    return {"email": email.strip(), "password": password}


class APIHubAccount(TransportOwner):
    """API Hub's account API: register or log in, then list, create and deactivate keys.

    The JWT from ``register``/``login`` stays inside the object: it is never returned, shown
    in a repr, logged, put in an error or pickled (a copy must log in again).

    Setup:
        Ships with ``ai-hubs``; no key needed to register or log in.

    Key init args:
        base_url: the same ``/v1`` URL every class takes (default ``APIHUB_BASE_URL``, then
            ``https://apihub4u.com/v1``); account routes sit at its root.
        timeout, max_retries, default_headers, proxy: as for :class:`~hub_core.HubClient`.

    Instantiate:
        .. code-block:: python

            from hub_core import APIHubAccount

            account = APIHubAccount(base_url=emu.base_url("apihub"))

    Register or log in:
        .. code-block:: python

            signup = account.register("ada@example.com", "s3cret-pw")
            signup.api_key, signup.balance  # (SecretStr('**********'), 1000000.0): free tokens
            account.login("ada@example.com", "s3cret-pw")  # a new JWT replaces the old one

        Creating an account or a key is sent once (retried only when the request never reached
        the hub); listing is retried like any read.

    Keys:
        .. code-block:: python

            ci = account.create_key("ci")  # ci.key (a SecretStr) is shown only in this answer
            [k.masked_key for k in account.list_keys()]  # ['sk-1a2...9f8e', ...]
            account.deactivate_key(ci.id)  # calls with it get 401 from now on

    Use a key:
        .. code-block:: python

            client = account.client(signup.api_key, rpm=0)  # a HubClient at the same base URL
            client.balance()  # Balance(amount=1000000.0, unit='tokens', ...)

    Async:
        .. code-block:: python

            keys = await account.alist_keys()  # also aregister, alogin, acreate_key, ...

    Errors:
        ``HubInputError`` (a ``ValueError``; nothing sent) for a malformed email, a password
        under 6 characters, or a key call before ``register``/``login``;
        ``BadRequestError`` when the email is registered already; ``AuthenticationError`` for
        a wrong password; ``NotFoundError`` for an unknown key id.

        .. code-block:: python

            from hub_core.errors import AuthenticationError

            try:
                APIHubAccount(base_url=emu.base_url("apihub")).login("ada@example.com", "wrong-pw")
            except AuthenticationError as exc:
                refused = str(exc)  # never holds the password
    """

    _NOT_PICKLED = ("_jwt",)  # a copy must log in again

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float | Timeouts | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
    ) -> None:
        self.profile = get_hub("apihub")
        self.base_url = self.profile.resolve_base_url(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.proxy = proxy
        self.email: str | None = None
        self._jwt: SecretStr | None = None
        self._transport: Transport | None = None
        self._lock = threading.Lock()

    @property
    def logged_in(self) -> bool:
        """Whether a JWT from ``register``/``login`` is held."""
        return self._jwt is not None

    def __repr__(self) -> str:
        return f"APIHubAccount(base_url={self.base_url!r}, logged_in={self.logged_in})"

    # -- plumbing -----------------------------------------------------------------------------

    def _new_transport(self) -> Transport:
        """A keyless transport; the JWT goes only on the calls that need it."""
        from hub_core.transport import Transport

        return Transport(
            hub=self.profile.name,
            base_url=self.base_url,
            api_key=None,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
            proxy=self.proxy,
        )

    def _url(self, endpoint: str, suffix: str = "") -> str:
        return self.profile.url_for(endpoint, self.base_url) + suffix

    def _auth(self) -> dict[str, str]:
        if self._jwt is None:
            raise HubInputError(
                "not logged in: call register() or login() first", hub="apihub", field="login",
                rule="log in before managing keys",
            )
        return {"Authorization": f"Bearer {self._jwt.get_secret_value()}"}

    def _hide_jwt(self, err: HubError) -> HubError:
        """Errors never carry the JWT, even if a hub echoed it."""
        if self._jwt is not None:
            secret = self._jwt.get_secret_value()
            err.message = without(err.message, secret)
            err.args = tuple(without(a, secret) for a in err.args)
            if isinstance(err, HubAPIError):
                err.body = without(err.body, secret)
        return err

    def _send(self, method: str, endpoint: str, *, suffix: str = "", json: Any = None,
              params: Mapping[str, str] | None = None, auth: bool, kind: RequestKind) -> Any:
        headers = self._auth() if auth else None
        try:
            return self.transport.request(
                method, self._url(endpoint, suffix), json=json, params=params, headers=headers,
                kind=kind,
            ).json()
        except HubError as err:
            raise self._hide_jwt(err) from None

    async def _asend(self, method: str, endpoint: str, *, suffix: str = "", json: Any = None,
                     params: Mapping[str, str] | None = None, auth: bool,
                     kind: RequestKind) -> Any:
        headers = self._auth() if auth else None
        try:
            response = await self.transport.arequest(
                method, self._url(endpoint, suffix), json=json, params=params, headers=headers,
                kind=kind,
            )
        except HubError as err:
            raise self._hide_jwt(err) from None
        return response.json()

    def _keep_token(self, email: str, data: Any, what: str) -> Mapping[str, Any]:
        token = data.get("token") if isinstance(data, Mapping) else None
        if not isinstance(token, str) or not token:
            raise unreadable("apihub", f"the {what} reply has no token", data)
        self._jwt = SecretStr(token)
        self.email = email
        body: Mapping[str, Any] = data
        return body

    def _registered(self, email: str, data: Any) -> RegisterResult:
        body = self._keep_token(email, data, "register")
        key = body.get("api_key")
        message = body.get("message")
        return RegisterResult(
            email=email,
            api_key=SecretStr(key) if isinstance(key, str) and key else None,
            balance=number(body.get("balance")),
            message=message if isinstance(message, str) else None,
            raw=scrubbed({k: v for k, v in body.items() if k != "api_key"}),
        )

    def _logged_in(self, email: str, data: Any) -> LoginResult:
        body = self._keep_token(email, data, "login")
        return LoginResult(email=email, balance=number(body.get("balance")), raw=scrubbed(body))

    @staticmethod
    def _keys(data: Any) -> list[APIKey]:
        rows = data.get("api_keys", data.get("keys")) if isinstance(data, Mapping) else None
        rows = rows if isinstance(rows, list) else rows_of(data)
        if rows is None:
            raise unreadable("apihub", "the key list reply holds no list of keys", data)
        return [api_key_record(r) for r in rows if isinstance(r, Mapping)]

    @staticmethod
    def _created(data: Any) -> APIKey:
        if not isinstance(data, Mapping):
            raise unreadable("apihub", "the create-key reply is not an object", data)
        return api_key_record(data)

    @staticmethod
    def _key_path(key_id: Any) -> str:
        key_id = _required_text(key_id, "key_id", "pass the id of a key from list_keys()")
        return "/" + quote(key_id, safe="")

    # -- register / login ---------------------------------------------------------------------

    def register(self, email: str, password: str) -> RegisterResult:
        """Create a user (API Hub grants 1,000,000 free tokens) and keep its JWT.

        Raises:
            HubInputError: a malformed email or a password under 6 characters (nothing sent).
            BadRequestError: the hub refused (e.g. the email is registered already).
        """
        body = _credentials(email, password)
        data = self._send("POST", "register", json=body, auth=False, kind="submit")
        return self._registered(body["email"], data)

    async def aregister(self, email: str, password: str) -> RegisterResult:
        """Async twin of :meth:`register`."""
        body = _credentials(email, password)
        data = await self._asend("POST", "register", json=body, auth=False, kind="submit")
        return self._registered(body["email"], data)

    def login(self, email: str, password: str) -> LoginResult:
        """Log in and keep the JWT (a new login replaces the old one).

        Raises:
            AuthenticationError: wrong email or password.
        """
        body = _credentials(email, password)
        data = self._send("POST", "login", json=body, auth=False, kind="call")
        return self._logged_in(body["email"], data)

    async def alogin(self, email: str, password: str) -> LoginResult:
        """Async twin of :meth:`login`."""
        body = _credentials(email, password)
        data = await self._asend("POST", "login", json=body, auth=False, kind="call")
        return self._logged_in(body["email"], data)

    # -- keys ---------------------------------------------------------------------------------

    def list_keys(self) -> list[APIKey]:
        """Every key of the user, masked as the hub lists them."""
        return self._keys(self._send("GET", "api_keys", auth=True, kind="poll"))

    async def alist_keys(self) -> list[APIKey]:
        """Async twin of :meth:`list_keys`."""
        return self._keys(await self._asend("GET", "api_keys", auth=True, kind="poll"))

    def create_key(self, name: str) -> APIKey:
        """A new key named ``name`` (sent in the query string); its ``key`` is shown only now."""
        label = _required_text(name, "name", "pass a label such as name='ci'")
        data = self._send("POST", "api_keys", params={"name": label}, auth=True, kind="submit")
        return self._created(data)

    async def acreate_key(self, name: str) -> APIKey:
        """Async twin of :meth:`create_key`."""
        label = _required_text(name, "name", "pass a label such as name='ci'")
        data = await self._asend(
            "POST", "api_keys", params={"name": label}, auth=True, kind="submit"
        )
        return self._created(data)

    def deactivate_key(self, key_id: str) -> None:
        """Deactivate a key; calls with it then get 401.

        Raises:
            NotFoundError: the hub knows no key with this id.
        """
        suffix = self._key_path(key_id)
        self._send("DELETE", "api_keys", suffix=suffix, auth=True, kind="call")

    async def adeactivate_key(self, key_id: str) -> None:
        """Async twin of :meth:`deactivate_key`."""
        suffix = self._key_path(key_id)
        await self._asend("DELETE", "api_keys", suffix=suffix, auth=True, kind="call")

    # -- helpers ------------------------------------------------------------------------------

    def client(self, api_key: str | SecretStr, **kwargs: Any) -> HubClient:
        """A :class:`~hub_core.HubClient` for ``api_key`` at this account's base URL."""
        from hub_core.client import HubClient

        return HubClient(self.profile, api_key=api_key, base_url=self.base_url, **kwargs)
