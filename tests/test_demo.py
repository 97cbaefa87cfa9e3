"""`make demo` runs examples/demo.py; every step must pass and show what it claims."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from PIL import Image

DEMO = Path(__file__).parent.parent / "examples" / "demo.py"


def test_demo_runs_every_step(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}  # the emulator
    env["AI_HUBS_DEMO_OUT"] = str(tmp_path)  # step 5's files
    done = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=170, check=False,
        env=env,
    )
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-2000:]
    assert "against the embedded hub emulator" in out
    assert "same text as invoke: True" in out  # 1. the streamed chain
    assert "degrees  21" in out  # 2. structured output as a table
    assert "calls get_weather({'city': 'Paris'})" in out  # 3. the agent's tool call
    assert "tool   18C and sunny in Paris" in out
    assert "cooldown of 180 seconds." in out  # 4. RAG answer, whole, from its source
    assert "electron_hub.md" in out
    # 5. the media agent: a bar per job, the files a person opens, each job paid once
    assert "video  [####################] 100% succeeded" in out
    assert "music  [####################] 100% succeeded" in out
    files = {p.suffix: p for p in tmp_path.iterdir() if not p.name.startswith(".")}
    assert set(files) == {".png", ".mp4", ".mp3"}
    assert all(f"{kind}  {files[suffix]}" in out
               for kind, suffix in (("image", ".png"), ("video", ".mp4"), ("music", ".mp3")))
    with Image.open(files[".png"]) as img:
        assert f"is a PNG of {img.size[0]}x{img.size[1]} pixels" in out
    assert files[".mp4"].read_bytes()[4:8] == b"ftyp"
    assert "hub ledger: 3 paid jobs, each submitted once" in out
    bars = re.compile(r"\] +\d+% ")
    assert all(len(bars.findall(line)) <= 1 for line in out.splitlines())  # no two on a line
    assert "(price unknown)" not in out  # the prices came from the hub's /models
    assert "hub ledger: electronhub charged 31 credits" in out  # 6. usage table = the ledger
    # 6. also step 5's spend: its rows, and the chainhub ledger equal to them (checked in step)
    assert re.search(r"chainhub:kling-v1 +1 +0 +0 +0\.7 credits", out)
    assert re.search(r"chainhub:chirp-v3-5 +1 +0 +0 +0\.1 credits", out)
    charged = re.search(r"chainhub\s+charged\s+([0-9.]+)\s+credits\s+in\s+step\s+5", out)
    assert charged, "the ledger line lacks step 5"
    assert 0.84 < float(charged.group(1)) < 0.85  # 0.04 image + 0.7 video + 0.1 music + chat
    assert "BudgetExceededError: apihub: this call to qwen-max could cost up to" in out  # 7.
    assert "hub saw: 8 requests (the refused call was never sent)" in out
    assert "InsufficientCreditsError: tokenhub: 402" in out and "hub saw: 1 request" in out
    assert "✗" not in out
    assert "steps passed in" in out.splitlines()[-1]
