"""`parity halt [--config FILE] [--reason TEXT] [--clear] [--status]`: the emergency stop.

Sets (or clears, or shows) the flag file `risk_management.halt_file` (default .parity/HALT). A
running paper process checks it every bar and, while it exists, sends no new risk, cancels its
working orders and, with `risk_management.flatten_on_emergency_stop: true`, flattens (engine/halt.py,
engine/kernels/emergency.py). A backtest does not honour it (it simulates history, not today's
account) and says so in a note (parity/commands/backtest.py). The flag survives restarts until `parity halt --clear`. When the
config's journal (`alpaca.journal_path`) exists, the command notes the change there too.
Exit codes: 0 done; 1 with --status when a halt is in force (scriptable); 2 bad input.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from parity.commands.options import add_overrides


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "halt", help="emergency stop: block new risk in running processes until cleared",
        description="Set, clear or show the emergency-stop flag that running paper processes check every bar.")
    parser.add_argument("--config", metavar="FILE", help="YAML config naming risk_management.halt_file and the journal")
    add_overrides(parser)
    parser.add_argument("--file", metavar="PATH", type=Path, help="flag file (overrides the config's halt_file)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--clear", action="store_true", help="lift the halt")
    action.add_argument("--status", action="store_true", help="show whether a halt is in force (exit 1 if so)")
    parser.add_argument("--reason", default="manual halt", help="why (kept in the flag file and the journal)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from parity.engine.config import ParityConfig, load_config
    from parity.engine.halt import clear_halt, read_halt, set_halt

    config = load_config(args.config, args.overrides) if args.config else ParityConfig()
    path = args.file or config.risk_management.halt_file
    now = time.time_ns()
    if args.status:
        state = read_halt(path)
        if state is None:
            print(f"no halt in force ({path})")
            return 0
        print(f"HALTED since {iso_time(state.set_at_ns)} ({state.source}): {state.reason} ({path})")
        return 1
    if args.clear:
        cleared = clear_halt(path)
        print(f"halt cleared ({path})" if cleared else f"no halt was in force ({path})")
        if cleared:
            _journal(config, now, "emergency stop cleared by parity halt --clear")
        return 0
    set_halt(path, args.reason, now, source="cli")
    _journal(config, now, f"emergency stop set by parity halt: {args.reason}")
    flatten = "and flatten positions" if config.risk_management.flatten_on_emergency_stop else "(positions kept)"
    print(f"HALT set ({path}): running paper processes stop new risk and cancel working orders {flatten} at "
          f"their next bar (backtests do not honour it); lift it with `parity halt --clear`")
    return 0


def _journal(config: "object", now: int, text: str) -> None:
    journal_path = Path(config.alpaca.journal_path)  # type: ignore[attr-defined]
    if not journal_path.is_file():
        return  # no journal in use: nothing to note (a journal is never created by this command)
    from parity.engine.journal import Journal

    with Journal(journal_path) as journal:
        journal.note(now, "halt", text)


def iso_time(ns: int) -> str:
    """When a halt was set, for messages ("an unknown time" for an unreadable flag file)."""
    if ns <= 0:
        return "an unknown time"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ns / 1e9))
