"""From a long table of bars (any source) to calendar-aligned `Bars`, through every data check.

The input contract, which every reader (embedded, user file, broker history) produces:
  symbol (str), ts, open, high, low, close, volume (float64; volume in shares), row (int: the row
  number named in messages). For "1Day", ts is the session date (tz-naive), or any time in that
  session's day if tz-aware; for intraday timeframes it is the bar's open time, tz-aware.

Steps: keep the window; place each row on the calendar's bar grid (a row off the grid, or two rows
for the same bar, is an error naming the rows); reject bars with non-positive prices; leave out
bars no symbol has (named, never invented); NaN where one symbol has no bar; repair or reject bars
whose high/low miss the body; reject one-bar bad prints (a split-sized jump that reverses the next
bar); find splits and adjust for them; count bars with zero volume (kept). Everything found goes
into the `DataReport` and `Bars.notes`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from parity.engine.data.bars import Bars
from parity.engine.data.calendar import SessionTable, bar_times, calendar_tz, sessions
from parity.engine.data.errors import DataError
from parity.engine.data.quality import PRICE_FIELDS, repair_brackets
from parity.engine.data.report import BarIssue, DataReport
from parity.engine.data.splits import adjust_for_splits, find_splits, reject_bad_prints

FIELDS = (*PRICE_FIELDS, "volume")
UNKNOWN_SECTOR = "Unknown"


def build_bars(
    frame: pd.DataFrame,
    *,
    source: str,
    timeframe: str = "1Day",
    calendar: str = "XNYS",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    symbols: Sequence[str] | None = None,
    sectors: Mapping[str, str] | None = None,
    source_notes: Sequence[str] = (),
) -> tuple[Bars, DataReport]:
    """Checked, calendar-aligned Bars from a long table (see the module docstring for its columns).

    `start`/`end` are session dates (inclusive); by default the data's first and last. `symbols`
    fixes the columns and their order (every one must have data); by default all, sorted.
    """
    intraday = timeframe != "1Day"
    frame, day = _in_window(frame, source, calendar, intraday, start, end, symbols)
    table = sessions(calendar, start if start is not None else day.min(), end if end is not None else day.max())
    open_ts, close_ts, session = bar_times(table, timeframe)
    grid = open_ts if intraday else table.dates.as_unit("ns").asi8
    pos = _grid_positions(frame, day, grid, intraday, timeframe, calendar, source)

    names = tuple(symbols) if symbols is not None else tuple(sorted(frame["symbol"].unique()))
    cols = frame["symbol"].map({s: k for k, s in enumerate(names)}).to_numpy(np.int64)
    rows_in_file = frame["row"].to_numpy()
    _reject_duplicates(pos, cols, rows_in_file, names, intraday, grid, source)
    absent = sorted(set(names) - set(frame["symbol"].unique()))
    if absent:
        raise DataError(f"{source}: no data for {', '.join(absent)} between {_day(table.dates[0])} and "
                        f"{_day(table.dates[-1])} (remove them from the universe file or widen the window)")

    def grid_label(g: int) -> str:
        return _label(int(grid[g]), intraday)

    values = {f: frame[f].to_numpy(np.float64) for f in FIELDS}
    bad_price, issues = _non_positive(values, rows_in_file, names, cols, pos, grid_label)

    # Rows of the grid some symbol has a bar on (a rejected bar still counts: the session traded).
    has_row = np.zeros(len(grid), dtype=bool)
    has_row[pos] = True
    keep = np.flatnonzero(has_row)
    new_row = (np.cumsum(has_row) - 1)[pos]
    arrays = {f: np.full((len(keep), len(names)), np.nan) for f in FIELDS}
    good = ~bad_price
    for f in FIELDS:
        arrays[f][new_row[good], cols[good]] = values[f][good]

    def label(t: int) -> str:
        return grid_label(int(keep[t]))

    missing_sessions, missing_bars = _missing(has_row, session, table, grid, intraday)
    seen = np.zeros((len(keep), len(names)), dtype=bool)
    seen[new_row, cols] = True
    gaps = tuple((names[n], int((~seen[:, n]).sum()), label(int(np.argmin(seen[:, n]))))
                 for n in range(len(names)) if not seen[:, n].all())

    issues += repair_brackets(arrays["open"], arrays["high"], arrays["low"], arrays["close"], arrays["volume"],
                              names, label)
    issues += reject_bad_prints(*(arrays[f] for f in FIELDS), names, label)
    splits = find_splits(arrays["open"], arrays["close"], names, label)
    adjust_for_splits([arrays[f] for f in PRICE_FIELDS], arrays["volume"], splits)

    report = DataReport(
        source=source, n_bars=len(keep), n_symbols=len(names), missing_sessions=missing_sessions,
        missing_bars=missing_bars, symbol_gaps=gaps, splits=tuple(s for s, _, _ in splits),
        bar_issues=tuple(issues), source_notes=tuple(source_notes),
        zero_volume=_zero_volume(arrays["volume"], names, label),
    )
    sector_of = sectors or {}
    bars = Bars(
        symbols=names,
        sectors=tuple(sector_of.get(s, UNKNOWN_SECTOR) for s in names),
        open_ts=open_ts[keep], close_ts=close_ts[keep], session=session[keep],
        **arrays, notes=report.notes(),
    )
    return bars, report


def _zero_volume(volume: np.ndarray, names: Sequence[str], label: Callable[[int], str]
                 ) -> tuple[tuple[str, int, str], ...]:
    """(symbol, bars with zero volume, first such bar) for each symbol that has any (kept: a legal bar)."""
    zero = volume == 0  # NaN (no bar, or rejected) is not zero
    return tuple((names[n], int(zero[:, n].sum()), label(int(np.argmax(zero[:, n]))))
                 for n in np.flatnonzero(zero.any(axis=0)).tolist())


def _in_window(frame: pd.DataFrame, source: str, calendar: str, intraday: bool, start: pd.Timestamp | None,
               end: pd.Timestamp | None, symbols: Sequence[str] | None) -> tuple[pd.DataFrame, pd.Series]:
    """The rows inside the window (and universe), and each row's session date."""
    tz = calendar_tz(calendar)
    if intraday and frame["ts"].dt.tz is None:
        raise DataError(f"{source}: intraday bar times need a time zone (localize them to UTC or {tz})")
    # A daily bar stamped with a zone (e.g. Alpaca's 04:00Z) belongs to that day in exchange time.
    day = _session_day(frame["ts"], tz) if intraday or frame["ts"].dt.tz is not None else frame["ts"].dt.normalize()
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= day >= start
    if end is not None:
        keep &= day <= end
    if symbols is not None:
        keep &= frame["symbol"].isin(symbols)
    if not keep.any():
        raise DataError(f"{source}: no bars between {_day(start) or 'the start'} and {_day(end) or 'the end'} "
                        f"(change data.start / data.end, or check the file's dates and symbols)")
    return frame[keep], day[keep]


