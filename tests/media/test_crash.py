"""A process killed (SIGKILL) while it waits leaves a journal row a new process finishes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hub_core.media import HubMedia
from tests.media.conftest import fresh_key

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
from hub_core.media import HubMedia
args = json.loads(sys.argv[1])
media = HubMedia("tokenhub", api_key=args["key"], base_url=args["base_url"],
                 output_dir=args["out"], poll_interval=0.05, timeout=60)
if args["mode"] == "submit":
    job = media.submit_video("a fox that will outlive this process", duration=5)
    print(job.job_id, flush=True)
    job.wait()
    print("finished?!", flush=True)
else:
    rows = media.unfinished()
    assert [r.id for r in rows] == [args["job_id"]], rows
    result = media.resume(args["job_id"]).wait()
    print(json.dumps({"paths": [str(p) for p in result.paths]}), flush=True)
"""


def _child(args: dict) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_killed_waiter_is_resumed_by_a_new_process_without_paying_again(hub_emulator,
                                                                           tmp_path):
    key = fresh_key("tokenhub")
    args = {"key": key, "base_url": hub_emulator.base_url("tokenhub"), "out": str(tmp_path)}
    hub_emulator.admin.fault(hub="tokenhub", path="videos/generations", method="POST",
                             job_seconds=3.0)
    waiter = _child({**args, "mode": "submit"})
    try:
        assert waiter.stdout is not None
        job_id = waiter.stdout.readline().strip()
        assert job_id.startswith("tsk-"), waiter.stderr.read() if waiter.stderr else ""
        for _ in range(200):  # until the waiter has polled at least once (bounded)
            if ledger_jobs_for(hub_emulator, key)[job_id]["polls"] >= 1:
                break
            time.sleep(0.05)
        os.kill(waiter.pid, signal.SIGKILL)
    finally:
        waiter.wait(timeout=30)
    assert waiter.returncode == -signal.SIGKILL
    journal = HubMedia("tokenhub", api_key=key, base_url=args["base_url"], output_dir=tmp_path)
    (row,) = journal.unfinished()
    assert (row.id, row.phase, row.resumable) == (job_id, "accepted", True)
    assert row.owner_pid == waiter.pid and not row.owner_alive()
    assert key not in str(row) and key not in (tmp_path / ".ai-hubs-jobs.sqlite3").read_text(
        "latin-1")

    resumer = _child({**args, "mode": "resume", "job_id": job_id})
    out, err = resumer.communicate(timeout=60)
    assert resumer.returncode == 0, err
    paths = json.loads(out.strip().splitlines()[-1])["paths"]
    assert Path(paths[0]).exists() and Path(paths[0]).name == f"{job_id}_0.mp4"
    jobs = ledger_jobs_for(hub_emulator, key)
    assert list(jobs) == [job_id]
    assert jobs[job_id]["submits"] == 1
    posts = [r for r in hub_emulator.admin.ledger("tokenhub", key)["requests"]
             if r["method"] == "POST"]
    assert len(posts) == 1



def ledger_jobs_for(emu, key):
    return emu.admin.ledger("tokenhub", key)["jobs"]
