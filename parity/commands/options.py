"""Options several subcommands share: the config file and its `--set` overrides."""

from __future__ import annotations

import argparse

from parity.engine.config import ParityConfig, load_config


def add_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override one config value, e.g. --set risk_management.max_daily_loss=0.03 (repeatable)",
    )


def load(args: argparse.Namespace, strategy: bool = True) -> ParityConfig:
    """The validated config named by `args.config`, with `args.overrides` applied (ConfigError if not).
    With `strategy`, the strategy is looked up and its params checked here too (the paper runner
    leaves that to its scoring worker, so that no strategy code is imported into the runner)."""
    if strategy:
        from parity.api import load_config as load_with_strategy

        return load_with_strategy(args.config, args.overrides)
    return load_config(args.config, args.overrides)
