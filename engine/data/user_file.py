"""A user's own bars from a long-format CSV or parquet file, into the pipeline's table.

Columns (any case, any order; others are ignored): date or timestamp, symbol, open, high, low,
close, volume (in shares). For daily data, `date` is the session date. For intraday data the
timestamp is the bar's open time; a timestamp without a zone is read as exchange local time
(America/New_York for XNYS). Every cell is checked: a bad one is an error naming its row, which for
a CSV is the line number in the file (the header is line 1) and for parquet the 1-based data row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from parity.engine.data.errors import DataError
from parity.engine.data.pipeline import FIELDS

TIME_COLUMNS = ("date", "timestamp")
REQUIRED = ("symbol", *FIELDS)
EXPECTED = "date|timestamp, symbol, open, high, low, close, volume"


def read_user_file(path: Path, kind: str, timeframe: str, tz: str) -> pd.DataFrame:
    """Long table in the pipeline's contract from a CSV (`kind` "csv") or parquet file."""
    if not path.is_file():
        raise DataError(f"data.path: file not found: {path} (set data.path to an existing CSV or parquet file)")
    raw, first_row = _read(path, kind)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    if raw.columns.duplicated().any():
        dup = raw.columns[raw.columns.duplicated()][0]
        raise DataError(f"{path}: column '{dup}' appears twice (column names are case-insensitive)")
    time_col = next((c for c in TIME_COLUMNS if c in raw.columns), None)
    for col in (time_col or "date", *REQUIRED):
        if col not in raw.columns:
            raise DataError(f"{path}: missing column '{col}' (need {EXPECTED}; found: {', '.join(raw.columns)})")
    if raw.empty:
        raise DataError(f"{path}: no data rows (need {EXPECTED})")
    rows = np.arange(len(raw)) + first_row
    frame = pd.DataFrame({"symbol": _symbols(raw["symbol"], rows, path)})
    frame["ts"] = _times(raw[time_col], rows, path, time_col, timeframe, tz)
    for col in FIELDS:
        frame[col] = _numbers(raw[col], rows, path, col)
    negative = frame["volume"] < 0
    if negative.any():
        i = int(np.argmax(negative.to_numpy()))
        raise DataError(f"{path} row {rows[i]}: volume {frame['volume'].iloc[i]:g} is negative (volume is in shares)")
    frame["row"] = rows
    return frame


def _read(path: Path, kind: str) -> tuple[pd.DataFrame, int]:
    """The raw table and the row number of its first data row."""
    try:
        if kind == "parquet":
            return pd.read_parquet(path), 1
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True), 2
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot read as {kind} ({first_line}); check data.source and the file") from None


def _symbols(col: pd.Series, rows: np.ndarray, path: Path) -> pd.Series:
    symbols = col.astype("string").str.strip().fillna("")
    empty = (symbols == "").to_numpy()
    if empty.any():
        raise DataError(f"{path} row {rows[int(np.argmax(empty))]}: symbol is empty (fill it in or delete the row)")
    return symbols.astype(str)


def _numbers(col: pd.Series, rows: np.ndarray, path: Path, name: str) -> np.ndarray:
    values = pd.to_numeric(col, errors="coerce").to_numpy(np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        cell = col.iloc[i]
        if cell is None or (isinstance(cell, float) and np.isnan(cell)) or str(cell).strip() == "":
            raise DataError(f"{path} row {rows[i]}: {name} is empty (every bar needs {EXPECTED})")
        raise DataError(f"{path} row {rows[i]}: {name} '{cell}' is not a number")
    return values


def _times(col: pd.Series, rows: np.ndarray, path: Path, name: str, timeframe: str, tz: str) -> pd.Series:
    textual = pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col)
    try:
        parsed = pd.to_datetime(col, errors="coerce", format="mixed") if textual else pd.to_datetime(col, errors="coerce")
    except (ValueError, TypeError) as exc:  # e.g. mixed time zones in one column
        raise DataError(f"{path}: column {name} cannot be read as times ({exc}); use one format and zone") from None
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{path} row {rows[i]}: {name} '{col.iloc[i]}' is not a date or time (use YYYY-MM-DD, "
                        f"or YYYY-MM-DD HH:MM for intraday bars)")
    if parsed.dt.tz is None:
        parsed = parsed.dt.tz_localize(tz) if timeframe != "1Day" else parsed
    elif timeframe == "1Day":
        parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
    if timeframe == "1Day":
        parsed = parsed.dt.normalize()
    return parsed
