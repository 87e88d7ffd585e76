"""The `parity` command line: subcommands registered from their own modules (parity/commands/).

Errors the user can fix (config, data, files) print one line per problem on stderr and exit with
code 2, without a traceback; a run that fails leaves no run folder behind (see reports.writer).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from parity.errors import EXIT_INTERRUPTED, EXIT_USER_ERROR, USER_ERRORS, error_lines

# One line per subcommand module (the contract is in parity/commands/__init__.py).
COMMAND_MODULES = (
    "parity.commands.backtest",
    "parity.commands.validate",
    "parity.commands.halt",
    "parity.commands.run",  # live paper trading on Alpaca (parity/live.py)
    "parity.commands.paper",  # offline replay demo against the fake Alpaca
    "parity.commands.data",  # Alpaca bar download into the parquet cache
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parity", description="Backtest-first systematic US-equity trading: one engine, simulated and Alpaca paper brokers.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except USER_ERRORS as exc:
        for line in error_lines(exc):
            print(f"error: {line}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
