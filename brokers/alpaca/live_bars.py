"""Live bars: the universe's completed bars from Alpaca's market-data API, through the backtest's checks.

At each decision the runner asks for every bar whose close is at or before now, over a trailing
window of sessions; the download goes through `build_bars` (calendar grid, duplicates, bad prices,
splits) exactly like a backtest's data, and the bar still forming is left out.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from parity.brokers.alpaca.market_data import AlpacaBars
from parity.engine.data.alpaca_source import pipeline_frame
from parity.engine.data.bars import Bars
from parity.engine.data.errors import DataError
from parity.engine.data.pipeline import build_bars


class AlpacaBarFeed:
    def __init__(self, source: AlpacaBars, symbols: Sequence[str], sectors: Mapping[str, str], timeframe: str,
                 calendar: str = "XNYS", window_sessions: int = 300, adjustment: str = "all") -> None:
        self.source, self.symbols, self.sectors = source, list(symbols), dict(sectors)
        self.timeframe, self.calendar = timeframe, calendar
        self.window_sessions, self.adjustment = window_sessions, adjustment

    def completed_bars(self, now_ns: int) -> Bars:
        now = pd.Timestamp(now_ns, tz="UTC")
        # ~252 sessions a year: 1.5 calendar days per session covers the window with holidays.
        start = (now - pd.Timedelta(days=int(self.window_sessions * 1.5) + 5)).normalize()
        frame = self.source.fetch(self.symbols, self.timeframe, start.to_pydatetime(),
                                  now.floor("us").to_pydatetime(), self.adjustment)
        if frame.empty:
            raise DataError(f"Alpaca returned no {self.timeframe} bars for the universe up to {now.isoformat()}")
        bars, _ = build_bars(pipeline_frame(frame, self.timeframe, self.calendar), source="alpaca (live)",
                             timeframe=self.timeframe, calendar=self.calendar, symbols=self.symbols,
                             sectors=self.sectors)
        done = int((bars.close_ts <= now_ns).sum())
        if done == 0:
            raise DataError(f"no completed {self.timeframe} bar yet at {now.isoformat()}")
        return bars if done == bars.n_bars else bars.slice(0, done)
