"""Image tools: ``HubImageGenerationTool`` and ``HubImageEditTool`` (thin over ``HubMedia``)."""

from __future__ import annotations

from typing import Any

from langchain_hub.tools.base import HubMediaTool, Outcome
from langchain_hub.tools.progress import Progress

__all__ = ["HubImageEditTool", "HubImageGenerationTool"]

class HubImageGenerationTool(HubMediaTool):
    """Make images from words on an AI hub, saved as files an agent can hand to a person.

    A LangChain ``BaseTool`` (``response_format="content_and_artifact"``) over
    :meth:`hub_core.media.HubMedia.generate_image`: every call is written to the job journal
    before it is sent, paid once, and its files are written whole or not at all.

    Setup:
        Install ``ai-hubs[langchain,media]`` and export the hub's key, e.g.
        ``export ELECTRONHUB_API_KEY="ek-..."`` (``<HUB>_BASE_URL`` points elsewhere, such as
        the bundled emulator: ``ai-hubs emulator``). Image tools exist for Electron Hub,
        ChainHub and TokenHub; API Hub raises ``UnsupportedFeatureError`` (nothing sent).

    Key init args:
        hub: ``"electronhub"``, ``"chainhub"`` or ``"tokenhub"``. model: image model (the
            hub's default: dall-e-3, gpt-image-1, doubao-seedream-5.0). output_dir: where the
            files and the job journal go. media_blocks: ``"images"`` (default: an image block
            beside the text), ``"all"`` or ``"none"``. raise_errors: raise the typed
            ``hub_core`` error instead of a ``ToolException``. api_key, base_url, budget,
            timeout, http_timeout, max_retries, default_headers, plan, rpm, proxy.

    Instantiate:
        .. code-block:: python

            from langchain_hub.tools import HubImageGenerationTool

            tool = HubImageGenerationTool(hub="electronhub", model="dall-e-3", api_key="ek-demo",
                                          base_url=emu.base_url("electronhub"), rpm=0,
                                          output_dir="media-out")
            tool.args["n"]["description"]  # 'How many images to make: exactly 1. Price: 20 ...'

    Invoke with args (the content only: a text block, then the image block):
        .. code-block:: python

            content = tool.invoke({"prompt": "a red fox in the snow", "size": "1024x1024"})
            content[0]["text"]
            # 'Made 1 image with dall-e-3 on Electron Hub (cost: 20 credits). Files: /.../x.png...'

    Invoke with a ToolCall (content and artifact, as an agent does):
        .. code-block:: python

            message = tool.invoke({"name": tool.name, "id": "call-1", "type": "tool_call",
                                   "args": {"prompt": "a lighthouse", "size": "1792x1024"}})
            message.content[1]["type"]  # 'image': the model can look at it
            message.artifact["paths"]   # ['/.../media-out/image-..._0.png']
            message.artifact["cost"]    # {'amount': 20.0, 'unit': 'credits'}

    Async (a native ``_arun``, no thread):
        .. code-block:: python

            message = await tool.ainvoke({"name": tool.name, "id": "call-2", "type": "tool_call",
                                          "args": {"prompt": "a boat", "size": "1024x1024"}})

    Errors:
        Out of credits, a rate limit, a refused prompt or bad arguments come back as a tool
        message with ``status="error"`` saying what happened and what to do, so an agent can
        tell the user; ``raise_errors=True`` raises the ``hub_core`` error instead.

        .. code-block:: python

            emu.admin.set_account("electronhub", "ek-broke-demo", balance=1)
            broke = HubImageGenerationTool(hub="electronhub", api_key="ek-broke-demo", rpm=0,
                                           base_url=emu.base_url("electronhub"),
                                           output_dir="media-out")
            refusal = broke.invoke({"name": broke.name, "id": "call-3", "type": "tool_call",
                                    "args": {"prompt": "a castle"}})
            refusal.status, refusal.content  # ('error', 'Out of credits on Electron Hub: ...')
    """

    name: str = "generate_image"
    operation = "image"

    def _call(self, args: Any, progress: Progress) -> Outcome:
        return self.media.generate_image(args.prompt, model=self.model, n=args.n,
                                         size=args.size)

    async def _acall(self, args: Any, progress: Progress) -> Outcome:
        return await self.media.agenerate_image(args.prompt, model=self.model, n=args.n,
                                                size=args.size)


class HubImageEditTool(HubMediaTool):
    """Edit an image the agent has (a file it made, or one in ``input_dirs``) from words.

    A LangChain ``BaseTool`` over :meth:`hub_core.media.HubMedia.edit_image`. The image (and an
    optional mask, a PNG of the same size whose transparent pixels mark what to change) must
    be a file inside ``output_dir`` or ``input_dirs``: a model can be talked into naming any
    file, so the tool uploads only from folders it was given. Every rule the hub documents
    (Electron Hub: a square PNG under 4 MB) is checked before anything is sent.

    Setup:
        As :class:`HubImageGenerationTool`; edits exist on Electron Hub (dall-e-2 by default)
        and ChainHub (gpt-image-1). Pillow reads the image: ``ai-hubs[media]``.

    Key init args:
        hub, model, output_dir, input_dirs (more folders images may come from), media_blocks,
        raise_errors, api_key, base_url, budget, timeout and the client params.

    Instantiate:
        .. code-block:: python

            from langchain_hub.tools import HubImageEditTool, HubImageGenerationTool

            settings = dict(hub="electronhub", api_key="ek-demo", rpm=0, output_dir="media-out",
                            base_url=emu.base_url("electronhub"))
            edit = HubImageEditTool(**settings)  # dall-e-2: a square PNG under 4 MB
            draw = HubImageGenerationTool(model="dall-e-2", **settings)

    Invoke:
        .. code-block:: python

            made = draw.invoke({"name": "generate_image", "id": "c1", "type": "tool_call",
                                "args": {"prompt": "a cat", "size": "256x256"}})
            edited = edit.invoke({"name": edit.name, "id": "c2", "type": "tool_call",
                                  "args": {"prompt": "give the cat a hat", "size": "256x256",
                                           "image": made.artifact["paths"][0]}})
            edited.artifact["paths"]  # the edited PNG, beside the first one

    Async:
        .. code-block:: python

            again = await edit.ainvoke({"prompt": "make it night", "size": "256x256",
                                        "image": edited.artifact["paths"][0]})

    Errors:
        A file outside the allowed folders, or one that breaks the hub's rules, is refused
        before any request, as a tool error naming the rule:

        .. code-block:: python

            outside = edit.invoke({"name": edit.name, "id": "c3", "type": "tool_call",
                                   "args": {"prompt": "x", "image": "/etc/hostname"}})
            outside.status  # 'error': "image must be a file inside .../media-out; ..."
    """

    name: str = "edit_image"
    operation = "image_edit"

    def _files(self, args: Any) -> tuple[Any, Any]:
        image = self.readable_path(args.image, "image")
        mask = self.readable_path(args.mask, "mask") if args.mask is not None else None
        return image, mask

    def _call(self, args: Any, progress: Progress) -> Outcome:
        image, mask = self._files(args)
        return self.media.edit_image(image, args.prompt, mask=mask, model=self.model, n=args.n,
                                     size=args.size)

    async def _acall(self, args: Any, progress: Progress) -> Outcome:
        image, mask = self._files(args)
        return await self.media.aedit_image(image, args.prompt, mask=mask, model=self.model,
                                            n=args.n, size=args.size)
