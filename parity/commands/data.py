"""`parity data download --config FILE [--start D] [--end D]`: cache Alpaca bars as parquet.

Backtests then read them with `data.source: alpaca` (engine/data/alpaca_source.py), through the same
checks as every other source. Keys from APCA_API_KEY_ID / APCA_API_SECRET_KEY.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from parity.commands.options import add_overrides, load


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="download and cache market data",
                                   description="Market data tools. `download` caches Alpaca bars as parquet.")
    sub = parser.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    dl = sub.add_parser("download", help="download the universe's bars from Alpaca into data.cache_dir")
    dl.add_argument("--config", required=True, metavar="FILE", help="YAML config (universe, timeframe, cache_dir)")
    add_overrides(dl)
    dl.add_argument("--start", metavar="YYYY-MM-DD", help="first day (default: data.start)")
    dl.add_argument("--end", metavar="YYYY-MM-DD", help="last day, inclusive (default: data.end, else today)")
    dl.add_argument("--adjustment", default="all", choices=["raw", "split", "dividend", "all"])
    dl.set_defaults(handler=download)


def download(args: argparse.Namespace) -> int:
    import pandas as pd

    from parity.brokers.alpaca.market_data import AlpacaBars
    from parity.engine.config import ConfigError
    from parity.engine.data.alpaca_source import cache_path, merge_into_cache
    from parity.engine.data.universe import read_universe, universe_path

    config = load(args)
    start = args.start or config.data.start
    if start is None:
        raise ConfigError(f"{args.config}: data.start is not set; pass --start YYYY-MM-DD")
    end = pd.Timestamp(args.end or config.data.end or pd.Timestamp.now(tz="UTC").date()) + pd.Timedelta(days=1)
    base = Path.cwd()
    universe = read_universe(universe_path(config.data.universe, base))
    frame = AlpacaBars(config.alpaca).fetch(list(universe), config.data.timeframe, pd.Timestamp(start).to_pydatetime(),
                                            end.to_pydatetime(), args.adjustment)
    cache_dir = config.data.cache_dir if config.data.cache_dir.is_absolute() else base / config.data.cache_dir
    path = cache_path(cache_dir, config.alpaca.feed, config.data.timeframe)
    merged = merge_into_cache(frame, path)
    print(f"{len(frame)} bar(s) for {frame['symbol'].nunique() if len(frame) else 0} symbol(s) downloaded; "
          f"cache {path} holds {len(merged)}")
    return 0
