"""Step 5: an agent makes an image, a short video and music, and prints the files to open.

The agent is ``langchain.agents.create_agent`` on a hub chat model with the hub's media tools
(``HubMediaToolkit``). Each job's progress arrives as ``hub_media_progress`` custom events,
which this step draws as a bar per job (a UI would do the same). Files go to ``demo-out/``
(``AI_HUBS_DEMO_OUT`` moves it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from showcase import ui
from showcase.connect import CHAT_MODEL, Connection, SpentBlock

ASK = ('Use generate_image, generate_video and generate_music for "a lighthouse on a cliff '
       'at dusk, waves below".')
OPENS_WITH = {".png": "any image viewer", ".mp4": "any video player",
              ".mp3": "any music player"}


def output_dir() -> Path:
    """Where the demo's files go."""
    return Path(os.environ.get("AI_HUBS_DEMO_OUT", "demo-out")).resolve()


def _progress_printer() -> Any:
    from langchain_core.callbacks import BaseCallbackHandler

    from langchain_hub.tools import PROGRESS_EVENT

    class DrawProgress(BaseCallbackHandler):
        """Draws each job's bar from the tools' custom events (new lines as it moves)."""

        def __init__(self) -> None:
            self.shown: dict[str, tuple[int, str]] = {}

        def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
            if name != PROGRESS_EVENT:
                return
            step = (int((data["progress"] or 0) * 10), data["status"])
            if self.shown.get(data["job_id"]) != step:
                self.shown[data["job_id"]] = step
                fraction = 1.0 if data["status"] == "succeeded" else data["progress"]
                ui.progress(data["kind"], fraction, data["status"])

    return DrawProgress()


def media_agent(conn: Connection) -> None:
    """An agent asked in plain words makes an image, a video and music; paths a person opens."""
    from langchain.agents import create_agent
    from langchain_core.messages import ToolMessage

    import langchain_hub
    from hub_core import HubClient
    from langchain_hub.tools import HubMediaToolkit

    hub = conn.pick("chainhub", "tokenhub", "electronhub")
    if hub is None:
        ui.say("skipped", "needs CHAINHUB_API_KEY, TOKENHUB_API_KEY or ELECTRONHUB_API_KEY")
        return
    with HubClient(hub, **conn.settings(hub, "media")) as client:
        client.models()  # /models states the media prices (the catalog keeps them): costs known
    fast = {"poll_interval": 0.2} if conn.emu is not None else {}
    toolkit = HubMediaToolkit(hub=hub, output_dir=output_dir(), **fast,
                              **conn.settings(hub, "media"))
    tools = toolkit.get_tools()
    llm = langchain_hub.ChatHub(hub=hub, model=CHAT_MODEL[hub], **conn.settings(hub, "media"))
    ui.say("agent", f"create_agent(ChatHub(hub={hub!r}), tools=HubMediaToolkit(hub={hub!r})"
                    f".get_tools())  # {', '.join(t.name for t in tools)}")
    ui.say("user", ASK)
    with langchain_hub.hub_usage() as usage:  # step 6 shows it beside the ledger
        state = create_agent(llm, tools).invoke(
            {"messages": [("user", ASK)]}, config={"callbacks": [_progress_printer()]})
    conn.spent.append(SpentBlock("5 (the media agent)", hub, "media", usage))
    made = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    failed = [m for m in made if m.status != "success"]
    assert not failed, f"a tool failed: {failed[0].content}"
    rows = []
    for message in made:
        for path in message.artifact["paths"]:
            file = Path(path)
            assert file.stat().st_size > 0, f"{file} is empty"
            rows.append((message.artifact["kind"], str(file), f"{file.stat().st_size:,} bytes",
                         OPENS_WITH.get(file.suffix, "")))
    ui.table(["kind", "file", "size", "open with"], rows)
    kinds = {row[0] for row in rows}
    assert {"image", "video"} <= kinds, f"made only {sorted(kinds)}"
    png = next(Path(row[1]) for row in rows if row[0] == "image")
    from PIL import Image

    with Image.open(png) as img:
        ui.say("image", f"{png.name} is a {img.format} of {img.size[0]}x{img.size[1]} pixels")
    answer = state["messages"][-1].text
    ui.say("agent answered", answer)  # whole: it names every file the tools made
    if conn.emu is not None:
        jobs = conn.emu.admin.ledger(hub, conn.key(hub, "media"))["jobs"]
        once = all(job["submits"] == 1 for job in jobs.values())
        ui.say("hub ledger", f"{len(jobs)} paid jobs, each submitted "
                             f"{'once' if once else 'MORE THAN ONCE'}")
        assert once, "a job was submitted twice"
