"""Command line entry point ``ai-hubs``; ``ai-hubs emulator`` runs the hub emulator."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .dialects import HUBS


def _emulator_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8787, help="port (0 = any free port)")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    parser.add_argument("--job-seconds", type=float, default=None,
                        help="how long media jobs take, queued -> done (default 0.3)")
    parser.add_argument("--url-ttl", type=float, default=None,
                        help="seconds before result file URLs expire (default 3600)")


def _media_settings(args: argparse.Namespace) -> dict[str, float]:
    given = {"job_seconds": args.job_seconds, "url_ttl": args.url_ttl}
    return {k: v for k, v in given.items() if v is not None}


def run_emulator(host: str, port: int, log_level: str = "warning",
                 media: dict[str, float] | None = None) -> None:
    """Serve in the foreground and print each hub's base URL; ``media`` sets job time, URL TTL."""
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
    print(f"  admin        {emu.url}/_emulator/  (health, reset, accounts, ledger, faults, config)")
    print(f"  files        {emu.url}/_files/<token>/<name>  (media results)")
    sys.stdout.flush()
    app = create_app()
    app.state.media.config.update(media or {})
    server = uvicorn.Server(uvicorn_config(app, host, real_port, log_level))
    server.run(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> None:
    """``ai-hubs emulator [--host H] [--port P]``."""
    parser = argparse.ArgumentParser(prog="ai-hubs", description="ai-hubs command line")
    sub = parser.add_subparsers(dest="command", required=True)
    emu = sub.add_parser("emulator", help="run the local hub emulator")
    _emulator_args(emu)
    args = parser.parse_args(argv)
    if args.command == "emulator":
        run_emulator(args.host, args.port, args.log_level, _media_settings(args))


def module_main(argv: Sequence[str] | None = None) -> None:
    """``python -m hub_emulator [--host H] [--port P]``."""
    parser = argparse.ArgumentParser(prog="python -m hub_emulator")
    _emulator_args(parser)
    args = parser.parse_args(argv)
    run_emulator(args.host, args.port, args.log_level, _media_settings(args))
