"""The ``make demo`` showcase: one module per group of steps, a small terminal UI, a runner.

Run it with ``python examples/demo.py``. With no ``<HUB>_API_KEY`` set it starts the embedded
hub emulator on loopback; with keys set it talks to those hubs instead (steps a hub cannot do are
skipped with the reason).
"""
