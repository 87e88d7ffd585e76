"""Trading-calendar helpers: session tables and intraday bar times, offline via exchange_calendars.

Session ordinals count calendar sessions from a fixed epoch (SESSION_EPOCH is ordinal 0), so the
same date gets the same ordinal whatever window is loaded, and a session missing from the data
shows up as a jump in `Bars.session`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import exchange_calendars as xc
import numpy as np
import pandas as pd

SESSION_EPOCH = pd.Timestamp("1990-01-02")
NS_PER_MINUTE = 60 * 1_000_000_000

# Bar length in minutes for each intraday timeframe; "1Day" is one bar per session.
TIMEFRAME_MINUTES: dict[str, int] = {"1Min": 1, "5Min": 5, "15Min": 15, "1Hour": 60}
TIMEFRAMES = ("1Day", *TIMEFRAME_MINUTES)


@dataclass(frozen=True)
class SessionTable:
    """Sessions of a calendar over a window: naive dates, open/close as int64 ns UTC, ordinals."""

    dates: pd.DatetimeIndex
    open_ns: np.ndarray
    close_ns: np.ndarray
    ordinal: np.ndarray

    def __len__(self) -> int:
        return len(self.dates)


@lru_cache(maxsize=16)
def _calendar(name: str, start: pd.Timestamp, end: pd.Timestamp) -> xc.ExchangeCalendar:
    # exchange_calendars' default bounds only reach ~20 years back, so always pass start/end.
    # It still calls Series.values on tz-aware columns, which pandas 3 flags; that is its business.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return xc.get_calendar(name, start=start, end=end)


def sessions(name: str, start: str | pd.Timestamp, end: str | pd.Timestamp) -> SessionTable:
    """All sessions of calendar `name` with start <= date <= end (dates, inclusive)."""
    start_ts, end_ts = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end_ts < start_ts:
        raise ValueError(f"calendar window: end {end_ts.date()} is before start {start_ts.date()}")
    # Whole years from the epoch, so nearby windows share one cached calendar.
    cal = _calendar(name, min(start_ts.replace(month=1, day=1), SESSION_EPOCH),
                    max(end_ts.replace(month=12, day=31), SESSION_EPOCH))
    all_sessions = cal.sessions
    epoch_pos = int(all_sessions.searchsorted(SESSION_EPOCH))
    lo, hi = all_sessions.searchsorted(start_ts), all_sessions.searchsorted(end_ts, side="right")
    sched = cal.schedule.iloc[lo:hi]
    return SessionTable(
        dates=pd.DatetimeIndex(all_sessions[lo:hi]),
        open_ns=_utc_ns(sched["open"]),
        close_ns=_utc_ns(sched["close"]),
        ordinal=np.arange(lo, hi, dtype=np.int64) - epoch_pos,
    )


def _utc_ns(col: pd.Series) -> np.ndarray:
    return pd.DatetimeIndex(col).tz_convert("UTC").as_unit("ns").asi8.copy()


def first_sessions(name: str, start: str | pd.Timestamp, n_sessions: int) -> SessionTable:
    """The first `n_sessions` sessions on or after `start`."""
    days = int(n_sessions * 1.5) + 10  # ~252 sessions per 365 days, plus holidays slack
    while True:
        table = sessions(name, start, pd.Timestamp(start) + pd.Timedelta(days=days))
        if len(table) >= n_sessions:
            return _take(table, n_sessions)
        days *= 2


def _take(table: SessionTable, n: int) -> SessionTable:
    return SessionTable(table.dates[:n], table.open_ns[:n], table.close_ns[:n], table.ordinal[:n])


def bar_times(table: SessionTable, timeframe: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(open_ts, close_ts, session) of every bar of `timeframe` in the sessions of `table`.

    Daily bars span the session open to close. Intraday bars start at the session open every
    `minutes`; the last bar of a session ends at the session close (early closes included).
    """
    if timeframe == "1Day":
        return table.open_ns.copy(), table.close_ns.copy(), table.ordinal.copy()
    if timeframe not in TIMEFRAME_MINUTES:
        raise ValueError(f"timeframe '{timeframe}' is not one of {', '.join(TIMEFRAMES)}")
    step = TIMEFRAME_MINUTES[timeframe] * NS_PER_MINUTE
    counts = -(-(table.close_ns - table.open_ns) // step)  # ceil: a short last bar still counts
    first_bar = np.cumsum(counts) - counts
    bar_in_session = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(first_bar, counts)
    open_ts = np.repeat(table.open_ns, counts) + bar_in_session * step
    close_ts = np.minimum(open_ts + step, np.repeat(table.close_ns, counts))
    return open_ts, close_ts, np.repeat(table.ordinal, counts)


def bars_from(name: str, start: str | pd.Timestamp, n_bars: int, timeframe: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times of the first `n_bars` bars of `timeframe` on or after `start`."""
    per_session = 1 if timeframe == "1Day" else max(1, 210 // TIMEFRAME_MINUTES.get(timeframe, 1))
    table = first_sessions(name, start, -(-n_bars // per_session) + 1)
    open_ts, close_ts, session = bar_times(table, timeframe)
    return open_ts[:n_bars], close_ts[:n_bars], session[:n_bars]


def calendar_tz(name: str) -> str:
    """The calendar's local time zone (e.g. "America/New_York" for XNYS)."""
    return str(_calendar(name, SESSION_EPOCH, SESSION_EPOCH + pd.Timedelta(days=31)).tz)
