"""ai-hubs benchmarks: ours against raw sockets/httpx, the openai SDK, ChatOpenAI and OpenAILike.

    python benchmarks/run.py            # full run (make bench), < 10 min; writes results/latest.*
    python benchmarks/run.py --quick    # smoke run, a handful of rounds; writes results/tmp/quick.*
    python benchmarks/run.py --only a,b --rounds 3

One local server process (``server.py``); one worker process per (scenario, client), all built
and warmed up first, then driven round by round, interleaved (A B C ... then ... C B A; within a
round each client runs its jobs back to back), so drift and noise hit every client alike.
Reported: medians over rounds, min-max, client CPU, server requests / new connections / CPU,
peak RSS, and ratios to raw httpx from the same round.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from clients import OURS, Scenario, scenarios  # noqa: E402
from report import render_markdown, update_readme  # noqa: E402

PY = sys.executable
RESULTS = HERE / "results"
TMP = RESULTS / "tmp"
READY_TIMEOUT = 180.0
ROUND_TIMEOUT = 120.0

IMPORTS: dict[str, str] = {
    "httpx": "import httpx",
    "openai": "import openai",
    "langchain_openai": "from langchain_openai import ChatOpenAI",
    "llama_index.llms.openai_like": "from llama_index.llms.openai_like import OpenAILike",
    "hub_core": "import hub_core",
    "hub_core.HubClient": "from hub_core import HubClient",
    "langchain_hub": "import langchain_hub",
    "langchain_hub.ChatHub": "from langchain_hub import ChatHub",
    "llamaindex_hub": "import llamaindex_hub",
    "llamaindex_hub.HubLLM": "from llamaindex_hub import HubLLM",
}
IMPORT_CODE = """
import json, resource, sys, time
c0 = time.process_time(); t0 = time.perf_counter()
try:
    exec(sys.argv[1]); err = None
except Exception as exc:
    err = f"{type(exc).__name__}: {exc}"[:300]
