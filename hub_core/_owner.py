"""``TransportOwner``: the lifecycle every object that owns a lazily built transport shares.

The transport is made on first use (so objects pickle and cross process boundaries), released by
``close``/``aclose`` or a ``with``/``async with`` block, and dropped when pickled together with
anything listed in ``_NOT_PICKLED`` (an API Hub JWT, for example).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from hub_core.transport import Transport

_Owner = TypeVar("_Owner", bound="TransportOwner")


class TransportOwner:
    """Mixin: a lazy ``transport`` built by ``_new_transport()``, closing, and pickling."""

    _NOT_PICKLED: tuple[str, ...] = ()
    _transport: Transport | None
    _lock: threading.Lock

    def _new_transport(self) -> Transport:
        raise NotImplementedError

    @property
    def transport(self) -> Transport:
        """The HTTP transport, built on first use (and again after unpickling)."""
        transport = self._transport
        if transport is None:
            with self._lock:
                transport = self._transport
                if transport is None:
                    transport = self._transport = self._new_transport()
        return transport

    def close(self) -> None:
        """Release this object's connections (shared pools stay open for other users)."""
        if self._transport is not None:
            self._transport.close()

    async def aclose(self) -> None:
        """Async twin of :meth:`close`."""
        if self._transport is not None:
            await self._transport.aclose()

    def __enter__(self: _Owner) -> _Owner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self: _Owner) -> _Owner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(dict.fromkeys(("_transport", "_lock", *self._NOT_PICKLED)))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
