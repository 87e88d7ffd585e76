"""`parity validate FILE [--set KEY=VALUE ...]`: check a config without running anything."""

from __future__ import annotations

import argparse
from pathlib import Path

from parity.engine.config import ConfigError, ParityConfig, config_hash
from parity.commands.options import add_overrides, load


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check a config file and exit",
                                   description="Validate a config: keys, types, ranges and the files it names.")
    parser.add_argument("config", metavar="FILE", help="YAML config, e.g. config/default.yaml")
    add_overrides(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from parity.strategy_registry import resolve_strategy

    config = load(args)
    check_files(config, args.config, Path.cwd())
    resolve_strategy(config, args.config, Path(args.config).parent).build()  # e.g. a signals file it cannot read
    print(f"{args.config}: OK (mode {config.execution.mode}, strategy {config.strategy.use}, "
          f"config hash {config_hash(config)})")
    return 0


def check_files(config: ParityConfig, source: str, base_dir: Path) -> None:
    """The data file a csv/parquet source names must exist (the loader checks its contents)."""
    data = config.data
    if data.source in ("csv", "parquet") and data.path is not None and not (base_dir / data.path).exists():
        raise ConfigError(f"{source}: data.path: file '{data.path}' not found; point it at your {data.source} file")
