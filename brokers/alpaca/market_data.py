"""Historical and latest-completed bars from Alpaca's market-data API (StockHistoricalDataClient).

Returns a long DataFrame (symbol, ts = bar start UTC, open, high, low, close, volume) that
engine/data/alpaca_source.py turns into Bars through the same checks as every other source. The
client gets the same hardening as the trading client (timeout, rate limit, backoff).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

import pandas as pd
from alpaca.data.enums import Adjustment, DataFeed
from alpaca.data.historical.stock import StockHistoricalDataClient
from alpaca.data.requests import StockBarsRequest
from alpaca.data.timeframe import TimeFrame, TimeFrameUnit

from parity.brokers.alpaca.credentials import Credentials, credentials_from_env, install_redaction
from parity.brokers.alpaca.resilience import HttpPolicy, harden

log = logging.getLogger(__name__)

BAR_COLUMNS = ("symbol", "ts", "open", "high", "low", "close", "volume")
_TS_DTYPE = "datetime64[us, UTC]"  # alpaca-py parses times into datetimes: microseconds
_TIMEFRAMES = {"1Day": TimeFrame(1, TimeFrameUnit.Day), "1Hour": TimeFrame(1, TimeFrameUnit.Hour),
               "1Min": TimeFrame(1, TimeFrameUnit.Minute), "5Min": TimeFrame(5, TimeFrameUnit.Minute),
               "15Min": TimeFrame(15, TimeFrameUnit.Minute)}


def alpaca_timeframe(timeframe: str) -> TimeFrame:
    try:
        return _TIMEFRAMES[timeframe]
    except KeyError:
        raise ValueError(f"timeframe {timeframe!r} is not one of {', '.join(_TIMEFRAMES)}") from None


class AlpacaBars:
    def __init__(self, alpaca_cfg: Any, creds: Credentials | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._creds = creds or credentials_from_env()
        install_redaction(self._creds)
        self._feed = DataFeed(alpaca_cfg.feed)
        # raw_data: the bars as the API's JSON dicts, not one pydantic model each (a year of daily bars
        # for 53 symbols is ~13k models and ~25 MB at every decision of the live runner)
        self.client = StockHistoricalDataClient(self._creds.key_id, self._creds.secret_key,
                                                url_override=alpaca_cfg.data_url, raw_data=True)
        self.http = harden(self.client, HttpPolicy.from_config(alpaca_cfg), sleep=sleep)

    def fetch(self, symbols: Sequence[str], timeframe: str, start: datetime, end: datetime,
              adjustment: str = "all") -> pd.DataFrame:
        """Bars with start <= ts < end (alpaca-py follows next_page_token for us)."""
        request = StockBarsRequest(symbol_or_symbols=list(symbols), timeframe=alpaca_timeframe(timeframe),
                                   start=_utc(start), end=_utc(end), adjustment=Adjustment(adjustment),
                                   feed=self._feed)
        raw = self.client.get_stock_bars(request) or {}
        rows = [(sym, b["t"], b["o"], b["h"], b["l"], b["c"], b["v"])
                for sym, bars in sorted(raw.items()) for b in bars if b is not None]
        frame = pd.DataFrame(rows, columns=list(BAR_COLUMNS))
        # what alpaca-py's Bar model does: RFC 3339 times -> UTC datetimes, prices and volume -> float
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601").astype(_TS_DTYPE)
        frame[list(BAR_COLUMNS[2:])] = frame[list(BAR_COLUMNS[2:])].astype("float64")
        frame = frame[frame["ts"] < pd.Timestamp(_utc(end))]
        return frame.sort_values(["ts", "symbol"], kind="stable").reset_index(drop=True)

    def completed(self, symbols: Sequence[str], timeframe: str, start: datetime, now: datetime,
                  bar_close: Callable[[pd.Timestamp], pd.Timestamp]) -> pd.DataFrame:
        """Only bars already closed at `now` (the bar being formed is left out)."""
        frame = self.fetch(symbols, timeframe, start, now)
        closes = frame["ts"].map(bar_close)
        return frame[closes <= pd.Timestamp(_utc(now))].reset_index(drop=True)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
