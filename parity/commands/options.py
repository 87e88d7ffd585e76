"""Options several subcommands share: the config file and its `--set` overrides."""

from __future__ import annotations

import argparse

from parity.engine.config import ParityConfig, load_config


def add_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override one config value, e.g. --set risk_management.max_daily_loss=0.03 (repeatable)",
    )


def load(args: argparse.Namespace) -> ParityConfig:
    """The validated config named by `args.config`, with `args.overrides` applied (ConfigError if not)."""
    return load_config(args.config, args.overrides)
