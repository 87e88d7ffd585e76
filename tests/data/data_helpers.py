"""Helpers for the data tests: tiny long-format CSV files and the configs that read them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from parity.engine.config.schema import DataConfig
from parity.engine.data.bars import Bars

HEADER = "date,symbol,open,high,low,close,volume"


def write_csv(tmp_path: Path, lines: list[str], header: str = HEADER, name: str = "bars.csv") -> Path:
    """Write a header and `lines` (CSV rows as strings) to tmp_path/name; line 2 is lines[0]."""
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def csv_config(path: Path, **kw: object) -> DataConfig:
    # no data.universe: every symbol of the file trades, with sector "Unknown" (and a note saying so)
    return DataConfig(source="csv", path=path, **kw)


def long_table(bars: Bars) -> pd.DataFrame:
    """The pipeline's long table for `bars` (daily ts = session date in New York; intraday = bar open UTC)."""
    t, n = bars.open.shape
    ts = pd.to_datetime(np.repeat(bars.open_ts, n), utc=True)
    if len(np.unique(bars.session)) == t:  # one bar per session: daily
        ts = ts.tz_convert("America/New_York").tz_localize(None).normalize()
    frame = pd.DataFrame({"symbol": np.tile(np.array(bars.symbols, dtype=object), t), "ts": ts})
    for f in ("open", "high", "low", "close", "volume"):
        frame[f] = getattr(bars, f).ravel()
    frame["row"] = np.arange(len(frame)) + 2
    return frame
