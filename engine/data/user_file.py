"""A user's own bars from a long-format CSV or parquet file, into the pipeline's table.

Columns (any case, any order; others are ignored): date or timestamp, symbol, open, high, low,
close, volume (in shares). Every cell is checked: a bad one is an error naming its row, which for
a CSV is the line number in the file (the header is line 1) and for parquet the 1-based data row.

Dates and times are read one way only, never guessed:
- text must be ISO 8601: `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (or with a `T`) with an
  optional zone (`Z`, `+00:00`, `-04:00`); dd/mm/yyyy, mm/dd/yyyy and every other form are errors
  that quote the cell as written. Parquet may also hold a datetime column (numbers are an error).
- For daily data the session is the date written; a time with a zone is read in exchange time
  (a bar's open, its close or Alpaca's 04:00Z stamp all name that session). A time at midnight in
  its own zone that is not midnight in exchange time (typically 00:00 UTC, what
  `pd.to_datetime(dates, utc=True)` writes) is a date stored as a timestamp: it is read as that
  day's session, with a note. Reading it in exchange time would move every bar to the evening
  before (20:00 New York), which is never a session, so the date is the only sensible reading.
- For intraday data the time is the bar's open; a time without a zone is exchange local time
  (America/New_York for XNYS), with a note. One column cannot mix times with and without a zone.

Symbols are case-sensitive and kept as written: `aapl` and `AAPL` in one file are an error.

The universe (`apply_universe`): with data.universe set, it selects the symbols that trade and gives
their sectors: file symbols not in it are left out (one note names them), a universe symbol with
no rows in the file is an error, and a universe file that does not exist is an error. With
data.universe unset, every symbol of the file trades with sector "Unknown", and a note says so
(the sector cap then treats them all as one sector).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from parity.engine.data.errors import DataError
from parity.engine.data.pipeline import FIELDS, UNKNOWN_SECTOR
from parity.engine.data.universe import read_universe

TIME_COLUMNS = ("date", "timestamp")
REQUIRED = ("symbol", *FIELDS)
EXPECTED = "date|timestamp, symbol, open, high, low, close, volume"
ACCEPTED_TIMES = ("accepted: YYYY-MM-DD, or YYYY-MM-DD HH:MM[:SS] with a zone such as Z or -04:00 (without one: "
                  "exchange time); dd/mm/yyyy and mm/dd/yyyy are ambiguous: rewrite them as YYYY-MM-DD")
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?")
MAX_NAMED = 10  # symbols spelled out in a note
YEARS = (1800, 2200)  # dates outside are typos (and beyond what nanosecond timestamps can hold)


def read_user_file(path: Path, kind: str, timeframe: str, tz: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Long table in the pipeline's contract from a CSV (`kind` "csv") or parquet file, and the notes
    on what was read in a way the user may not expect."""
    if path.is_dir():
        raise DataError(f"data.path: {path.absolute()} is a directory, not a file (set data.path to a CSV or "
                        f"parquet file)")
    if not path.is_file():
        raise DataError(f"data.path: file not found: {path.absolute()} (set data.path to an existing CSV or "
                        f"parquet file)")
    raw, first_row = _read(path, kind)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    if raw.columns.duplicated().any():
        dup = raw.columns[raw.columns.duplicated()][0]
        raise DataError(f"{path}: column {_cell(dup)} appears twice (column names are case-insensitive)")
    time_col = next((c for c in TIME_COLUMNS if c in raw.columns), None)
    for col in (time_col or "date", *REQUIRED):
        if col not in raw.columns:
            found = ", ".join(_cell(c)[1:-1] for c in raw.columns[:20])
            raise DataError(f"{path}: missing column '{col}' (need {EXPECTED}; found: {found})")
    if raw.empty:
        raise DataError(f"{path}: no data rows (need {EXPECTED})")
    rows = np.arange(len(raw)) + first_row
    frame = pd.DataFrame({"symbol": _symbols(raw["symbol"], rows, path)})
    frame["ts"], notes = _times(raw[time_col], rows, path, time_col, timeframe, tz)
    for col in FIELDS:
        frame[col] = _numbers(raw[col], rows, path, col)
    negative = frame["volume"] < 0
    if negative.any():
        i = int(np.argmax(negative.to_numpy()))
        raise DataError(f"{path} row {rows[i]}: volume {frame['volume'].iloc[i]:g} is negative (volume is in shares)")
    frame["row"] = rows
    return frame, notes


