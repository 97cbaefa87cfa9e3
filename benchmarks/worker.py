"""One client in one scenario, in its own process, driven round by round by ``run.py``.

Protocol (JSON lines): the worker prints ``{"ready": true, ...}`` (or ``{"ready": false,
"error": ...}``) once its client is built and warmed up; then, for each ``{"cmd": "round",
"job": name}`` line on stdin it runs that job once and prints the measurement; ``{"cmd":
"quit"}`` makes it print its peak RSS and exit. Library output is sent to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import gc
import inspect
import json
import os
import resource
import signal
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clients import Ctx, build, scenarios


def server_stats(base: str) -> dict[str, Any]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall(b"GET /_stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        buf = b""
        while chunk := s.recv(65536):
            buf += chunk
            if b"\r\n\r\n" in buf:
                head, body = buf.split(b"\r\n\r\n", 1)
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                if len(body) >= length:
                    return dict(json.loads(body[:length]))
    raise RuntimeError("no stats")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", required=True)
    p.add_argument("--client", required=True)
    p.add_argument("--base", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-warmup", action="store_true")
    args = p.parse_args()

    # Keep the protocol channel clean: everything else that prints goes to stderr.
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # run.py asks for stacks on a hang
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    def send(obj: dict[str, Any]) -> None:
        proto.write(json.dumps(obj) + "\n")

    spec = scenarios(args.quick)[args.scenario]
    ctx = Ctx(base=args.base, quick=args.quick)
    loop = asyncio.new_event_loop() if spec.is_async else None

    def run_job(job: Any) -> tuple[int, dict[str, Any]]:
        if loop is not None:

            async def call() -> tuple[int, dict[str, Any]]:
                res = job()
                return (await res) if inspect.isawaitable(res) else res  # type: ignore[no-any-return]

            return loop.run_until_complete(call())
        return job()  # type: ignore[no-any-return]

    t0 = time.perf_counter()
    try:
        if loop is not None:
            asyncio.set_event_loop(loop)
            jobs = loop.run_until_complete(_build_async(args.scenario, args.client, ctx))
        else:
            jobs = build(args.scenario, args.client, ctx)
        if not args.no_warmup:
            # A builder may give a lighter "_warmup" job; otherwise every job runs once.
            warm = {"_warmup": jobs["_warmup"]} if "_warmup" in jobs else jobs
            for name, job in warm.items():
                units, extras = run_job(job)
                js = spec.jobs[name] if name in spec.jobs else next(iter(spec.jobs.values()))
                if units != js.units:
                    raise RuntimeError(f"warm-up of {name}: got {units} {js.unit}s, expected "
                                       f"{js.units}; {extras}")
        jobs.pop("_warmup", None)
    except Exception as exc:
        send({"ready": False, "error": f"{type(exc).__name__}: {exc}"[:600],
              "trace": traceback.format_exc()[-3000:]})
        return
    send({"ready": True, "jobs": sorted(jobs), "setup_s": time.perf_counter() - t0,
          "notes": ctx.notes, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})

    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        name = cmd["job"]
        job = jobs.get(name)
        if job is None:
            send({"error": "n/a", "skip": True})
            continue
        gc.collect()
        s0 = server_stats(args.base)
        c0 = time.process_time()
        w0 = time.perf_counter()
        try:
            units, extras = run_job(job)
            error = None
        except Exception as exc:
            units, extras, error = -1, {}, f"{type(exc).__name__}: {exc}"[:600]
        wall = time.perf_counter() - w0
        cpu = time.process_time() - c0
        s1 = server_stats(args.base)
        want = spec.jobs[name].units
        if error is None and units != want:
            error = f"got {units} {spec.jobs[name].unit}s, expected {want}; {extras}"
        send({
            "wall": wall, "cpu": cpu, "units": want, "error": error, "extras": extras,
            "requests": s1["requests"] - s0["requests"],
            "connections": s1["connections"] - s0["connections"],
            "server_cpu": s1["cpu"] - s0["cpu"],
        })
    send({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


async def _build_async(scenario: str, client: str, ctx: Ctx) -> Any:
    # Async clients are created inside the running loop they will be used on.
    return build(scenario, client, ctx)


if __name__ == "__main__":
    main()
