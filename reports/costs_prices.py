"""`MarketPrices`: the market context cost analysis needs beside a run's records.

Closes (for the opportunity cost's end price and for volatility), volumes (participation of paper
fills), bar times and session numbers. Built from the run's `Bars` when they can be loaded, or, when
they cannot (a paper run whose data source is offline), reconstructed from the records themselves:
bar close times from `equity.ts` (one row per bar), closes from the position marks and the orders'
decision prices (both are closes), forward-filled. The reconstruction is sparse, so volatility from it
is rougher; `MarketPrices.source` says which one a result rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from parity.brokers.sim.volatility import daily_vol
from parity.engine.data.bars import Bars

MARKET_TZ = "America/New_York"


@dataclass(frozen=True)
class MarketPrices:
    symbols: tuple[str, ...]
    close_ts: np.ndarray  # int64 (T,) ns UTC, close time of bar t
    session: np.ndarray  # int64 (T,), non-decreasing
    close: np.ndarray  # float64 (T, N)
    volume: np.ndarray | None  # float64 (T, N) shares, None when unknown
    bars_per_session: float
    source: str  # "bars" or "records"
    open: np.ndarray | None = None  # float64 (T, N), None when unknown (records)
    # closes of the bars before row 0 (a paper run starts after the strategy's warm-up): volatility only
    close_history: np.ndarray | None = None

    def __post_init__(self) -> None:
        t, n = len(self.close_ts), len(self.symbols)
        if self.close.shape != (t, n):
            raise ValueError(f"MarketPrices.close: shape {self.close.shape}, expected ({t}, {n})")

    @property
    def intraday(self) -> bool:
        return self.bars_per_session > 1.0

    def column(self, symbol: str) -> int:
        try:
            return self.symbols.index(symbol)
        except ValueError:
            raise KeyError(f"symbol {symbol!r} is not in the run's universe ({len(self.symbols)} symbols)") from None

    def daily_vol(self, lookback: int) -> np.ndarray:
        """The simulator's own volatility (parity.brokers.sim.volatility.daily_vol): row t known before bar t opens,
        over close_history + close so that the first rows have their look-back too."""
        if self.close_history is None or not len(self.close_history):
            return daily_vol(self.close, lookback, self.bars_per_session)
        full = np.vstack([self.close_history, self.close])
        return daily_vol(full, lookback, self.bars_per_session)[len(self.close_history):]


def mean_bars_per_session(session: np.ndarray) -> float:
    """Bars per session as the simulator scales daily_vol (parity.brokers.sim.backtest.bar_volatility): the mean."""
    return len(session) / max(len(np.unique(session)), 1)


def prices_from_bars(bars: Bars, start: int = 0, stop: int | None = None) -> MarketPrices:
    """Rows [start, stop) of `bars` (a run's rows), the earlier closes kept for volatility."""
    rows = slice(start, bars.n_bars if stop is None else stop)
    return MarketPrices(
        symbols=tuple(bars.symbols),
        close_ts=np.asarray(bars.close_ts[rows], dtype=np.int64),
        session=np.asarray(bars.session[rows], dtype=np.int64),
        close=np.asarray(bars.close[rows], dtype=np.float64),
        volume=np.asarray(bars.volume[rows], dtype=np.float64),
        # per session over all the bars, as the simulator scales (parity.brokers.sim.backtest.bar_volatility)
        bars_per_session=mean_bars_per_session(np.asarray(bars.session)),
        source="bars",
        open=np.asarray(bars.open[rows], dtype=np.float64),
        close_history=np.asarray(bars.close[:start], dtype=np.float64),
    )


def prices_from_records(orders: pd.DataFrame, equity: pd.DataFrame, positions: pd.DataFrame) -> MarketPrices:
    """Closes rebuilt from what a run recorded (see the module note); volume unknown."""
    close_ts = utc_ns(equity["ts"])
    symbols = tuple(sorted(set(orders["symbol"]) | set(positions["symbol"])))
    col = {s: i for i, s in enumerate(symbols)}
    close = np.full((len(close_ts), len(symbols)), np.nan)
    if len(positions):
        rows = np.searchsorted(close_ts, utc_ns(positions["ts"]))
        ok = rows < len(close_ts)
        cols = np.array([col[s] for s in positions["symbol"]], dtype=np.int64)
        close[rows[ok], cols[ok]] = positions["price"].to_numpy(dtype=np.float64)[ok]
    if len(orders):
        bars = orders["bar"].to_numpy(dtype=np.int64)
        ok = (bars >= 0) & (bars < len(close_ts))
        cols = np.array([col[s] for s in orders["symbol"]], dtype=np.int64)
        close[bars[ok], cols[ok]] = orders["decision_price"].to_numpy(dtype=np.float64)[ok]
    close = pd.DataFrame(close).ffill().to_numpy()
    session = session_numbers(close_ts)
    return MarketPrices(
        symbols=symbols,
        close_ts=close_ts,
        session=session,
        close=close,
        volume=None,
        bars_per_session=mean_bars_per_session(session),
        source="records",
    )


def session_numbers(close_ts: np.ndarray) -> np.ndarray:
    """Session of each bar from its close time: days since the epoch of its New York trading date."""
    dates = pd.to_datetime(np.asarray(close_ts, dtype=np.int64), utc=True).tz_convert(MARKET_TZ).normalize()
    return ((dates.tz_localize(None) - pd.Timestamp("1970-01-01")).days).to_numpy(dtype=np.int64)


def utc_ns(ts: pd.Series) -> np.ndarray:
    """UTC timestamps (tz-aware or naive-UTC) as int64 ns."""
    values = pd.to_datetime(ts, utc=True)
    return values.to_numpy(dtype="datetime64[ns]").astype(np.int64)