def apply_universe(frame: pd.DataFrame, path: Path, universe: Path | None
                   ) -> tuple[pd.DataFrame, list[str], dict[str, str], tuple[str, ...]]:
    """(rows of the symbols that trade, those symbols in order, their sectors, notes); see the module
    docstring for the rules. `universe` is the resolved data.universe, or None when it is not set."""
    in_file = sorted(frame["symbol"].unique())
    if universe is None:
        note = (f"{path}: data.universe not set: all {_count(len(in_file), 'symbol')} of the file trade, each with "
                f"sector {UNKNOWN_SECTOR} (the sector cap then treats them as one sector; set data.universe to a "
                f"symbol,sector CSV to choose symbols and sectors)")
        return frame, in_file, {}, (note,)
    sectors = read_universe(universe)
    notes = []
    present = set(in_file)
    for symbol in sectors:
        if symbol not in present:
            other = [s for s in in_file if s.upper() == symbol.upper()]
            hint = f" (the file has {_cell(other[0])}: symbols are case-sensitive)" if other else ""
            raise DataError(f"{path}: no rows for {_cell(symbol)[1:-1]}, listed in data.universe ({universe}) (add its bars to "
                            f"the file or remove it from the universe){hint}")
    dropped = [s for s in in_file if s not in sectors]
    if dropped:
        notes.append(f"{path}: {_count(len(dropped), 'symbol')} not in data.universe ({universe}) "
                     f"left out: {_first_few(dropped)}")
    unknown = [s for s, sector in sectors.items() if sector == UNKNOWN_SECTOR]
    if unknown:
        notes.append(f"{universe}: {_count(len(unknown), 'symbol')} with sector {UNKNOWN_SECTOR} "
                     f"(the sector cap treats them as one sector): {_first_few(unknown)}")
    return frame[frame["symbol"].isin(list(sectors))], list(sectors), sectors, tuple(notes)


def iso_time_text(text: str) -> bool:
    """Whether `text` has one of the accepted ISO forms (see the module docstring)."""
    return _ISO.fullmatch(text) is not None


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _first_few(names: list[str]) -> str:
    more = len(names) - MAX_NAMED
    return ", ".join(names[:MAX_NAMED]) + (f" and {more} more" if more > 0 else "")


def _read(path: Path, kind: str) -> tuple[pd.DataFrame, int]:
    """The raw table and the row number of its first data row."""
    _check_content(path, kind)
    try:
        if kind == "parquet":
            return pd.read_parquet(path), 1
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True), 2
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, ValueError) as exc:
        first_line = _printable(str(exc).strip().splitlines()[0]) if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot read as {kind} ({first_line}); check data.source and the file") from None


