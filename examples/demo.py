"""The ai-hubs showcase, run by ``make demo``.

With no ``<HUB>_API_KEY`` set it starts the embedded hub emulator on loopback (no key, no
network); with keys set it calls those hubs. Each step prints what a user would see; a failing
step is reported and the script exits non-zero at the end.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable

from showcase import steps_chat, steps_credits, steps_media, steps_rag, ui
from showcase.connect import Connection, connect

Step = Callable[[Connection], None]
STEPS: list[tuple[str, Step]] = [
    ("A streamed LCEL chain", steps_chat.streamed_chain),
    ("Structured output", steps_chat.structured_output),
    ("An agent with a tool (create_agent)", steps_chat.agent_loop),
    ("LlamaIndex RAG with its source", steps_rag.rag_answer),
    ("An agent makes an image, a video and music", steps_media.media_agent),
    ("What it cost: hub_usage()", steps_credits.usage_table),
    ("A budget refusal and an out-of-credits error", steps_credits.refusals),
]


def run(conn: Connection) -> list[tuple[str, bool, str]]:
    """Run every step; a failure is recorded and the next step still runs."""
    outcomes = []
    for number, (title, step) in enumerate(STEPS, start=1):
        ui.section(number, title)
        try:
            step(conn)
        except Exception as exc:  # a showcase reports every failure, then exits non-zero
            traceback.print_exc(limit=3, file=sys.stdout)
            outcomes.append((title, False, f"{type(exc).__name__}: {exc}"))
        else:
            outcomes.append((title, True, ""))
    return outcomes


def main() -> int:
    started = time.monotonic()
    with connect() as conn:
        where = "the embedded hub emulator" if conn.emu is not None else "real hubs"
        print(f"ai-hubs showcase against {where}")
        ui.table(["hub", "base URL"], conn.describe())
        outcomes = run(conn)
    print("\nSummary")
    for title, ok, detail in outcomes:
        print(ui.result(ok, title, detail))
    failed = sum(not ok for _, ok, _ in outcomes)
    seconds = time.monotonic() - started
    if failed:
        print(f"\n{failed} of {len(outcomes)} steps failed ({seconds:.0f} s).")
        return 1
    print(f"\nAll {len(outcomes)} steps passed in {seconds:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
