"""`parity validate FILE [--set KEY=VALUE ...]`: every check a run makes before its first bar, nothing run."""

from __future__ import annotations

import argparse
from pathlib import Path

from parity.commands.options import add_overrides, load
from parity.engine.config import ParityConfig, config_hash, defaults_note


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a config file and exit",
        description="Validate a config as a run would before its first bar: keys, types, ranges, the strategy "
                    "and its params, the data files (read and checked as the backtest reads them) and the "
                    "output folder. Nothing is written.")
    parser.add_argument("config", metavar="FILE", help="YAML config, e.g. config/default.yaml")
    add_overrides(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config.execution.mode == "backtest":
        checked, notes = _check_backtest(config, args.config)
    else:
        checked, notes = _check_paper(config, args.config)
    print(f"{args.config}: OK (mode {config.execution.mode}, strategy {config.strategy.use}, {checked}, "
          f"config hash {config_hash(config)})")
    for note in notes:  # part of the report (stdout), after the OK line; errors alone go to stderr
        print(f"note: {note}")
    return 0


def _check_backtest(config: ParityConfig, source: str) -> tuple[str, tuple[str, ...]]:
    from parity.app import prepare_backtest
    from parity.strategy_registry import BUILTIN

    prepared = prepare_backtest(config, source, Path.cwd())
    if prepared.chosen.record["import_path"] == BUILTIN["signals"]:
        prepared.chosen.strategy.generate(prepared.bars)  # reading the signals file is its check, and quick
    return f"{prepared.bars.n_bars} bars x {prepared.bars.n_symbols} symbols checked", prepared.notes


def _check_paper(config: ParityConfig, source: str) -> tuple[str, tuple[str, ...]]:
    """Paper trading reads its bars from Alpaca when it runs; what can be checked now is the strategy
    (built, e.g. a signals file read) and the universe it trades."""
    from parity.engine.data.errors import DataError
    from parity.engine.data.universe import read_universe, universe_path
    from parity.strategy_registry import resolve_strategy

    resolve_strategy(config, source, Path(source).parent).build()
    try:
        universe = read_universe(universe_path(config.data.universe, Path.cwd()))
    except DataError as exc:
        raise DataError(f"{source}: {exc}" if str(exc).startswith("data.") else str(exc)) from None
    note = defaults_note(config, source)
    return f"{len(universe)} symbols; bars come from Alpaca at run time", (note,) if note else ()