def _check_content(path: Path, kind: str) -> None:
    """A file whose bytes do not fit `kind` is named in one clean line, with what it looks like."""
    try:
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({_printable(exc.strerror or str(exc))}); check its permissions"
                        ) from None
    parquet = head.startswith(b"PAR1")
    if kind == "parquet":
        if not parquet and head and b"\0" not in head:
            raise DataError(f"{path}: not a parquet file (it looks like text: for a CSV set data.source: csv)")
        return
    if parquet:
        raise DataError(f"{path}: this is a parquet file, not CSV text (rename it to {path.stem}.parquet and set "
                        f"data.source: parquet)")
    if head.startswith(b"\x1f\x8b") and path.suffix != ".gz":
        raise DataError(f"{path}: this file is gzip-compressed: name it {path.name}.gz (read as compressed CSV)")
    if head.startswith(b"PK\x03\x04") and path.suffix != ".zip":
        raise DataError(f"{path}: this is a zip or Excel file: export the sheet as CSV (or name a zipped CSV .zip)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path}: this is UTF-16 text: save it as CSV in UTF-8")
    if b"\0" in head and not head.startswith((b"\x1f\x8b", b"PK\x03\x04")):
        raise DataError(f"{path}: the file is binary, not CSV text: export it as CSV (or, for parquet, set "
                        f"data.source: parquet)")


def _cell(value: object, limit: int = 60) -> str:
    """A cell's text as written, quoted, for one line: control characters escaped, long text cut."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(value))
    return "'" + (text if len(text) <= limit else text[:limit] + "...") + "'"


def _printable(text: str, limit: int = 200) -> str:
    clean = "".join(ch if ch.isprintable() else " " for ch in text)
    return re.sub(r"\s+", " ", clean).strip()[:limit]


def _symbols(col: pd.Series, rows: np.ndarray, path: Path) -> pd.Series:
    symbols = col.astype("string").str.strip().fillna("")
    empty = (symbols == "").to_numpy()
    if empty.any():
        raise DataError(f"{path} row {rows[int(np.argmax(empty))]}: symbol is empty (fill it in or delete the row)")
    _reject_case_twins(symbols.to_numpy(dtype=object), rows, path)
    return symbols.astype(str)


def _reject_case_twins(symbols: np.ndarray, rows: np.ndarray, path: Path) -> None:
    """Two spellings of one symbol in different case (aapl, AAPL) are an error naming a row of each."""
    seen: dict[str, str] = {}
    for sym in pd.unique(symbols):  # in order of first appearance
        twin = seen.setdefault(sym.upper(), sym)
        if twin != sym:
            i, j = int(np.argmax(symbols == twin)), int(np.argmax(symbols == sym))
            raise DataError(f"{path} rows {rows[i]} and {rows[j]}: symbols {_cell(twin)} and {_cell(sym)} differ only "
                            f"by case (write each symbol one way; symbols are case-sensitive)")


def _numbers(col: pd.Series, rows: np.ndarray, path: Path, name: str) -> np.ndarray:
    values = pd.to_numeric(col, errors="coerce").to_numpy(np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        cell = col.iloc[i]
        if cell is None or (isinstance(cell, float) and np.isnan(cell)) or str(cell).strip() == "":
            raise DataError(f"{path} row {rows[i]}: {name} is empty (every bar needs {EXPECTED})")
        raise DataError(f"{path} row {rows[i]}: {name} {_cell(cell)} is not a number")
    return values


def _times(col: pd.Series, rows: np.ndarray, path: Path, name: str, timeframe: str,
           tz: str) -> tuple[pd.Series, tuple[str, ...]]:
    """Bar times in the pipeline's contract (daily: tz-naive session dates; intraday: tz-aware opens)."""
    local, aware, text = _parse_times(col, rows, path, name, tz)
    far = ((local.dt.year < YEARS[0]) | (local.dt.year > YEARS[1])).to_numpy()
    if far.any():
        i = int(np.argmax(far))
        raise DataError(f"{path} row {rows[i]}, column {name}: {_cell(text[i])} is outside the years {YEARS[0]}-"
                        f"{YEARS[1]} (correct the date)")
    if timeframe != "1Day":
        if aware is not None:
            return aware, ()
        note = f"{path}: times in column {name} have no zone: read as {tz} (exchange) time"
        return _in_zone(local, tz, text, rows, path, name).dt.tz_convert(tz), (note,)
    if aware is None:
        return local.dt.normalize(), ()
    own_day = local.dt.normalize()
    exchange_day = aware.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    as_date = ((local == own_day) & (own_day != exchange_day)).to_numpy()
    notes = ()
    if as_date.any():
        i = int(np.argmax(as_date))
        notes = (f"{path}: {int(as_date.sum())} times in column {name} are midnight in their own zone (first: row "
                 f"{rows[i]} {_cell(text[i])}), read as that day's session (a date stored as a timestamp), not as the "
                 f"evening before in {tz}",)
    return pd.Series(np.where(as_date, own_day, exchange_day), index=col.index).astype(own_day.dtype), notes


