"""The class docstring examples of hub_core (HubClient, Budget, HubMedia, APIHubAccount) run
against the emulator."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docstring_support import run_docstring

from hub_core import APIHubAccount, Budget, HubClient
from hub_core.catalog import clear_catalog
from hub_core.media import HubMedia


@pytest.fixture
def fresh_catalog() -> Iterator[None]:
    """``client.model(...)`` merges the emulator's /models into the process catalog: undo it."""
    clear_catalog()
    yield
    clear_catalog()


def _requests(emu: Any, hub: str, key: str, suffix: str) -> list[dict[str, Any]]:
    return [r for r in emu.admin.ledger(hub, key)["requests"] if r["path"].endswith(suffix)]


def test_hubclient_docstring_examples_run(hub_emulator: Any, fresh_catalog: None) -> None:
    ns = run_docstring(HubClient, {"emu": hub_emulator}, min_blocks=9)
    assert "Say hello" in ns["reply"]["choices"][0]["message"]["content"]
    assert len(ns["vectors"]["data"][0]["embedding"]) == 1536
    info = ns["info"]
    assert info.id == "qwen-max" and info.price is not None and info.supports_tools
    history = ns["history"]  # newest first, at most 5: the example's embed, then its chats
    assert 0 < len(history) <= 5 and "qwen-max" in {r.model for r in history}
    assert 0 < ns["budget"].spent < ns["budget"].max_cost and ns["budget"].reserved == 0
    assert "balance" in ns["unsupported"]
    assert "sk-demo" not in repr(ns["client"])


def test_budget_docstring_examples_run(hub_emulator: Any) -> None:
    ns = run_docstring(Budget, {"emu": hub_emulator}, min_blocks=2)
    budget = ns["budget"]
    assert budget.refused_calls == 1 and budget.calls >= 1 and budget.unpriced_calls == 0
    assert 0 < budget.spent <= budget.max_cost and budget.reserved == 0
    assert "Nothing was sent" in ns["refusal"]
    assert (ns["mine"].spent, ns["mine"].remaining) == (1.0, 9.0)
    assert not ns["hold"].open


def test_hubmedia_docstring_examples_run(
    hub_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write to ./media-out
    ns = run_docstring(HubMedia, {"emu": hub_emulator}, min_blocks=8)
    out = tmp_path / "media-out"
    assert ns["image"].path.parent == out and ns["image"].path.stat().st_size > 0
    with wave.open(str(ns["speech"].path)) as wav:
        assert wav.getnframes() > 0
    assert ns["transcript"].text == "Hello from the hub"
    assert ns["video"].path.suffix == ".mp4" and ns["video"].mime_types == ("video/mp4",)
    assert ns["seen"] and ns["seen"][-1] == "succeeded"
    assert ns["job"].job_id in ns["pending"]  # in the journal until it is waited for
    assert ns["song"].paths and all(p.stat().st_size > 0 for p in ns["song"].paths)
    assert ns["dusk"].path.exists() and ns["night"].path.suffix == ".mp4"
    # Budget: one dall-e-3 image paid (20 credits), the second refused before any request
    assert ns["first"].cost.amount == 20 and ns["budget"].spent == 20
    assert "Nothing was sent" in ns["refusal"]
    paid = ns["paid"]
    key = paid.client.api_key.get_secret_value()
    assert len(_requests(hub_emulator, "electronhub", key, "images/generations")) == 1
    assert "speech" in ns["unsupported"]
    for made in (ns["media"], paid):
        made.close()


def test_apihubaccount_docstring_examples_run() -> None:
    """Its own server: the example registers a fixed email, which must be new."""
    from hub_emulator import serve

    with serve() as emu:
        ns = run_docstring(APIHubAccount, {"emu": emu}, min_blocks=6)
        assert ns["signup"].balance == 1_000_000 and ns["signup"].api_key is not None
        assert ns["account"].logged_in and "s3cret" not in repr(ns["account"])
        assert ns["ci"].key is not None  # shown once, in the create answer
        listed = {k.id: k for k in ns["keys"]}
        assert listed[ns["ci"].id].active is False  # deactivated by the Keys example
        assert ns["client"].balance().unit == "tokens"
        assert "wrong-pw" not in ns["refused"]
