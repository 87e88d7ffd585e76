"""Precomputed signals: trade the scores the user's own model writes to a file.

Config: `strategy: {use: signals, params: {path: scores.parquet, rank: false, wait_s: 0}}`.

The file is parquet (.parquet, .pq) or CSV (.csv), chosen by its extension, in long format: one row
per bar and symbol with columns `ts`, `symbol`, `score` and optionally `model_version` (names in any
case and order; other columns are ignored). Each row's `ts` says which bar it scores:

- a date with no time ("2010-01-04" in a CSV, a parquet date, or a naive midnight) is that session's
  bar when the bars are daily (one bar per session); session dates are the bar close in New York time;
- a timestamp with a timezone ("2010-01-04T16:00:00-05:00", a tz-aware parquet column) must equal a
  bar's close exactly; this is the only form intraday bars accept;
- a naive timestamp with a time of day is an error: without a zone the instant is a guess.

`score` is in [-1, 1], or with `rank: true` any raw prediction, ranked across the symbols of each bar
onto [-1, 1] (strategies/ranks.py). An empty cell or NaN means no view. All rows of one bar must carry
the same `model_version`.

Every defect is a DataError of one line naming the file and the row (the 1-based data row; for a CSV
also its line in the file, the header being line 1) and how to fix it. Rows before the first or after
the last bar are ignored (only their `ts` is read), and bars the file leaves without a score stay NaN:
both are reported in `SignalSet.notes`, never filled in.

Live, `update(bar)` re-reads the file (re-parsing only when its size or mtime changed) and waits up to
`wait_s` for rows of the bar being decided; a file that is still older than the bar then raises
StaleSignals. Write the file atomically (to a temporary name, then rename) so a half-written file is
never read. The live row of a bar equals its batch row bit for bit: both go through `_fill`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from parity.engine.data.bars import Bars
from parity.engine.data.errors import DataError
from parity.engine.signals import SignalSet, StaleSignals
from parity.strategies.ranks import cross_sectional_rank

EXCHANGE_TZ = "America/New_York"
SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "CSV"}
REQUIRED = ("ts", "symbol", "score")
OPTIONAL = ("model_version",)
NEEDS = "columns ts, symbol, score and optionally model_version"
# Score cells that mean "no view" (compared case-insensitively, after stripping blanks).
NO_VIEW_TOKENS = frozenset({"", "nan", "na", "n/a", "null", "none"})
POLL_S = 1.0  # live: the longest sleep between two reads of the file while waiting for a bar

_DATE, _AWARE, _NAIVE_TIME, _BAD = 0, 1, 2, 3  # kinds of ts cell
_DAY_NS = 86_400 * 1_000_000_000
_EXAMPLE_TS = "2010-01-04T16:00:00-05:00"


class SignalsFileParams(BaseModel):
    """`strategy.params` of `use: signals`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(description="the scores file (.parquet, .pq or .csv); a relative path in a config is taken "
                                   "from the config's folder, elsewhere from the current directory")
    rank: bool = Field(False, description="rank raw predictions across the symbols of each bar onto [-1, 1] "
                                          "instead of requiring scores in [-1, 1]")
    wait_s: float = Field(0.0, ge=0, le=86_400, description="live only: seconds to wait for the file to hold "
                                                            "rows for the bar being decided")


class _Unreadable(DataError):
    """The file as a whole cannot be read (missing, not a table, no rows): live retries it while waiting."""


@dataclass(frozen=True)
class SignalsTable:
    """The parsed file: one entry per data row, in file order."""

    label: str  # the file as the config names it
    kind: np.ndarray  # int8: _DATE or _AWARE
    key: np.ndarray  # int64: _DATE naive midnight ns of the session date; _AWARE UTC ns
    symbol: np.ndarray  # object (str, stripped)
    score: np.ndarray  # float64; NaN for "no view" and for cells that are not numbers
    score_bad: np.ndarray  # bool: the cell is not a number
    score_cell: np.ndarray  # object: the cells as read, for messages
    version: np.ndarray  # object (str, "" when absent)
    lines: np.ndarray | None  # CSV: the file line of each row (the header is line 1); parquet: None

    def __len__(self) -> int:
        return len(self.kind)

    def where(self, *rows: int) -> str:
        return _where(self.lines, *rows)

    def error(self, i: int, what: str, *also: int) -> DataError:
        return DataError(f"{self.label} {self.where(*sorted((i, *also)))}: {what}")


