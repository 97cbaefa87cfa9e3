"""Where the showcase sends its calls: the embedded emulator, or real hubs when keys are set.

Every step asks ``conn.settings(hub)`` for ``api_key``/``base_url`` keyword arguments, so the same
code runs against the emulator (fresh keys on loopback) and against a real hub (the
``<HUB>_API_KEY`` / ``<HUB>_BASE_URL`` variables the classes read anyway).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

HUBS = ("electronhub", "chainhub", "apihub", "tokenhub")
KEY_PREFIX = {"electronhub": "ek-", "chainhub": "sk-", "apihub": "sk-", "tokenhub": "th-"}
CHAT_MODEL = {
    "electronhub": "gpt-4o",
    "chainhub": "gpt-4o-mini",
    "apihub": "qwen-max",
    "tokenhub": "openai/gpt-4.1",
}


@dataclass
class SpentBlock:
    """What one step spent inside its own ``hub_usage()`` block, on one hub account, so the
    usage table (step 6) can show it and check it against that account's ledger."""

    step: str
    hub: str
    account: str
    usage: Any  # the step's HubUsageCallbackHandler


@dataclass
class Connection:
    """The emulator (``emu`` set) or the real hubs whose keys are in the environment."""

    emu: Any = None
    real_hubs: tuple[str, ...] = ()
    spent: list[SpentBlock] = field(default_factory=list)
    _keys: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def hubs(self) -> tuple[str, ...]:
        """Hubs the showcase may call."""
        return HUBS if self.emu is not None else self.real_hubs

    def pick(self, *preferred: str) -> str | None:
        """The first preferred hub that is available (None: skip the step)."""
        return next((h for h in preferred if h in self.hubs), None)

    def key(self, hub: str, account: str = "main") -> str:
        """The key for ``hub``: an emulator account per (hub, ``account``), or the real key."""
        if self.emu is None:
            return os.environ[f"{hub.upper()}_API_KEY"]
        if (hub, account) not in self._keys:
            self._keys[(hub, account)] = f"{KEY_PREFIX[hub]}demo-{uuid.uuid4().hex[:10]}"
        return self._keys[(hub, account)]

    def settings(self, hub: str, account: str = "main") -> dict[str, Any]:
        """``api_key`` and ``base_url`` for any ai-hubs class (plus ``rpm=0`` on the emulator).

        On the emulator each ``account`` is a fresh key, so a step can read its own ledger.
        """
        if self.emu is None:
            return {}  # the classes read <HUB>_API_KEY / <HUB>_BASE_URL themselves
        return {"api_key": self.key(hub, account), "base_url": self.emu.base_url(hub), "rpm": 0}

    def describe(self) -> list[tuple[str, str]]:
        """(hub, base URL) rows for the opening table."""
        if self.emu is not None:
            return [(hub, self.emu.base_url(hub)) for hub in HUBS]
        from hub_core import get_hub

        return [(hub, get_hub(hub).resolve_base_url()) for hub in self.real_hubs]


@contextlib.contextmanager
def connect() -> Iterator[Connection]:
    """Real hubs when any ``<HUB>_API_KEY`` is set, else the embedded emulator."""
    real = tuple(h for h in HUBS if os.environ.get(f"{h.upper()}_API_KEY"))
    if real:
        yield Connection(real_hubs=real)
        return
    import hub_emulator

    with hub_emulator.serve() as emu:
        yield Connection(emu=emu)
