"""``ai-hubs``: argument parsing, output and exit codes.

Exit codes: 0 success; 1 the hub or the network failed (also any unexpected error);
2 the command line is wrong (unknown hub, missing key, unreadable FILE, bad value);
3 the hub has no route for this (e.g. ``balance`` on ChainHub); 130 interrupted.
A failure prints one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn

from ai_hubs_cli import commands
from ai_hubs_cli.commands import Target, UsageError
from ai_hubs_cli.render import as_json
from hub_core.errors import HubError, UnsupportedFeatureError

OK, HUB_ERROR, USAGE_ERROR, UNSUPPORTED, INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting (one-line errors)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def _hub_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hub", required=True,
                        help="electronhub, chainhub, apihub or tokenhub")
    parser.add_argument("--base-url", default=None,
                        help="the hub's /v1 URL (default: <HUB>_BASE_URL, then the hub's own)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def build_parser() -> argparse.ArgumentParser:
    """The ``ai-hubs`` parser and its subcommands."""
    parser = _Parser(
        prog="ai-hubs",
        description="ai-hubs command line. Keys come from <HUB>_API_KEY (e.g. APIHUB_API_KEY), "
        "never from the command line.",
        epilog="exit codes: 0 ok, 1 hub or network error, 2 usage error, 3 unsupported by the "
        "hub, 130 interrupted",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    models = sub.add_parser("models", help="list the hub's models (context, price, capabilities)")
    _hub_options(models)
    balance = sub.add_parser("balance", help="show what is left on the account")
    _hub_options(balance)
    usage = sub.add_parser("usage", help="show recent requests (usage history)")
    _hub_options(usage)
    usage.add_argument("--limit", type=_positive, default=20, help="at most N records (20)")
    estimate = sub.add_parser(
        "estimate", help="worst-case cost of a prompt, offline (nothing is sent)"
    )
    _hub_options(estimate)
    estimate.add_argument("--model", required=True, help="model id as the hub names it")
    estimate.add_argument("--max-tokens", type=_positive, default=None,
                          help="output cap (default: the model's max output from the catalog)")
    estimate.add_argument("file", metavar="FILE",
                          help="prompt text, or a JSON list of chat messages; '-' reads stdin")
    # its options belong to hub_emulator.cli (shared with python -m hub_emulator); main() hands
    # everything after the word "emulator" to it
    sub.add_parser("emulator", add_help=False, help="run the local hub emulator (see "
                   "'ai-hubs emulator --help')")
    return parser


def _emulator(options: list[str]) -> None:
    try:
        from hub_emulator.cli import module_main
    except ImportError as exc:
        raise UsageError(
            f"the emulator needs its extras ({exc.name}): pip install 'ai-hubs[emulator]'"
        ) from None
    module_main(options, prog="ai-hubs emulator", parser_class=_Parser)


def _run(args: argparse.Namespace) -> tuple[str, Any] | None:
    target = Target(hub=args.hub, base_url=args.base_url)
    if args.command == "models":
        return commands.models(target)
    if args.command == "balance":
        return commands.balance(target)
    if args.command == "usage":
        return commands.usage(target, limit=args.limit)
    return commands.estimate(
        target, model=args.model, path=args.file, max_tokens=args.max_tokens
    )


def _fail(code: int, message: str) -> int:
    print(f"ai-hubs: {' '.join(message.split())}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (the console script exits with it).

    Example:
        >>> main(["estimate", "--hub", "apihub", "--model", "qwen-max", "--json", "-"])
        ... # doctest: +SKIP
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["emulator"]:
            _emulator(argv[1:])
            return OK
        args = build_parser().parse_args(argv)
        with warnings.catch_warnings(record=True) as caught:  # one line each, not source dumps
            warnings.simplefilter("always")
            result = _run(args)
        for warning in caught:
            print(f"ai-hubs: warning: {warning.message}", file=sys.stderr)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else OK
    except KeyboardInterrupt:
        return _fail(INTERRUPTED, "interrupted")
    except UsageError as exc:
        return _fail(USAGE_ERROR, f"error: {exc}")
    except UnsupportedFeatureError as exc:
        return _fail(UNSUPPORTED, f"unsupported: {exc}")
    except ValueError as exc:  # HubInputError and other refused input
        return _fail(USAGE_ERROR, f"error: {exc}")
    except HubError as exc:
        return _fail(HUB_ERROR, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # never a traceback
        return _fail(HUB_ERROR, f"unexpected {type(exc).__name__}: {exc}")
    if result is not None:
        text, data = result
        print(as_json(data) if args.json else text)
    return OK