def _parse_times(col: pd.Series, rows: np.ndarray, path: Path, name: str, tz: str
                 ) -> tuple[pd.Series, pd.Series | None, list[str]]:
    """(wall-clock time as written, tz-naive; the UTC time if the times have zones, else None; each cell's
    text as written)."""
    if pd.api.types.is_datetime64_any_dtype(col):
        text = [str(v) for v in col]
        bad = col.isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(f"{path} row {rows[i]}, column {name}: empty (every bar needs a date or time)")
        if col.dt.tz is None:
            return col, None, text
        return col.dt.tz_localize(None), col.dt.tz_convert("UTC"), text
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        raise DataError(f"{path}: column {name} holds numbers ({col.dtype}), not dates ({ACCEPTED_TIMES})")
    text = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip() for v in col]
    empty = [i for i, t in enumerate(text) if not t]
    if empty:
        raise DataError(f"{path} row {rows[empty[0]]}, column {name}: empty (every bar needs a date or time)")
    matches = [_ISO.fullmatch(t) for t in text]
    for i, m in enumerate(matches):
        if m is None:
            raise DataError(f"{path} row {rows[i]}, column {name}: {_cell(text[i])} is not an ISO date or time "
                            f"({ACCEPTED_TIMES})")
    zoned = np.array([m.group(3) is not None for m in matches])
    naive_time = np.array([m.group(2) is not None and m.group(3) is None for m in matches])
    if zoned.any() and naive_time.any():
        i, j = int(np.argmax(zoned)), int(np.argmax(naive_time))
        raise DataError(f"{path} row {rows[i]}, column {name}: {_cell(text[i])} has a zone, row {rows[j]} "
                        f"{_cell(text[j])} has none (write every time with its zone, or none)")
    wall = pd.Series([m.group(1) + (" " + m.group(2) if m.group(2) else "") for m in matches], index=col.index)
    local = pd.to_datetime(wall, format="ISO8601", errors="coerce")
    _reject_unparsed(local.isna().to_numpy(), text, rows, path, name)
    if not zoned.any():
        return local, None, text
    aware = pd.to_datetime(pd.Series(np.where(zoned, text, None), index=col.index), format="ISO8601", utc=True,
                           errors="coerce")
    _reject_unparsed(aware.isna().to_numpy() & zoned, text, rows, path, name)
    # a bare date among zoned times is that session's date: midnight in exchange time
    bare = pd.Series(~zoned, index=col.index)
    return local, aware.where(~bare, _in_zone(local.where(bare), tz, text, rows, path, name)), text


def _in_zone(local: pd.Series, tz: str, text: list[str], rows: np.ndarray, path: Path, name: str) -> pd.Series:
    """Wall-clock times in `tz`, as UTC (NaT stays NaT); a time that is not exactly one instant there (in a
    daylight-saving gap or repeat) is an error."""
    aware = local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    bad = (aware.isna() & local.notna()).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{path} row {rows[i]}, column {name}: {_cell(text[i])} is not one time in {tz} (a daylight-"
                        f"saving change; write the time with its zone)")
    return aware.dt.tz_convert("UTC")


def _reject_unparsed(bad: np.ndarray, text: list[str], rows: np.ndarray, path: Path, name: str) -> None:
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{path} row {rows[i]}, column {name}: {_cell(text[i])} is not an ISO date or time "
                        f"({ACCEPTED_TIMES})")
