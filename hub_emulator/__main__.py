"""``python -m hub_emulator --port 8787``."""

from .cli import module_main

module_main()
