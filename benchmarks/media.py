"""Scenario (m), media: memory while a 200 MB result downloads, and the requests each job costs.

    .venv/bin/python benchmarks/media.py            # ~30 s; results/media.{json,md} + README
    .venv/bin/python benchmarks/media.py --mb 50    # a smaller file

The emulator runs in this process (a thread); the client runs in a worker process of its own
(``--worker``), so its RSS is the client's alone. The worker warms up (imports, one small video
end to end), then this process makes every result file 200 MB larger (the emulator streams the
padding, never holding it) and the worker downloads one through ``HubMedia``, sampling its RSS
every 5 ms and tracing Python allocations; then, for contrast, the same file read whole with
``httpx.get(url).content``. The request counts come from the emulator's ledger (submissions,
polls, downloads per job), for every hub x media kind and for the fault paths.
Nothing here is asserted: it is a report.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

RESULTS = HERE / "results"
START, END = "<!-- bench:media:start -->", "<!-- bench:media:end -->"
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """Resident set size now (``/proc/self/statm``), in MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 1e6


class PeakRSS:
    """Samples RSS every 5 ms in a thread; ``peak`` is the largest value seen."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


# -- the worker: the client alone in its process ---------------------------------------------


def worker(args: dict[str, Any]) -> None:
    import httpx

    from hub_core.media import HubMedia

    out = Path(args["out"])
    media = HubMedia("tokenhub", api_key=args["key"], base_url=args["base_url"],
                     output_dir=out, poll_interval=0.05, timeout=120)
    media.generate_video("warm-up", duration=4)  # imports, pools, journal: all warm
    print("ready", flush=True)
    sys.stdin.readline()  # the parent has made results big

    before = rss_mb()
    with PeakRSS() as peak:
        t0 = time.perf_counter()
        result = media.generate_video("a 200 MB result", duration=4)
        seconds = time.perf_counter() - t0
    ours = {"size_mb": result.paths[0].stat().st_size / 1e6, "rss_before_mb": before,
            "rss_peak_growth_mb": peak.peak - before, "seconds": seconds}
    tracemalloc.start()
    again = media.resume(result.job_id)
    again.download()  # the same file once more, with Python allocations traced
    ours["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()

    before = rss_mb()
    with PeakRSS() as peak:
        body = httpx.get(result.urls[0], timeout=120).content
    naive = {"size_mb": len(body) / 1e6, "rss_peak_growth_mb": peak.peak - before}
    del body
    print(json.dumps({"ours": ours, "naive": naive}), flush=True)


def measure_memory(emu: Any, mb: int) -> dict[str, Any]:
    key = f"th-bench-{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory() as tmp:
        args = {"key": key, "base_url": emu.base_url("tokenhub"), "out": tmp}
        proc = subprocess.Popen([sys.executable, __file__, "--worker", json.dumps(args)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                cwd=ROOT)
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError("the worker did not warm up")
            settings = emu.admin.configure()
            emu.admin.configure(result_pad_bytes=mb * 1_000_000)
            try:
                proc.stdin.write("go\n")
                proc.stdin.flush()
                report: dict[str, Any] = json.loads(proc.stdout.readline())
            finally:
                emu.admin.configure(result_pad_bytes=settings["result_pad_bytes"])
            proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
        jobs = emu.admin.ledger("tokenhub", key)["jobs"]
        report["big_job"] = list(jobs.values())[-1] | {"urls": None}
    return report


# -- requests per job ----------------------------------------------------------------------------


def _cost_of_job(emu: Any, hub: str, run: Callable[[Any], Any], setup: Callable[[Any, str],
                 None] | None = None, **media_kw: Any) -> dict[str, Any]:
    from hub_core.media import HubMedia

    prefix = {"electronhub": "ek-", "chainhub": "sk-", "tokenhub": "th-"}[hub]
    key = f"{prefix}bench-{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory() as tmp:
        media = HubMedia(hub, api_key=key, base_url=emu.base_url(hub), output_dir=tmp,
                         poll_interval=0.1, timeout=60, **media_kw)
        if setup is not None:
            setup(emu, key)
        error = None
        try:
            run(media)
        except Exception as exc:
            error = type(exc).__name__
        media.close()
    ledger = emu.admin.ledger(hub, key)
    jobs = ledger["jobs"].values()
    return {
        "jobs": len(ledger["jobs"]),
        "submissions": sum(j["submits"] for j in jobs),
        "polls": sum(j["polls"] for j in jobs),
        "downloads": sum(j["downloads"] for j in jobs),
        "requests": len(ledger["requests"]),
        "failed_requests": sum(1 for r in ledger["requests"] if r["status"] != 200),
        "raised": error,
    }


def _lose_polls(path: str) -> Callable[[Any, str], None]:
    def setup(emu: Any, key: str) -> None:
        emu.admin.fault(path=path, method="GET", status=503, count=2)
    return setup


def _timeout_then_resume(media: Any) -> None:
    from hub_core.errors import MediaJobTimeout

    job = media.submit_video("slow", duration=4)
    try:
        job.wait(timeout=0.3)
    except MediaJobTimeout:
        media.resume(job.job_id).wait()


def _cut_then_download(media: Any) -> None:
    from hub_core.errors import DownloadError

    job = media.submit_video("cut", duration=4)
    try:
        job.wait()
    except DownloadError:
        job.download()


CASES: list[tuple[str, str, Callable[[Any], Any], dict[str, Any]]] = [
    ("electronhub", "image (url)", lambda m: m.generate_image("x", model="sdxl"), {}),
    ("electronhub", "speech (mp3)", lambda m: m.speech("hello there"), {}),
    ("electronhub", "music (/audio/music)", lambda m: m.generate_music("x"),
     {"enable_music": True}),
    ("electronhub", "video (held-open stream)", lambda m: m.generate_video("x"), {}),
    ("chainhub", "image (b64_json)", lambda m: m.generate_image("x"), {}),
    ("chainhub", "transcription (+ the speech it reads)",
     lambda m: m.transcribe(m.speech("hi", format="wav").paths[0]), {}),
    ("chainhub", "music (Suno, 2 clips)", lambda m: m.generate_music("x"), {}),
    ("chainhub", "video (Kling)", lambda m: m.generate_video("x", model="kling-v1"), {}),
    ("chainhub", "video (Seedance)", lambda m: m.generate_video(
        "x", model="doubao-seedance-1-0-pro-fast-251015"), {}),
    ("tokenhub", "image", lambda m: m.generate_image("x"), {}),
    ("tokenhub", "video", lambda m: m.generate_video("x", duration=4), {}),
]


def measure_requests(emu: Any) -> list[dict[str, Any]]:
    rows = []
    for hub, label, run, kw in CASES:
        rows.append({"hub": hub, "case": label, **_cost_of_job(emu, hub, run, **kw)})
    faults: list[tuple[str, str, Callable[[Any], Any], Any]] = [
        ("tokenhub", "video, 2 polls answered 503", lambda m: m.generate_video("x", duration=4),
         _lose_polls("videos/generations/")),
        ("tokenhub", "video, wait timed out then resumed", _timeout_then_resume, None),
        ("tokenhub", "video, download cut then retried", _cut_then_download,
         lambda emu, key: emu.admin.fault(path="/_files/", method="GET", drop="after_chunks")),
        ("tokenhub", "video, submit reply lost (raises)", lambda m: m.submit_video(
            "x", duration=4), lambda emu, key: emu.admin.fault(
            hub="tokenhub", path="videos/generations", method="POST", drop="after_accept")),
    ]
    for hub, label, run, setup in faults:
        rows.append({"hub": hub, "case": label, **_cost_of_job(emu, hub, run, setup,
                                                               max_retries=0)})
    return rows


# -- report --------------------------------------------------------------------------------------


def render(res: dict[str, Any]) -> str:
    mem = res["memory"]
    ours, naive = mem["ours"], mem["naive"]
    lines = [
        f"Run {res['date']}, commit `{res['commit']}`; emulator job time "
        f"{res['job_seconds']} s, poll_interval 0.1 s (backoff x1.5 up to 0.3 s).",
        "",
        "| download of one result file | file | RSS growth (peak) | Python allocations "
        "(tracemalloc peak) | wall |",
        "|---|---|---|---|---|",
        f"| ours: `HubMedia.generate_video` (streamed to disk) | {ours['size_mb']:.0f} MB | "
        f"{ours['rss_peak_growth_mb']:.1f} MB | {ours['tracemalloc_peak_mb']:.2f} MB | "
        f"{ours['seconds']:.1f} s (info) |",
        f"| contrast: `httpx.get(url).content` (whole body in memory) | {naive['size_mb']:.0f} MB"
        f" | {naive['rss_peak_growth_mb']:.1f} MB | | |",
        "",
        "| hub | job | ledger jobs | submissions | polls | downloads | requests (failed) | "
        "raised |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in res["requests"]:
        lines.append(
            f"| {row['hub']} | {row['case']} | {row['jobs']} | {row['submissions']} | "
            f"{row['polls']} | {row['downloads']} | {row['requests']} "
            f"({row['failed_requests']}) | {row['raised'] or ''} |")
    return "\n".join(lines) + "\n"


def update_readme(md: str) -> None:
    path = HERE / "README.md"
    text = path.read_text()
    if START not in text or END not in text:
        return
    pre, rest = text.split(START, 1)
    _, post = rest.split(END, 1)
    path.write_text(f"{pre}{START}\n{md.strip()}\n{END}{post}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the big result, MB")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return

    import hub_emulator

    with hub_emulator.serve() as emu:
        settings = emu.admin.configure()
        memory = measure_memory(emu, args.mb)
        emu.admin.configure(job_seconds=1.0)
        try:
            requests = measure_requests(emu)
        finally:
            emu.admin.configure(job_seconds=settings["job_seconds"])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    res = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit,
           "job_seconds": 1.0, "memory": memory, "requests": requests}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "media.json").write_text(json.dumps(res, indent=1, sort_keys=True) + "\n")
    md = render(res)
    (RESULTS / "media.md").write_text("# Media scenario (m)\n\n" + md)
    update_readme(md)
    print(md)


if __name__ == "__main__":
    main()