def _where(lines: np.ndarray | None, *rows: int) -> str:
    """"row 3 (line 4)" / "rows 3 (line 4) and 7 (line 8)" for 0-based row indices."""
    parts = [f"{i + 1} (line {lines[i]})" if lines is not None else f"{i + 1}" for i in rows]
    return f"{'rows' if len(parts) > 1 else 'row'} {' and '.join(parts)}"


class SignalsFileStrategy:
    """Scores read from the user's file; see the module docstring for the format."""

    name = "signals"
    lookback = 1
    Params = SignalsFileParams

    def __init__(self, params: SignalsFileParams) -> None:
        self.params = params
        self.label = str(params.path)
        self.path = params.path if params.path.is_absolute() else Path.cwd() / params.path
        self.kind = _file_kind(self.path, self.label)

    def generate(self, bars: Bars) -> SignalSet:
        table = read_signals(self.path, self.label)
        return signals_for(table, bars, self.params.rank)

    def live(self, history: Bars) -> "SignalsFileScorer":
        return SignalsFileScorer(self, history)


class SignalsFrame:
    """Scores handed over as a DataFrame (the Python API's `signals=`), checked like a file's rows."""

    name = "signals"
    lookback = 1

    def __init__(self, frame: pd.DataFrame, rank: bool = False, label: str = "signals DataFrame") -> None:
        frame = frame.reset_index(drop=True)
        wanted = _columns(list(frame.columns), label)
        self.table = _parse(frame[list(wanted)].rename(columns=wanted), label, csv=False)
        self.rank = rank

    def generate(self, bars: Bars) -> SignalSet:
        return signals_for(self.table, bars, self.rank)


def read_signals(path: Path, label: str | None = None) -> SignalsTable:
    """Read and parse a signals file; file-level defects (format, columns, ts cells) raise DataError."""
    label = str(path) if label is None else label
    kind = _file_kind(path, label)
    frame = _read_frame(path, label, kind)
    return _parse(frame, label, kind == "CSV")


def signals_for(table: SignalsTable, bars: Bars, rank: bool) -> SignalSet:
    """The batch SignalSet of `bars` from a parsed file, with notes on what the file leaves out."""
    daily = is_daily(bars)
    _check_dates_allowed(table, daily, int(bars.close_ts[0]) if bars.n_bars else None)
    grid = _grid(bars, daily)
    pos, status = _positions(table, grid, bars, daily)
    idx = np.flatnonzero(status == 0)
    scores, versions = _fill(table, idx, pos[idx], bars.n_bars, bars.symbols, rank,
                             lambda p: _bar_label(int(bars.close_ts[p]), daily))
    notes = _notes(table, bars, daily, idx, pos, status)
    return SignalSet(scores=scores, model_version=versions, notes=notes)


def is_daily(bars: Bars) -> bool:
    """Each session has one bar: a bare date then names that session's bar."""
    return bool(np.unique(bars.session).size == bars.n_bars)


