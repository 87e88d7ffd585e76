"""`data.source: alpaca`: bars downloaded from Alpaca (`parity data download`), cached as parquet.

The cache is one long parquet file per (feed, timeframe) under `data.cache_dir/alpaca/`, columns
symbol, ts (bar start, UTC), open, high, low, close, volume. Loading it goes through the same
`build_bars` checks as every other source (calendar grid, duplicates, bad prices, splits). This
module reads and writes files only; the download itself lives in brokers/alpaca/market_data.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from parity.engine.config.schema import DataConfig
from parity.engine.data.bars import Bars
from parity.engine.data.calendar import calendar_tz, sessions
from parity.engine.data.errors import DataError
from parity.engine.data.pipeline import build_bars
from parity.engine.data.report import DataReport
from parity.engine.data.universe import read_universe, universe_path

CACHE_COLUMNS = ["symbol", "ts", "open", "high", "low", "close", "volume"]


def cache_path(cache_dir: Path, feed: str, timeframe: str) -> Path:
    return Path(cache_dir) / "alpaca" / feed / f"{timeframe}.parquet"


def merge_into_cache(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Add downloaded bars to the cache (a newer download of the same bar wins); atomic write."""
    missing = [c for c in CACHE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"bars to cache lack columns {', '.join(missing)}")
    new = frame[CACHE_COLUMNS].copy()
    new["ts"] = pd.to_datetime(new["ts"], utc=True)
    if path.is_file():
        new = pd.concat([read_cache(path), new], ignore_index=True)
    merged = (new.drop_duplicates(["symbol", "ts"], keep="last")
              .sort_values(["ts", "symbol"], kind="stable").reset_index(drop=True))
    for col in CACHE_COLUMNS[2:]:
        merged[col] = merged[col].astype("float64")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    merged.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return merged


def read_cache(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: no Alpaca bars cached yet (run `parity data download --config <file>` first)")
    frame = pd.read_parquet(path)
    missing = [c for c in CACHE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: not a Parity bar cache (missing {', '.join(missing)}); delete it and download again")
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame[CACHE_COLUMNS]


def pipeline_frame(frame: pd.DataFrame, timeframe: str, calendar: str) -> pd.DataFrame:
    """The cache in build_bars' input shape: daily bars keyed by session date, intraday by open.

    Intraday bars outside the regular session (Alpaca also returns pre- and after-market bars) are
    left out: the engine trades regular hours only, and build_bars would reject them as off-grid."""
    out = frame.copy()
    if timeframe == "1Day":
        # Alpaca stamps a daily bar at midnight New York time of its session, in UTC.
        out["ts"] = out["ts"].dt.tz_convert(calendar_tz(calendar)).dt.tz_localize(None).dt.normalize()
    elif len(out):
        ts_ns = pd.DatetimeIndex(out["ts"]).as_unit("ns").asi8
        days = pd.DatetimeIndex(out["ts"]).tz_convert(calendar_tz(calendar)).tz_localize(None).normalize()
        table = sessions(calendar, days.min(), days.max())
        pos = np.searchsorted(table.dates.as_unit("ns").asi8, days.as_unit("ns").asi8)
        pos = np.minimum(pos, len(table) - 1)
        same_day = table.dates.as_unit("ns").asi8[pos] == days.as_unit("ns").asi8
        inside = same_day & (ts_ns >= table.open_ns[pos]) & (ts_ns < table.close_ns[pos])
        out = out[inside]
    out["row"] = range(1, len(out) + 1)
    return out


def load_alpaca_bars(cfg: DataConfig, base_dir: Path = Path("."), feed: str = "iex") -> tuple[Bars, DataReport]:
    """Checked Bars from the cache, for the symbols of the universe file."""
    path = cache_path(cfg.cache_dir if cfg.cache_dir.is_absolute() else base_dir / cfg.cache_dir, feed, cfg.timeframe)
    universe = read_universe(universe_path(cfg.universe, base_dir))
    frame = pipeline_frame(read_cache(path), cfg.timeframe, cfg.calendar)
    start = pd.Timestamp(cfg.start).normalize() if cfg.start else None
    end = pd.Timestamp(cfg.end).normalize() if cfg.end else None
    return build_bars(frame, source=str(path), timeframe=cfg.timeframe, calendar=cfg.calendar, start=start,
                      end=end, symbols=list(universe), sectors=universe)
