"""`Bars`: calendar-aligned OHLCV for a universe, as T x N float64 arrays.

Row t is one bar (a session for daily data), column n one symbol. Missing data is NaN. Timestamps
are int64 ns UTC: `open_ts[t]` when bar t starts trading, `close_ts[t]` when it ends (the decision
time for a signal computed from bar t). `session[t]` numbers the trading session a bar belongs to,
so day orders and the daily loss limit know where a session ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Bars:
    symbols: tuple[str, ...]
    sectors: tuple[str, ...]  # one label per symbol
    open_ts: np.ndarray  # int64 (T,)
    close_ts: np.ndarray  # int64 (T,)
    session: np.ndarray  # int64 (T,), non-decreasing
    open: np.ndarray  # float64 (T, N)
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray  # shares
    # What the loader found and did (splits adjusted, sessions missing, bars repaired), for reports.
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        t, n = len(self.open_ts), len(self.symbols)
        if len(self.sectors) != n:
            raise ValueError(f"Bars: {len(self.sectors)} sectors for {n} symbols")
        for name in ("close_ts", "session"):
            if getattr(self, name).shape != (t,):
                raise ValueError(f"Bars.{name}: shape {getattr(self, name).shape}, expected ({t},)")
        for name in ("open", "high", "low", "close", "volume"):
            arr = getattr(self, name)
            if arr.shape != (t, n) or arr.dtype != np.float64:
                raise ValueError(f"Bars.{name}: {arr.dtype}{arr.shape}, expected float64({t}, {n})")

    @property
    def n_bars(self) -> int:
        return len(self.open_ts)

    @property
    def n_symbols(self) -> int:
        return len(self.symbols)

    @property
    def index(self) -> pd.DatetimeIndex:
        """Bar close times (UTC): the time a decision on bar t is made."""
        return pd.DatetimeIndex(pd.to_datetime(self.close_ts, utc=True), name="ts")

    def sector_ids(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """Sector of each symbol as an int code (for kernels) and the code -> name table."""
        names = tuple(sorted(set(self.sectors)))
        codes = np.array([names.index(s) for s in self.sectors], dtype=np.int64)
        return codes, names

    def frame(self, field_name: str) -> pd.DataFrame:
        """One field as a DataFrame indexed by bar close time, one column per symbol."""
        return pd.DataFrame(getattr(self, field_name), index=self.index, columns=list(self.symbols))

    def slice(self, start: int, stop: int) -> "Bars":
        """Rows [start, stop) as a new Bars (the live runner and the look-ahead tests use this)."""
        rows = slice(start, stop)
        return Bars(
            symbols=self.symbols,
            sectors=self.sectors,
            open_ts=self.open_ts[rows].copy(),
            close_ts=self.close_ts[rows].copy(),
            session=self.session[rows].copy(),
            open=self.open[rows].copy(),
            high=self.high[rows].copy(),
            low=self.low[rows].copy(),
            close=self.close[rows].copy(),
            volume=self.volume[rows].copy(),
            notes=self.notes,
        )

    def append(self, later: "Bars") -> "Bars":
        """These rows followed by `later`'s (same universe; `later` starts after this ends)."""
        if later.symbols != self.symbols:
            raise ValueError("Bars.append: the later bars have other symbols; pass the same universe in the same order")
        if self.n_bars and later.n_bars and later.close_ts[0] <= self.close_ts[-1]:
            raise ValueError("Bars.append: the later bars must start after the last bar")
        return Bars(
            symbols=self.symbols,
            sectors=self.sectors,
            **{name: np.concatenate([getattr(self, name), getattr(later, name)])
               for name in ("open_ts", "close_ts", "session", "open", "high", "low", "close", "volume")},
            notes=self.notes,
        )
