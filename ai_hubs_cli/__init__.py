"""The ``ai-hubs`` command line, above both ``hub_core`` and ``hub_emulator``.

Commands: ``models``, ``balance``, ``usage``, ``estimate`` (offline) and ``emulator``; see
``ai-hubs --help`` and :mod:`ai_hubs_cli.app` for the exit codes.

Example:
    >>> from ai_hubs_cli import main
    >>> main(["models", "--hub", "apihub", "--json"])  # doctest: +SKIP
    0
"""

from __future__ import annotations

from ai_hubs_cli.app import HUB_ERROR, INTERRUPTED, OK, UNSUPPORTED, USAGE_ERROR, main

__all__ = ["HUB_ERROR", "INTERRUPTED", "OK", "UNSUPPORTED", "USAGE_ERROR", "main"]
