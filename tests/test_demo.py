"""`make demo` runs examples/demo.py; it must keep working end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).parent.parent / "examples" / "demo.py"


def test_demo_runs_every_step() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=170, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "InsufficientCreditsError" in out
    assert "requests the hub saw: 1" in out
    assert "'args': {'city': 'Paris'}" in out
    assert "agent: The tool returned: 42" in out
    assert out.rstrip().endswith("every step above ran against the local emulator.")
