"""Command line entry point ``ai-hubs``."""


def main() -> None:
    """Placeholder until the emulator CLI lands."""
    raise SystemExit("ai-hubs: not implemented yet")
