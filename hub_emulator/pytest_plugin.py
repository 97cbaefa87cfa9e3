"""pytest plugin (entry point ``pytest11``): provides the ``hub_emulator`` fixture."""
