"""Profile one client in one scenario job with pyinstrument, against a fresh bench server.

    .venv/bin/python benchmarks/profile.py c ChatHub stream1000 [--repeat 3] [--html out.html]

Prints pyinstrument's text report (time per call stack) for ``repeat`` runs of the job, after
one warm-up run. Use it before optimising; the numbers are per whole job, so divide by the
job's units (calls, chunks, texts) for a cost per unit.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from clients import Ctx, build, scenarios  # noqa: E402
from run import Server  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario")
    p.add_argument("client")
    p.add_argument("job")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--html", default="")
    p.add_argument("--interval", type=float, default=0.0002)
    args = p.parse_args()

    from pyinstrument import Profiler

    spec = scenarios(False)[args.scenario]
    server = Server()
    try:
        ctx = Ctx(base=server.base)
        loop = asyncio.new_event_loop() if spec.is_async else None

        def run(job: Any) -> Any:
            if loop is None:
                return job()

            async def call() -> Any:
                res = job()
                return (await res) if inspect.isawaitable(res) else res

            return loop.run_until_complete(call())

        if loop is not None:
            asyncio.set_event_loop(loop)

            async def mk() -> Any:
                return build(args.scenario, args.client, ctx)

            jobs = loop.run_until_complete(mk())
        else:
            jobs = build(args.scenario, args.client, ctx)
        job = jobs[args.job]
        print("warm-up:", run(job)[0], spec.jobs[args.job].unit + "s", file=sys.stderr)
        prof = Profiler(interval=args.interval, async_mode="enabled" if loop else "disabled")
        prof.start()
        for _ in range(args.repeat):
            run(job)
        prof.stop()
        print(prof.output_text(unicode=True, color=False, show_all=False))
        if args.html:
            Path(args.html).write_text(prof.output_html())
    finally:
        server.stop()


if __name__ == "__main__":
    main()
