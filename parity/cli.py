"""The `parity` command line: subcommands registered from their own modules (parity/commands/).

Errors the user can fix (config, data, files) print one line per problem on stderr and exit with
code 2, without a traceback; a run that fails leaves no run folder behind (see parity.reports.writer).
SIGTERM unwinds a command exactly as Ctrl-C does (`with` blocks and `finally` run, so staging folders
and child processes go), and the exit status is 128 + the signal's number, as the shell reports a
process the signal killed. (`parity run --serve` installs its own SIGTERM handler: a clean stop.)
"""

from __future__ import annotations

import argparse
import gc
import importlib
import signal
import sys
from collections.abc import Sequence

from parity import interrupts

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
    # Installed only in the main thread (signal.signal's rule) and put back on return, so an
    # in-process caller (the tests) keeps its own handlers.
    restore = interrupts.install()
    # parity.errors is imported only once something went wrong: it pulls in the config and data
    # packages (pandas), and `parity backtest` starts its report worker before importing those.
    try:
        code = int(args.handler(args) or 0)
        if argv is None:  # run as the program (the command line's arguments), which exits next:
            # the interpreter's collections at exit then skip the whole heap (a backtest's exit
            # 0.5 s -> 0.05 s); objects are still freed as their modules are torn down.
            gc.freeze()
        return code
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, interrupts.Interrupted) else int(signal.SIGINT)
        note = getattr(args, "on_interrupt", "")  # what an interrupted command leaves, if it says
        print(f"interrupted by {signal.Signals(signum).name}{': ' + note if note else ''}", file=sys.stderr)
        return 128 + signum
    except Exception as exc:
        from parity.errors import EXIT_USER_ERROR, USER_ERRORS, error_lines

        if not isinstance(exc, USER_ERRORS):
            raise
        for line in error_lines(exc):
            print(f"error: {line}", file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        restore()
