"""Time for the fake server: timestamp parsing/formatting and the NYSE clock and calendar.

The fake never reads the wall clock for market state: its "now" is set by whoever drives it, and the
clock/calendar answers come from exchange_calendars' XNYS sessions (offline).
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

ET = "America/New_York"
_CAL_START, _CAL_END = "1995-01-03", "2030-12-31"


def to_utc(value: Any) -> pd.Timestamp:
    """A tz-aware UTC Timestamp from int ns, datetime, pandas Timestamp or an ISO/RFC3339 string.

    Naive values are taken as UTC, as alpaca-py sends them.
    """
    if isinstance(value, (int, np.integer)):
        return pd.Timestamp(int(value), tz="UTC")
    if isinstance(value, str):
        text = value.strip().replace(" ", "+") if "T" in value else value.strip()
        ts = pd.Timestamp(text)
    else:
        ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def rfc3339(ts: pd.Timestamp | None) -> str | None:
    """'2024-01-02T15:00:00.123456789Z' style (nanoseconds kept when present), or None."""
    if ts is None:
        return None
    ts = to_utc(ts)
    base = ts.strftime("%Y-%m-%dT%H:%M:%S")
    frac = ts.microsecond * 1000 + ts.nanosecond
    return f"{base}.{frac:09d}Z" if frac else f"{base}Z"


def et_isoformat(ts: pd.Timestamp) -> str:
    """ET wall time with offset, like the real /v2/clock: '2025-06-24T16:00:00-04:00'."""
    return to_utc(ts).tz_convert(ET).isoformat()


@lru_cache(maxsize=1)
def _sessions() -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    import exchange_calendars as xcals

    with warnings.catch_warnings():  # exchange_calendars' own use of Series.values under pandas 3
        warnings.simplefilter("ignore")
        schedule = xcals.get_calendar("XNYS", start=_CAL_START, end=_CAL_END).schedule
    opens = schedule["open"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    closes = schedule["close"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return pd.DatetimeIndex(schedule.index), opens, closes


def clock_state(now: pd.Timestamp) -> dict[str, Any]:
    """The /v2/clock body at `now`: is_open and the next open/close (ET offsets)."""
    _, opens, closes = _sessions()
    ns = to_utc(now).value
    i = int(np.searchsorted(closes, ns, side="right"))  # first session whose close is after now
    if i >= len(closes):
        raise ValueError(f"fake clock {now} is past the calendar's end ({_CAL_END})")
    is_open = bool(opens[i] <= ns)
    next_open = opens[i + 1] if is_open else opens[i]
    return {
        "timestamp": et_isoformat(now),
        "is_open": is_open,
        "next_open": et_isoformat(pd.Timestamp(int(next_open), tz="UTC")),
        "next_close": et_isoformat(pd.Timestamp(int(closes[i]), tz="UTC")),
    }


def is_market_open(now: pd.Timestamp) -> bool:
    return bool(clock_state(now)["is_open"])


def session_close_at_or_after(now: pd.Timestamp) -> pd.Timestamp:
    """Close of the session in progress at `now`, or of the next session."""
    return pd.Timestamp(int(session_closes_ns(np.array([to_utc(now).value]))[0]), tz="UTC")


def session_closes_ns(ts_ns: np.ndarray) -> np.ndarray:
    """Vectorised: for each int64 ns UTC time, the close (ns) of the session in progress or next."""
    _, _, closes = _sessions()
    return closes[np.searchsorted(closes, ts_ns, side="left")]


def calendar_days(start: dt.date | None, end: dt.date | None) -> list[dict[str, str]]:
    """The /v2/calendar body for sessions with start <= date <= end (both inclusive)."""
    index, opens, closes = _sessions()
    dates = index.date
    lo = 0 if start is None else int(np.searchsorted(dates, start, side="left"))
    hi = len(dates) if end is None else int(np.searchsorted(dates, end, side="right"))
    days = []
    for i in range(lo, hi):
        open_et = pd.Timestamp(int(opens[i]), tz="UTC").tz_convert(ET)
        close_et = pd.Timestamp(int(closes[i]), tz="UTC").tz_convert(ET)
        settle = dates[i + 1] if i + 1 < len(dates) else dates[i] + dt.timedelta(days=1)
        days.append(
            {
                "date": dates[i].isoformat(),
                "open": open_et.strftime("%H:%M"),
                "close": close_et.strftime("%H:%M"),
                "session_open": "0400",
                "session_close": "2000",
                "settlement_date": settle.isoformat(),
            }
        )
    return days


def sessions_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, pd.Timestamp, pd.Timestamp]]:
    """(date, open, close) of every NYSE session with start <= date <= end; open/close in UTC.

    A replay driver walks these: set_time(open), feed_bar(daily_bar_ts(date), ...), set_time(close),
    let the client decide, end_session().
    """
    index, opens, closes = _sessions()
    dates = index.date
    lo, hi = int(np.searchsorted(dates, start, side="left")), int(np.searchsorted(dates, end, side="right"))
    return [(dates[i], pd.Timestamp(int(opens[i]), tz="UTC"), pd.Timestamp(int(closes[i]), tz="UTC")) for i in range(lo, hi)]


def daily_bar_ts(day: dt.date) -> pd.Timestamp:
    """Alpaca stamps a daily bar at midnight ET of its session (05:00 or 04:00 UTC)."""
    return pd.Timestamp(day).tz_localize(ET).tz_convert("UTC")