def _grid_positions(frame: pd.DataFrame, day: pd.Series, grid: np.ndarray, intraday: bool, timeframe: str,
                    calendar: str, source: str) -> np.ndarray:
    """Index into the bar grid of every row; a row off the grid is an error naming it."""
    keys = _ts_ns(frame["ts"]) if intraday else pd.DatetimeIndex(day).as_unit("ns").asi8
    pos = np.minimum(np.searchsorted(grid, keys), max(len(grid) - 1, 0))
    off_grid = grid[pos] != keys if len(grid) else np.ones(len(keys), dtype=bool)
    if off_grid.any():
        i = int(np.argmax(off_grid))
        if intraday:
            what = (f"{pd.Timestamp(keys[i], tz='UTC'):%Y-%m-%d %H:%M} UTC is not the open of a {timeframe} bar in "
                    f"a session of the {calendar} calendar (check data.timeframe, or remove or correct the row)")
        else:
            what = (f"{_day(day.iloc[i])} is not a session of the {calendar} calendar (remove the row or correct "
                    f"its date)")
        raise DataError(f"{source} row {frame['row'].iloc[i]}: {what}")
    return pos


def _non_positive(values: Mapping[str, np.ndarray], rows: np.ndarray, names: Sequence[str], cols: np.ndarray,
                  pos: np.ndarray, grid_label: Callable[[int], str]) -> tuple[np.ndarray, list[BarIssue]]:
    """Rows with a price that is not > 0 (rejected, NaN in the bars) and their issues."""
    bad = np.zeros(len(rows), dtype=bool)
    for f in PRICE_FIELDS:
        bad |= ~(values[f] > 0)
    issues = []
    for i in np.flatnonzero(bad).tolist():
        what = ", ".join(f"{f} {values[f][i]:g}" for f in PRICE_FIELDS if not values[f][i] > 0)
        issues.append(BarIssue(names[cols[i]], grid_label(int(pos[i])), "rejected",
                               f"row {rows[i]}: {what} not positive; bar set to NaN"))
    return bad, issues


def _reject_duplicates(pos: np.ndarray, cols: np.ndarray, rows: np.ndarray, names: Sequence[str],
                       intraday: bool, grid: np.ndarray, source: str) -> None:
    cell = pos * len(names) + cols
    order = np.argsort(cell, kind="stable")
    same = np.flatnonzero(cell[order][1:] == cell[order][:-1])
    if len(same):
        a, b = order[same[0]], order[same[0] + 1]
        when = _label(int(grid[pos[a]]), intraday)
        raise DataError(f"{source} rows {rows[a]} and {rows[b]}: two bars for {names[cols[a]]} on {when} "
                        f"(keep one)")


def _missing(has_row: np.ndarray, session: np.ndarray, table: SessionTable, grid: np.ndarray,
             intraday: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(sessions with no bar at all, intraday bars missing inside sessions that have some)."""
    session_has = np.zeros(len(table), dtype=bool)
    first = table.ordinal[0]
    session_has[session[has_row] - first] = True
    missing_sessions = tuple(_day(d) for d in table.dates[~session_has])
    if not intraday:
        return missing_sessions, ()
    inside = ~has_row & session_has[session - first]
    return missing_sessions, tuple(_label(int(g), True) for g in grid[inside])


def _session_day(ts: pd.Series, tz: str) -> pd.Series:
    return ts.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def _ts_ns(ts: pd.Series) -> np.ndarray:
    return pd.DatetimeIndex(ts).tz_convert("UTC").as_unit("ns").asi8


def _label(key_ns: int, intraday: bool) -> str:
    return f"{pd.Timestamp(key_ns, tz='UTC'):%Y-%m-%d %H:%M} UTC" if intraday else f"{pd.Timestamp(key_ns):%Y-%m-%d}"


def _day(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else f"{pd.Timestamp(ts):%Y-%m-%d}"
