"""``python -m hub_emulator`` and ``ai-hubs emulator`` start a server and print each hub's URL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HUB_NAMES = ("electronhub", "chainhub", "apihub", "tokenhub")


def _run_and_probe(cmd: list[str], settings: dict | None = None) -> dict[str, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(5)]
        urls = {}
        for line in lines[1:]:
            name, url = line.split()
            urls[name] = url
        root = lines[0].split()[-1]
        for _ in range(200):  # the banner is printed just before the server binds its loop
            try:
                with urllib.request.urlopen(f"{root}/_emulator/health", timeout=5) as resp:
                    assert json.loads(resp.read()) == {"ok": True}
                break
            except OSError:
                proc.poll()
                assert proc.returncode is None, "emulator exited"
                time.sleep(0.05)
        else:
            pytest.fail("emulator never answered")
        if settings is not None:  # POST config with nothing to change answers every setting
            req = urllib.request.Request(f"{root}/_emulator/config", data=b"{}", method="POST")
            with urllib.request.urlopen(req, timeout=5) as resp:
                settings.update(json.loads(resp.read()))
        return urls
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_python_dash_m_prints_base_urls() -> None:
    urls = _run_and_probe([sys.executable, "-m", "hub_emulator", "--port", "0"])
    assert set(urls) == set(HUB_NAMES)
    assert urls["tokenhub"].endswith("/tokenhub/api/v1")
    assert urls["electronhub"].endswith("/electronhub/v1")


def test_media_settings_from_the_command_line() -> None:
    settings: dict = {}
    _run_and_probe([sys.executable, "-m", "hub_emulator", "--port", "0", "--job-seconds", "4",
                    "--url-ttl", "60"], settings)
    assert settings["job_seconds"] == 4 and settings["url_ttl"] == 60
    assert settings["result_pad_bytes"] == 0


def test_ai_hubs_console_script() -> None:
    script = Path(sys.executable).parent / "ai-hubs"
    if not script.exists():
        pytest.skip("console script ai-hubs is not installed in this environment")
    urls = _run_and_probe([str(script), "emulator", "--port", "0"])
    assert urls["apihub"].endswith("/apihub/v1")
