"""The `parity` command line: subcommands registered from their own modules (parity/commands/).

Errors the user can fix (config, data, files) print one line per problem on stderr and exit with
code 2, without a traceback; a run that fails leaves no run folder behind (see parity.reports.writer).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence

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
    # parity.errors is imported only once something went wrong: it pulls in the config and data
    # packages (pandas), and `parity backtest` starts its report worker before importing those.
    try:
        code = int(args.handler(args) or 0)
        if argv is None:  # run as the program (the command line's arguments), which exits next:
            # the interpreter's collections at exit then skip the whole heap (a backtest's exit
            # 0.5 s -> 0.05 s); objects are still freed as their modules are torn down.
            gc.freeze()
        return code
    except KeyboardInterrupt:
        from parity.errors import EXIT_INTERRUPTED

        print("interrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        from parity.errors import EXIT_USER_ERROR, USER_ERRORS, error_lines

        if not isinstance(exc, USER_ERRORS):
            raise
        for line in error_lines(exc):
            print(f"error: {line}", file=sys.stderr)
        return EXIT_USER_ERROR