t1 = time.perf_counter(); c1 = time.process_time()
print(json.dumps({"wall": t1 - t0, "cpu": c1 - c0, "error": err, "modules": len(sys.modules),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def readline(stream: IO[str], timeout: float) -> str | None:
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        return None
    return stream.readline() or None


class Server:
    def __init__(self) -> None:
        TMP.mkdir(parents=True, exist_ok=True)
        self.log = open(TMP / "server.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen([PY, str(HERE / "server.py"), "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        assert self.proc.stdout is not None
        line = readline(self.proc.stdout, 30)
        if not line or not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}")
        self.base = f"http://127.0.0.1:{int(line.split()[1])}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Worker:
    def __init__(self, scenario: str, client: str, base: str, quick: bool) -> None:
        self.client = client
        self.log = open(TMP / f"worker-{scenario}-{client}.log", "w")  # noqa: SIM115
        cmd = [PY, str(HERE / "worker.py"), "--scenario", scenario, "--client", client,
               "--base", base]
        if quick:
            cmd.append("--quick")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, bufsize=1)
        self.ready: dict[str, Any] | None = None
        self.status = "starting"
        self.error: str | None = None

    def recv(self, timeout: float) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        line = readline(self.proc.stdout, timeout)
        return json.loads(line) if line else None

    def send(self, obj: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def kill(self, stacks: bool = False) -> None:
        if stacks and self.proc.poll() is None:  # leave the stacks in the worker's log
            self.proc.send_signal(signal.SIGUSR1)
            time.sleep(1.0)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def _unavailable(client: str, error: str) -> bool:
    """Ours not importable yet (being built): a pending slot, not a failure."""
    return client in OURS and any(
        s in error for s in ("ModuleNotFoundError", "ImportError", "AttributeError")
    )


def summarize(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


# RSS growth is reported for the first round with 1,000 streams (the maximum): later rounds in the
# same process reuse the memory the first one freed, which is not what (h) asks about.
MAX_EXTRAS = {"rss_delta_mb", "rss_kb_per_stream"}
# Relative share of the time budget each scenario may use for its rounds (f = imports).
WEIGHTS = {"a": 1.0, "b": 1.0, "c": 1.5, "d": 2.5, "e": 2.0, "f": 1.5, "g": 1.0, "h": 2.0}


def run_scenario(spec: Scenario, base: str, quick: bool, rounds: int, deadline: float
                 ) -> dict[str, Any]:
    log(f"[{spec.key}] {spec.title}: starting {len(spec.clients)} workers")
    t0 = time.perf_counter()
    workers = [Worker(spec.key, c, base, quick) for c in spec.clients]
    for w in workers:
        msg = w.recv(READY_TIMEOUT)
        if msg is None:
            w.status, w.error = "failed", "no ready message (timeout or crash; see results/tmp)"
            w.kill(stacks=True)
        elif not msg["ready"]:
            w.error = msg["error"]
            w.status = "unavailable" if _unavailable(w.client, msg["error"]) else "failed"
            with contextlib.suppress(Exception):
                w.log.write(msg.get("trace", ""))
        else:
            w.ready, w.status = msg, "ok"
        if w.status != "ok":
            log(f"[{spec.key}]   {w.client}: {w.status}: {w.error}")
            w.kill()
    log(f"[{spec.key}]   workers ready in {time.perf_counter() - t0:.1f}s")

    samples: dict[str, dict[str, list[dict[str, Any]]]] = {
        j: {w.client: [] for w in workers} for j in spec.jobs
    }
    done_rounds = 0
    for r in range(rounds):
        if r and time.monotonic() > deadline:  # always at least one round
            log(f"[{spec.key}]   time budget reached after {r} rounds")
            break
        order = workers if r % 2 == 0 else workers[::-1]
        # Client-major: each client runs its jobs back to back (d's gather_warm relies on it).
        for w in order:
            for job in spec.jobs:
                if w.status != "ok" or (w.ready and job not in w.ready["jobs"]):
                    continue
                w.send({"cmd": "round", "job": job})
                res = w.recv(ROUND_TIMEOUT)
                if res is None:
                    w.status, w.error = "failed", f"round {r} {job}: no answer in {ROUND_TIMEOUT}s"
                    log(f"[{spec.key}]   {w.client}: {w.error}")
                    w.kill(stacks=True)
                    continue
                res["round"] = r
                samples[job][w.client].append(res)
        done_rounds = r + 1
        log(f"[{spec.key}]   round {r + 1}/{rounds} done ({time.perf_counter() - t0:.1f}s)")

    peak: dict[str, float] = {}
    for w in workers:
        if w.status == "ok":
            w.send({"cmd": "quit"})
            msg = w.recv(30)
            if msg:
                peak[w.client] = msg["peak_rss_mb"]
            with contextlib.suppress(subprocess.TimeoutExpired):
                w.proc.wait(10)
        w.kill()

    out: dict[str, Any] = {"title": spec.title, "baseline": spec.baseline, "rounds": done_rounds,
                           "seconds": time.perf_counter() - t0, "jobs": {}}
    for job, jspec in spec.jobs.items():
        base_by_round = {s["round"]: s for s in samples[job].get(spec.baseline, [])
                         if not s["error"]}
        clients: dict[str, Any] = {}
        for w in workers:
            entry: dict[str, Any] = {"status": w.status}
            if w.ready and job not in w.ready["jobs"]:
                entry["status"] = "n/a"
            if w.error:
                entry["error"] = w.error
            if w.ready and w.ready.get("notes"):
                entry["notes"] = w.ready["notes"]
            good = [s for s in samples[job][w.client] if not s["error"]]
            errors = [s["error"] for s in samples[job][w.client] if s["error"]]
            if errors:
                entry["round_errors"] = errors[:3]
                if not good:
                    entry["status"] = "failed"
                    entry.setdefault("error", errors[0])
            if good:
                units = jspec.units
                entry["per_unit_us"] = summarize([s["wall"] / units * 1e6 for s in good])
                entry["cpu_per_unit_us"] = statistics.median(s["cpu"] / units * 1e6 for s in good)
                entry["server_cpu_per_unit_us"] = statistics.median(
                    s["server_cpu"] / units * 1e6 for s in good)
                entry["requests"] = statistics.median(s["requests"] for s in good)
                entry["new_connections"] = statistics.median(s["connections"] for s in good)
                entry["peak_rss_mb"] = peak.get(w.client)
                entry["rounds"] = len(good)
                paired = [(s["wall"] / base_by_round[s["round"]]["wall"],
                           s["cpu"] / max(base_by_round[s["round"]]["cpu"], 1e-9))
                          for s in good if s["round"] in base_by_round]
                if paired:
                    entry["ratio"] = statistics.median(p[0] for p in paired)
                    entry["ratio_range"] = [min(p[0] for p in paired), max(p[0] for p in paired)]
                    entry["cpu_ratio"] = statistics.median(p[1] for p in paired)
                extras: dict[str, Any] = {}
                for key in good[0]["extras"]:
                    vals = [s["extras"][key] for s in good if key in s["extras"]]
                    if key in MAX_EXTRAS:
                        extras[key] = max(vals)
                    elif all(isinstance(v, (int, float)) for v in vals):
                        extras[key] = statistics.median(vals)
                    else:
                        extras[key] = vals[0]
                if extras:
                    entry["extras"] = extras
            clients[w.client] = entry
        out["jobs"][job] = {"unit": jspec.unit, "units_per_round": jspec.units,
                            "clients": clients}
    return out


def run_imports(rounds: int, deadline: float) -> dict[str, Any]:
    log(f"[f] import time in a fresh interpreter: {len(IMPORTS)} statements x {rounds} rounds")
    t0 = time.perf_counter()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="0")
    samples: dict[str, list[dict[str, Any]]] = {k: [] for k in IMPORTS}
    names = list(IMPORTS)
    for r in range(rounds + 1):  # round 0 warms the page cache and writes .pyc files
        if r > 1 and time.monotonic() > deadline:
            break
        for name in names if r % 2 else names[::-1]:
            proc = subprocess.run([PY, "-c", IMPORT_CODE, IMPORTS[name]], capture_output=True,
                                  text=True, timeout=120, env=env, cwd=HERE.parent)
            try:
                res = json.loads(proc.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                res = {"error": (proc.stderr or "no output")[-300:]}
            if r:
                res["round"] = r
                samples[name].append(res)
    base = {s["round"]: s["wall"] for s in samples["httpx"] if not s.get("error")}
    out: dict[str, Any] = {"title": "import time in a fresh interpreter", "baseline": "httpx",
                           "seconds": time.perf_counter() - t0, "statements": IMPORTS,
                           "modules": {}}
    for name, ss in samples.items():
        good = [s for s in ss if not s.get("error")]
        entry: dict[str, Any] = {"statement": IMPORTS[name]}
        if not good:
            err = ss[0]["error"] if ss else "not run"
            entry["status"] = "unavailable" if "Error" in err else "failed"
            entry["error"] = err
        else:
            entry["status"] = "ok"
            entry["ms"] = summarize([s["wall"] * 1e3 for s in good])
            entry["cpu_ms"] = statistics.median(s["cpu"] * 1e3 for s in good)
            entry["modules_loaded"] = good[0]["modules"]
            entry["rss_mb"] = statistics.median(s["rss_mb"] for s in good)
            paired = [s["wall"] / base[s["round"]] for s in good if s["round"] in base]
            if paired:
                entry["ratio"] = statistics.median(paired)
        out["modules"][name] = entry
    log(f"[f]   done in {out['seconds']:.1f}s")
    return out


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {}
    for pkg in ("ai-hubs", "httpx", "openai", "langchain-core", "langchain-openai",
                "llama-index-core", "llama-index-llms-openai-like",
                "llama-index-embeddings-openai-like", "pydantic"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=HERE.parent).stdout.strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "loadavg_start": os.getloadavg(),
        "platform": platform.platform(), "python": platform.python_version(),
        "versions": versions, "commit": commit,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke mode: a handful of rounds")
    p.add_argument("--only", default="", help="comma-separated scenario keys (a,b,c,d,e,f,g,h,i)")
    p.add_argument("--rounds", type=int, default=0, help="override the round count")
    p.add_argument("--budget", type=float, default=0.0,
                   help="seconds for the whole run; rounds stop early to keep it (default 480, "
                   "quick 150)")
    p.add_argument("--out", default="", help="output stem (default results/latest or "
                   "results/tmp/quick)")
    args = p.parse_args()

    started = time.monotonic()
    deadline = started + (args.budget or (150.0 if args.quick else 480.0))
    specs = scenarios(args.quick)
    keys = [k for k in (args.only.split(",") if args.only else [*specs, "f"]) if k]
    keys = sorted(keys)
    meta = machine()
    meta["quick"] = args.quick
    results: dict[str, Any] = {"meta": meta, "scenarios": {}}
    server = Server()
    log(f"server at {server.base} (pid {server.proc.pid})")
    try:
        for i, key in enumerate(keys):
            # This scenario's share of what is left of the budget (unused time carries over).
            left = sum(WEIGHTS.get(k, 1.0) for k in keys[i:])
            until = time.monotonic() + (deadline - time.monotonic()) * WEIGHTS.get(key, 1.0) / left
            if key == "f":
                rounds = args.rounds or (2 if args.quick else 5)
                results["scenarios"]["f"] = run_imports(rounds, until)
                continue
            spec = specs[key]
            rounds = args.rounds or (spec.quick_rounds if args.quick else spec.rounds)
            results["scenarios"][key] = run_scenario(spec, server.base, args.quick, rounds,
                                                     until)
    finally:
        server.stop()
    meta["seconds"] = time.monotonic() - started
    meta["loadavg_end"] = os.getloadavg()

    stem = Path(args.out) if args.out else (TMP / "quick" if args.quick else RESULTS / "latest")
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    md = render_markdown(results)
    stem.with_suffix(".md").write_text(md)
    if not args.quick and not args.out and not args.only:
        update_readme(HERE / "README.md", md)
    print(md)
    log(f"wrote {stem}.json and {stem}.md in {meta['seconds']:.0f}s")


if __name__ == "__main__":
    main()