class SignalsFileScorer:
    """The live path: each `update` re-reads the file and returns the new bar's row (the batch row)."""

    def __init__(self, strategy: SignalsFileStrategy, history: Bars) -> None:
        self._label = strategy.label
        self._rank = strategy.params.rank
        self._wait_s = float(strategy.params.wait_s)
        self._file = _CachedFile(strategy.path, strategy.label)
        self.symbols = history.symbols
        # Daily as long as no session has shown two bars; the history decides unless it is a single bar.
        self._daily = is_daily(history)
        self._prev_close = int(history.close_ts[-1]) if history.n_bars else None
        self._prev_session = int(history.session[-1]) if history.n_bars else None
        self.model_version = ""
        self._file.read()  # a missing or unreadable file fails at start, not at the first bar

    def update(self, bar: Bars) -> np.ndarray:
        if bar.symbols != self.symbols:
            raise ValueError("SignalsFileScorer.update: the new bar's symbols differ from the history's; "
                             "pass bars of the same universe in the same order")
        close, session = int(bar.close_ts[-1]), int(bar.session[-1])
        if close != self._prev_close and session == self._prev_session:
            self._daily = False
        prev = self._prev_close if self._prev_close != close else None
        try:
            row, version = self._wait_for(close, prev)
        finally:  # the bar is past whatever happened; the next one is checked from here
            self._prev_close, self._prev_session = close, session
        self.model_version = version
        return row

    def _wait_for(self, close: int, prev: int | None) -> tuple[np.ndarray, str]:
        deadline = time.monotonic() + self._wait_s
        while True:
            final = time.monotonic() >= deadline  # one more read once the wait is over, then decide
            try:
                table = self._file.read()
            except _Unreadable:  # e.g. being replaced right now: retried while there is time
                if final:
                    raise
            else:
                found = _live_row(table, close, prev, self._daily, self.symbols, self._rank)
                if found is not None:
                    return found
                if final:
                    break
            time.sleep(max(min(POLL_S, deadline - time.monotonic()), 0.0))
        waited = f" after waiting {self._wait_s:g} s" if self._wait_s > 0 else ""
        raise StaleSignals(f"{self._label}: no scores for the bar closing {_iso(close)}{waited}; the newest ts "
                           f"in the file is {_newest_label(table)}: no new risk on this bar")


class _CachedFile:
    """The parsed file, parsed again only when its inode, size or mtime changed."""

    def __init__(self, path: Path, label: str) -> None:
        self.path, self.label = path, label
        self._stamp: tuple[int, int, int] | None = None
        self._table: SignalsTable | None = None

    def read(self) -> SignalsTable:
        try:
            st = os.stat(self.path)
        except OSError:
            st = None
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size) if st is not None else None
        if stamp is None or stamp != self._stamp or self._table is None:
            self._table = read_signals(self.path, self.label)  # raises the precise error when stat failed
            self._stamp = stamp
        return self._table


# --- reading -------------------------------------------------------------------------------------------

def _file_kind(path: Path, label: str) -> str:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"{label}: a signals file must end in .parquet, .pq or .csv (got "
                        f"'{_short(path.suffix) or 'no extension'}'); save it as parquet or CSV")
    return kind


def _read_frame(path: Path, label: str, kind: str) -> pd.DataFrame:
    """The file's ts, symbol, score (and model_version) columns under those names; CSV cells as text."""
    where = path.absolute()
    if not path.exists():
        looked = f" (looked for {where})" if str(where) != label else ""
        raise _Unreadable(f"{label}: file not found{looked}; write the scores there or fix strategy.params.path")
    if path.is_dir():
        raise _Unreadable(f"{label}: is a directory ({where}), not a file; point path at the {kind} file")
    try:
        frame = _read_parquet(path, label) if kind == "parquet" else _read_csv(path, label)
    except DataError:
        raise
    except pd.errors.EmptyDataError:
        raise _Unreadable(f"{label}: the file is empty (it needs {NEEDS})") from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        reason = _short(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, 80)
        raise _Unreadable(f"{label}: cannot read as {kind} ({reason}); {_format_hint(path, kind)}") from None
    if frame.empty:
        raise _Unreadable(f"{label}: no rows (the file needs one row per bar and symbol: {NEEDS})")
    return frame


def _read_parquet(path: Path, label: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    wanted = _columns(pq.read_schema(path).names, label)
    return pq.read_table(path, columns=list(wanted)).to_pandas().rename(columns=wanted)


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    # Everything as text: cells are parsed (and complained about) here, not guessed by pandas. Blank
    # lines are read as rows and dropped afterwards, so the index stays the line number - 2.
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, skipinitialspace=True,
                      encoding="utf-8-sig")
    wanted = _columns(list(raw.columns), label)
    blank = np.ones(len(raw), dtype=bool)
    for name in raw.columns:
        blank &= (raw[name].str.strip() == "").to_numpy()
        if not blank.any():
            break
    frame = raw[list(wanted)].rename(columns=wanted)
    return frame[~blank] if blank.any() else frame


