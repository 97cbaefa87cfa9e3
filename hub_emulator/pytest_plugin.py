"""pytest plugin (entry point ``pytest11``): the ``hub_emulator`` and ``hub_key`` fixtures.

- ``hub_emulator`` (session scope): a running :class:`hub_emulator.Emulator` on a free loopback
  port. Set ``HUB_EMULATOR_URL`` to use an already running emulator instead.
- ``hub_key`` (function scope): ``hub_key("tokenhub") -> "th-test-<uuid>"``, a fresh key with
  the hub's prefix, so each test has its own account (large balance, no rate limit) and never
  needs to reset shared state.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from .server import KEY_PREFIXES, Emulator, serve


@pytest.fixture(scope="session")
def hub_emulator() -> Iterator[Emulator]:
    """The running emulator, shared by the whole session."""
    external = os.environ.get("HUB_EMULATOR_URL")
    if external:
        yield Emulator(external)
        return
    with serve() as emu:
        yield emu


@pytest.fixture
def hub_key() -> Callable[[str], str]:
    """Factory of unique keys with the hub's prefix, e.g. ``hub_key("electronhub")``."""

    def make(hub: str) -> str:
        return f"{KEY_PREFIXES[hub]}test-{uuid.uuid4().hex}"

    return make
