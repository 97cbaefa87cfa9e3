"""Run the emulator from a shell: ``python -m hub_emulator`` (``ai-hubs emulator`` calls this too).

The ``ai-hubs`` command itself lives in ``ai_hubs_cli``, above both hub_core and hub_emulator.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .dialects import HUBS


def _emulator_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8787, help="port (0 = any free port)")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")


def run_emulator(host: str, port: int, log_level: str = "warning") -> None:
    """Serve in the foreground and print each hub's base URL."""
    import uvicorn

    from .app import create_app
    from .server import Emulator, _free_socket, uvicorn_config

    sock = _free_socket(host, port)
    real_port = sock.getsockname()[1]
    emu = Emulator(f"http://{host}:{real_port}")
    print(f"hub_emulator listening on {emu.url}")
    for hub in HUBS:
        print(f"  {hub:<12} {emu.base_url(hub)}")
    print(f"  {'':<12} electronhub variants: {emu.base_url('electronhub', 'v1legacy')}, "
          f"{emu.base_url('electronhub', 'v1thinking')}")
    print(f"  {'':<12} chainhub tasks: {emu.root_url('chainhub')}/...  "
          f"apihub account: {emu.root_url('apihub')}/auth/register")
    print(f"  admin        {emu.url}/_emulator/  (health, reset, accounts, ledger, faults)")
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn_config(create_app(), host, real_port, log_level))
    server.run(sockets=[sock])


def module_main(
    argv: Sequence[str] | None = None,
    *,
    prog: str = "python -m hub_emulator",
    parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser,
) -> None:
    """``python -m hub_emulator [--host H] [--port P]`` (``ai-hubs emulator`` passes its own
    ``prog`` and parser class, so both commands share these options)."""
    parser = parser_class(prog=prog, description="run the local hub emulator (all four hubs)")
    _emulator_args(parser)
    args = parser.parse_args(argv)
    run_emulator(args.host, args.port, args.log_level)