def _columns(names: list[Any], label: str) -> dict[Any, str]:
    """File column -> our name (matched case-insensitively); a missing or doubled column is an error."""
    ours: dict[Any, str] = {}
    for name in names:
        low = str(name).strip().lower()
        if low in REQUIRED + OPTIONAL:
            if low in ours.values():
                raise _Unreadable(f"{label}: column '{low}' appears twice (names are case-insensitive); keep one")
            ours[name] = low
    missing = [c for c in REQUIRED if c not in ours.values()]
    if missing:
        found = ", ".join(_short(str(c), 30) for c in names[:10]) + (", ..." if len(names) > 10 else "")
        raise _Unreadable(f"{label}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                          f"(found: {found or 'none'}); the file needs {NEEDS}")
    return ours


def _format_hint(path: Path, kind: str) -> str:
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return "check that the file can be read"
    if kind == "CSV" and head == b"PAR1":
        return "it looks like a parquet file: give it a .parquet extension"
    if kind == "parquet" and head != b"PAR1":
        return "it is not a parquet file (write it with DataFrame.to_parquet, or save a CSV as .csv)"
    return f"check that it is a complete {kind} file"


# --- parsing -------------------------------------------------------------------------------------------

def _parse(frame: pd.DataFrame, label: str, csv: bool) -> SignalsTable:
    """Cells into arrays; a ts that names no instant (unreadable, or a time without a zone) is an error."""
    # A CSV frame's index is its line number - 2 (blank lines were dropped after reading).
    lines = frame.index.to_numpy(dtype=np.int64) + 2 if csv else None
    kind, key = _parse_ts(frame["ts"])
    bad = np.flatnonzero(kind >= _NAIVE_TIME)
    if bad.size:
        i = int(bad[0])
        raise DataError(f"{label} {_where(lines, i)}: {_ts_defect(frame['ts'].iloc[i], int(kind[i]))}")
    score, score_bad, score_cell = _parse_scores(frame["score"])
    version = _texts(frame["model_version"]) if "model_version" in frame.columns else np.full(len(frame), "", object)
    return SignalsTable(label=label, kind=kind, key=key, symbol=_texts(frame["symbol"]), score=score,
                  score_bad=score_bad, score_cell=score_cell, version=version, lines=lines)


def _parse_ts(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(kind, key) per cell: kinds _DATE, _AWARE, _NAIVE_TIME, _BAD."""
    try:
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            idx = pd.DatetimeIndex(col).tz_convert("UTC").as_unit("ns")
            kind = np.where(idx.isna(), _BAD, _AWARE).astype(np.int8)
            return kind, np.where(idx.isna(), 0, idx.asi8)
        if pd.api.types.is_datetime64_dtype(col.dtype):
            idx = pd.DatetimeIndex(col).as_unit("ns")
            ns = idx.asi8
            kind = np.where(idx.isna(), _BAD, np.where(ns % _DAY_NS == 0, _DATE, _NAIVE_TIME)).astype(np.int8)
            return kind, np.where(idx.isna(), 0, ns)
    except (ValueError, OverflowError):  # beyond the ns range (e.g. year 2300): classified cell by cell below
        pass
    # Text or Python objects (dates, datetimes): classify each distinct value once.
    codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=False)
    classified = [_classify(u) for u in uniques]
    u_kind = np.array([k for k, _ in classified], dtype=np.int8)
    u_key = np.array([v for _, v in classified], dtype=np.int64)
    return u_kind[codes], u_key[codes]


def _classify(cell: Any) -> tuple[int, int]:
    if isinstance(cell, (bool, int, float, np.number)) or cell is None:
        return _BAD, 0  # numbers are no timestamps (an int would silently read as ns since 1970)
    if isinstance(cell, str):
        cell = cell.strip()
        if not cell:
            return _BAD, 0
    elif not isinstance(cell, (dt.date, np.datetime64)):
        return _BAD, 0
    try:
        ts = pd.Timestamp(cell)
        if ts is pd.NaT:
            return _BAD, 0
        if ts.tzinfo is not None:
            return _AWARE, int(ts.tz_convert("UTC").as_unit("ns").value)
        ns = int(ts.as_unit("ns").value)
    except (ValueError, TypeError, OverflowError):
        return _BAD, 0
    return (_DATE if ns % _DAY_NS == 0 else _NAIVE_TIME), ns


def _ts_defect(cell: Any, kind: int) -> str:
    text = _short(str(cell).strip()) if cell is not None and not (isinstance(cell, float) and np.isnan(cell)) else ""
    if kind == _NAIVE_TIME:
        return (f"ts '{text}' has a time of day but no timezone (give a timezone, e.g. "
                f"{_zoned_example(cell)}, or write a bare date for daily bars)")
    what = "ts is empty" if not text else f"ts '{text}' is not a date or time"
    return f"{what} (write a session date, e.g. 2010-01-04, or a bar close with a timezone, e.g. {_EXAMPLE_TS})"


def _zoned_example(cell: Any) -> str:
    """The naive time as if meant in New York, as the user could write it."""
    try:
        ts = pd.Timestamp(str(cell).strip() if isinstance(cell, str) else cell)
        return ts.tz_localize(EXCHANGE_TZ, ambiguous=False, nonexistent="shift_forward").isoformat()
    except (ValueError, TypeError, OverflowError):
        return _EXAMPLE_TS


def _parse_scores(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, not-a-number flag, raw cells). No-view cells are NaN and not flagged."""
    cells = col.astype(object).to_numpy()
    if pd.api.types.is_bool_dtype(col.dtype):
        return np.full(len(col), np.nan), np.ones(len(col), dtype=bool), cells
    if pd.api.types.is_numeric_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(col), dtype=bool), cells
    text = col.astype(object).where(col.notna(), "").astype(str).str.strip()
    no_view = text.str.lower().isin(NO_VIEW_TOKENS).to_numpy()
    values = pd.to_numeric(text.mask(no_view), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return values, np.isnan(values) & ~no_view, cells


def _texts(col: pd.Series) -> np.ndarray:
    """Stripped strings; missing cells are ""."""
    return col.astype(object).where(col.notna(), "").astype(str).str.strip().to_numpy(dtype=object)


# --- mapping rows onto bars ----------------------------------------------------------------------------

def _grid(bars: Bars, daily: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(bar close ns, session date ns as naive midnight or None for intraday bars)."""
    close = np.asarray(bars.close_ts, dtype=np.int64)
    return close, _session_dates(close) if daily else None


def _session_dates(close_ns: np.ndarray) -> np.ndarray:
    local = pd.DatetimeIndex(pd.to_datetime(close_ns, utc=True)).tz_convert(EXCHANGE_TZ)
    return local.normalize().tz_localize(None).as_unit("ns").asi8


def _check_dates_allowed(table: SignalsTable, daily: bool, example_close: int | None) -> None:
    """A bare date names a session's bar, so with intraday bars it names none."""
    if daily:
        return
    dates = np.flatnonzero(table.kind == _DATE)
    if dates.size:
        i = int(dates[0])
        example = _iso(example_close) if example_close is not None else _EXAMPLE_TS
        raise table.error(i, f"ts {_ts_label(table, i)} is a date without a time, but the bars are intraday; "
                             f"give each row its bar's close with a timezone, e.g. {example}")


def _positions(table: SignalsTable, grid: tuple[np.ndarray, np.ndarray | None], bars: Bars,
               daily: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the bar it scores (or where it would fall) and its status -1 before, 0 on a bar, 1 after.
    A row inside the bars' range that is no bar close is an error naming the nearest one."""
    close, days = grid
    n = len(table)
    pos = np.zeros(n, dtype=np.int64)
    status = np.zeros(n, dtype=np.int8)
    if len(close) == 0:
        status[:] = 1
        return pos, status
    for kind, axis in ((_AWARE, close), (_DATE, days)):
        rows = np.flatnonzero(table.kind == kind)
        if axis is None or not rows.size:
            continue
        keys = table.key[rows]
        p = np.searchsorted(axis, keys)
        pos[rows] = np.minimum(p, len(axis) - 1)
        status[rows] = np.where(keys < axis[0], -1, np.where(keys > axis[-1], 1, 0))
        exact = (p < len(axis)) & (axis[np.minimum(p, len(axis) - 1)] == keys)
        off = rows[(status[rows] == 0) & ~exact]
        if off.size:
            i = int(off[0])
            j = int(np.searchsorted(axis, table.key[i]))
            raise _off_grid(table, i, axis[j - 1: j + 1], close[j - 1: j + 1], daily)
    return pos, status


def _off_grid(table: SignalsTable, i: int, between: np.ndarray, closes: np.ndarray, daily: bool) -> DataError:
    """Row i falls strictly between two bars, whose keys on the row's axis are `between`."""
    nearer = 0 if table.key[i] - between[0] <= between[1] - table.key[i] else 1
    if table.kind[i] == _DATE:
        return table.error(i, f"ts {_ts_label(table, i)} is not a session of the bars (nearest: "
                              f"{_bar_label(int(closes[nearer]), daily)}); correct the date or remove the row")
    nearest = _iso(int(closes[nearer])) + (f" (session {_bar_label(int(closes[nearer]), True)})" if daily else "")
    ts, hint = _ts_label(table, i), "use the bar's close time or remove the row"
    if daily and table.key[i] % _DAY_NS == 0:  # a session date stored as UTC midnight
        utc = pd.Timestamp(int(table.key[i]), tz="UTC")
        ts, hint = utc.isoformat(), f"for daily bars write the session date without a time, e.g. {utc:%Y-%m-%d}"
    return table.error(i, f"ts {ts} is not a bar close (nearest bar close: {nearest}); {hint}")


def _live_row(table: SignalsTable, close: int, prev: int | None, daily: bool, symbols: tuple[str, ...],
              rank: bool) -> tuple[np.ndarray, str] | None:
    """The bar closing at `close`: its (N,) row and model version, checked like the batch rows, or
    None when the file holds no row for it yet and nothing newer. `prev` is the previous bar's close."""
    closes = np.array([close] if prev is None else [prev, close], dtype=np.int64)
    days = _session_dates(closes) if daily else None
    _check_dates_allowed(table, daily, close)
    on_bar = np.zeros(len(table), dtype=bool)
    newer = np.zeros(len(table), dtype=bool)
    for kind, axis in ((_AWARE, closes), (_DATE, days)):
        if axis is None:
            continue
        rows = table.kind == kind
        on_bar |= rows & (table.key == axis[-1])
        newer |= rows & (table.key > axis[-1])
        if len(axis) == 2:  # rows between the previous bar and this one are batch errors, too
            between = np.flatnonzero(rows & (table.key > axis[0]) & (table.key < axis[1]))
            if between.size:
                raise _off_grid(table, int(between[0]), axis, closes, daily)
    idx = np.flatnonzero(on_bar)
    if not idx.size:
        if newer.any():  # the file moved past this bar without scoring it: a gap, as in the batch run
            return np.full(len(symbols), np.nan), ""
        return None
    scores, versions = _fill(table, idx, np.zeros(idx.size, dtype=np.int64), 1, symbols, rank,
                             lambda _: _bar_label(close, daily))
    return scores[0], str(versions[0])


def _fill(table: SignalsTable, idx: np.ndarray, pos: np.ndarray, n_bars: int, symbols: tuple[str, ...], rank: bool,
          bar_label: Callable[[int], str]) -> tuple[np.ndarray, np.ndarray]:
    """Check rows `idx` (file order) that score bars `pos`, and lay them out as (n_bars, N) scores and
    (n_bars,) model versions. Batch and live both come through here, so their rows agree to the bit."""
    col = pd.Index(symbols).get_indexer(pd.Index(table.symbol[idx], dtype=object))
    unknown = np.flatnonzero(col < 0)
    if unknown.size:
        i = int(idx[unknown[0]])
        raise table.error(i, _unknown_symbol(str(table.symbol[i]), symbols))
    score = table.score[idx]
    bad = np.flatnonzero(table.score_bad[idx] | np.isinf(score))
    if bad.size:
        i = int(idx[bad[0]])
        if table.score_bad[i]:
            raise table.error(i, f"score '{_short(str(table.score_cell[i]))}' is not a number (write a number, "
                                 "or leave the cell empty for no view)")
        raise table.error(i, f"score {table.score[i]:g} is infinite (write a finite number, or leave the cell "
                             "empty for no view)")
    if not rank:
        outside = np.flatnonzero(np.abs(score) > 1.0)  # NaN compares False: no view is fine
        if outside.size:
            i = int(idx[outside[0]])
            raise table.error(i, f"score {table.score[i]:g} is outside [-1, 1] (scale the scores into [-1, 1], "
                                 "or set rank: true to rank raw predictions across the symbols of each bar)")
    n = len(symbols)
    cell = pos * n + col
    dup = pd.Series(cell).duplicated(keep="first").to_numpy()
    if dup.any():
        k = int(np.argmax(dup))
        first = int(np.argmax(cell == cell[k]))
        raise table.error(int(idx[k]), f"two scores for {symbols[col[k]]} on {bar_label(int(pos[k]))} "
                                       "(keep one row per ts and symbol)", int(idx[first]))
    version = table.version[idx]
    bars_hit, first_of_bar, inverse = np.unique(pos, return_index=True, return_inverse=True)
    expected = version[first_of_bar][inverse]
    mismatch = np.flatnonzero(version != expected)
    if mismatch.size:
        k = int(mismatch[0])
        first = int(first_of_bar[inverse[k]])
        raise table.error(int(idx[k]), f"model_version '{_short(str(version[first]))}' and "
                                       f"'{_short(str(version[k]))}' on the same bar {bar_label(int(pos[k]))} "
                                       "(one model version per bar)", int(idx[first]))
    scores = np.full((n_bars, n), np.nan)
    scores[pos, col] = score
    if rank:
        scores = cross_sectional_rank(scores)
    versions = np.full(n_bars, "", dtype=object)
    versions[bars_hit] = version[first_of_bar]
    return scores, versions


def _unknown_symbol(symbol: str, symbols: tuple[str, ...]) -> str:
    if not symbol:
        return "symbol is empty (fill it in or remove the row)"
    close = [s for s in symbols if s.lower() == symbol.lower()] or difflib.get_close_matches(symbol, symbols, n=3)
    if close:
        hint = f"did you mean {' or '.join(close)}?"
    elif len(symbols) <= 8:
        hint = f"the bars have {', '.join(symbols)}"
    else:
        hint = f"not one of the bars' {len(symbols)} symbols"
    return (f"symbol '{_short(symbol, 30)}' is not in the bars' universe ({hint}); correct the symbol, add it "
            "to the universe, or remove the row")


# --- notes ---------------------------------------------------------------------------------------------

def _notes(table: SignalsTable, bars: Bars, daily: bool, idx: np.ndarray, pos: np.ndarray,
           status: np.ndarray) -> tuple[str, ...]:
    label, notes = table.label, []
    if not bars.n_bars:
        return (f"{label}: no bars to score; all {_count(len(table), 'row')} ignored",)
    for side, where in ((-1, f"before the first bar {_bar_label(int(bars.close_ts[0]), daily)}"),
                        (1, f"after the last bar {_bar_label(int(bars.close_ts[-1]), daily)}")):
        rows = np.flatnonzero(status == side)
        if rows.size:
            lo, hi = _span(table, rows)
            notes.append(f"{label}: {_count(rows.size, 'row')} {where} ignored (ts {lo}"
                         f"{'' if lo == hi else ' to ' + hi})")
    present = np.zeros((bars.n_bars, bars.n_symbols), dtype=bool)
    present[pos[idx], pd.Index(bars.symbols).get_indexer(pd.Index(table.symbol[idx], dtype=object))] = True
    missing = ~present
    if missing.any():
        gap_bars = np.flatnonzero(missing.any(axis=1))
        empty_bars = int(missing.all(axis=1).sum())
        first_ts, last_ts = _span(table, np.arange(len(table)))
        first_bar = int(np.min(np.where(status == -1, 0, np.where(status == 1, bars.n_bars, pos))))
        last_bar = int(np.max(np.where(status == -1, -1, np.where(status == 1, bars.n_bars, pos))))
        before, after = first_bar, bars.n_bars - 1 - last_bar
        parts = [f"{label}: no score for {missing.sum()} of {missing.size} symbol-bars (no view, NaN) on "
                 f"{_count(gap_bars.size, 'bar')} from {_bar_label(int(bars.close_ts[gap_bars[0]]), daily)} to "
                 f"{_bar_label(int(bars.close_ts[gap_bars[-1]]), daily)}",
                 f"{_count(empty_bars, 'bar')} without any score"]
        if before > 0:
            parts.append(f"{_count(before, 'bar')} before the file's first ts {first_ts}")
        if after > 0:
            parts.append(f"{_count(after, 'bar')} after its last ts {last_ts}")
        notes.append("; ".join(parts))
    nan_rows = idx[np.isnan(table.score[idx])]
    if nan_rows.size:
        shown = ", ".join(table.where(int(i)).removeprefix("row ") for i in nan_rows[:3])
        more = ", ..." if nan_rows.size > 3 else ""
        notes.append(f"{label}: {_count(nan_rows.size, 'row')} with a NaN or empty score (no view for that "
                     f"symbol on that bar): {'rows' if nan_rows.size > 1 else 'row'} {shown}{more}")
    return tuple(notes)


def _span(table: SignalsTable, rows: np.ndarray) -> tuple[str, str]:
    """The earliest and latest ts among `rows`, as labels."""
    order = _local_order(table, rows)
    return _ts_label(table, int(rows[order[0]])), _ts_label(table, int(rows[order[-1]]))


def _local_order(table: SignalsTable, rows: np.ndarray) -> np.ndarray:
    # Dates and instants on one axis: an instant by its New York wall time, a date as its 16:00 close.
    keys = table.key[rows].copy()
    aware = table.kind[rows] == _AWARE
    if aware.any():
        local = pd.DatetimeIndex(pd.to_datetime(keys[aware], utc=True)).tz_convert(EXCHANGE_TZ).tz_localize(None)
        keys[aware] = local.as_unit("ns").asi8
    keys[~aware] += 16 * 3_600 * 1_000_000_000
    return np.argsort(keys, kind="stable")


def _newest_label(table: SignalsTable) -> str:
    rows = np.arange(len(table))
    return _ts_label(table, int(rows[_local_order(table, rows)[-1]]))


# --- labels --------------------------------------------------------------------------------------------

def _ts_label(table: SignalsTable, i: int) -> str:
    if table.kind[i] == _DATE:
        return pd.Timestamp(int(table.key[i])).strftime("%Y-%m-%d")
    return _iso(int(table.key[i]))


def _iso(ns: int) -> str:
    return pd.Timestamp(ns, tz="UTC").tz_convert(EXCHANGE_TZ).isoformat()


def _bar_label(close_ns: int, daily: bool) -> str:
    """A bar as users name it: its session date (daily) or its close in New York time (intraday)."""
    local = pd.Timestamp(close_ns, tz="UTC").tz_convert(EXCHANGE_TZ)
    return local.strftime("%Y-%m-%d") if daily else local.isoformat()


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _short(text: str, limit: int = 60) -> str:
    """One printable line of at most `limit` characters: no control or binary bytes in a message."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in " ".join(text.split()))
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."
