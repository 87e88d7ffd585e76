"""Calendar alignment: missing sessions named and left out, per-symbol gaps NaN, bad dates rejected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_helpers import csv_config, write_csv
from parity.engine.data import DataError, load_bars_with_report

# XNYS sessions 2024-07-01..2024-07-09: 07-01, 07-02, 07-03 (early close 13:00 ET), 07-05, 07-08, 07-09
# (07-04 is a holiday). The file has no row at all on 07-05; BBB has no row on 07-08.
ROWS = [
    *(f"{d},AAA,10,11,9,10,100" for d in ("2024-07-01", "2024-07-02", "2024-07-03", "2024-07-08", "2024-07-09")),
    *(f"{d},BBB,20,21,19,20,200" for d in ("2024-07-01", "2024-07-02", "2024-07-03", "2024-07-09")),
]


def test_missing_session_is_named_and_left_out(tmp_path) -> None:
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, ROWS)))
    assert report.missing_sessions == ("2024-07-05",)
    assert any("2024-07-05" in n and "no data for any symbol" in n for n in bars.notes)
    closes = pd.to_datetime(bars.close_ts, utc=True).tz_convert("America/New_York")
    assert list(closes.strftime("%m-%d %H:%M")) == ["07-01 16:00", "07-02 16:00", "07-03 13:00",
                                                     "07-08 16:00", "07-09 16:00"]
    # ordinals keep the calendar's count: 07-03 -> 07-08 skips the missing 07-05 session
    assert list(np.diff(bars.session)) == [1, 1, 2, 1]


def test_symbol_missing_on_a_traded_session_is_nan(tmp_path) -> None:
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, ROWS)))
    b = bars.symbols.index("BBB")
    assert np.isnan(bars.close[3, b]) and np.isnan(bars.volume[3, b])  # 07-08
    assert bars.close[3, bars.symbols.index("AAA")] == 10.0
    assert report.symbol_gaps == (("BBB", 1, "2024-07-08"),)
    assert bars.sectors == ("Unknown", "Unknown")


def test_start_end_window(tmp_path) -> None:
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, ROWS), start="2024-07-02", end="2024-07-03"))
    assert bars.n_bars == 2 and report.missing_sessions == ()
    # a window starting on a session the file lacks reports it
    _, report = load_bars_with_report(csv_config(write_csv(tmp_path, ROWS), start="2024-06-28", end="2024-07-02"))
    assert report.missing_sessions == ("2024-06-28",)


def test_row_on_a_non_session_is_rejected_with_its_row(tmp_path) -> None:
    path = write_csv(tmp_path, [*ROWS, "2024-07-04,AAA,10,11,9,10,100"])  # Independence Day, line 11
    with pytest.raises(DataError, match=r"bars.csv row 11: 2024-07-04 is not a session of the XNYS calendar"):
        load_bars_with_report(csv_config(path))


def test_duplicate_bar_is_an_error(tmp_path) -> None:
    path = write_csv(tmp_path, [*ROWS, "2024-07-01,BBB,20,21,19,20,200"])  # same as line 7
    with pytest.raises(DataError, match=r"rows 7 and 11: two bars for BBB on 2024-07-01"):
        load_bars_with_report(csv_config(path))


def test_sectors_come_from_the_universe_file(tmp_path) -> None:
    universe = tmp_path / "universe.csv"
    universe.write_text("# comment\nsymbol,sector\nAAA,Energy\n")
    cfg = csv_config(write_csv(tmp_path, ROWS)).model_copy(update={"universe": universe})
    bars, _ = load_bars_with_report(cfg)
    # the universe selects what trades: BBB, not in it, is left out (and named in a note)
    assert bars.symbols == ("AAA",) and bars.sectors == ("Energy",)
    assert any("1 symbol not in data.universe" in n and n.endswith("left out: BBB") for n in bars.notes)


def test_intraday_file(tmp_path) -> None:
    # 1Min bars of 2024-07-03 (opens 09:30 ET = 13:30 UTC); naive times are exchange time.
    rows = ["2024-07-03 09:30,AAA,10,10.2,9.9,10.1,100", "2024-07-03 09:32,AAA,10.1,10.3,10,10.2,50",
            "2024-07-03 09:33,BBB,5,5,5,5,10"]
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, rows, header="timestamp,symbol,open,high,"
                                                                                        "low,close,volume"),
                                                    timeframe="1Min"))
    opens = pd.to_datetime(bars.open_ts, utc=True)
    assert list(opens.strftime("%H:%M")) == ["13:30", "13:32", "13:33"]
    assert ((bars.close_ts - bars.open_ts) == 60 * 10**9).all()
    # no symbol traded 09:31, nor 09:34..12:59 ET: the early-close session has 210 minutes, 3 present
    assert report.missing_bars[:2] == ("2024-07-03 13:31 UTC", "2024-07-03 13:34 UTC")
    assert len(report.missing_bars) == 210 - 3
    assert report.missing_sessions == ()
    aware = ["2024-07-03T13:30:00Z,AAA,10,10.2,9.9,10.1,100"]  # same bar, stamped in UTC
    bars, _ = load_bars_with_report(csv_config(write_csv(tmp_path, aware, header="timestamp,symbol,open,high,low,"
                                                                                 "close,volume"), timeframe="1Min"))
    assert pd.Timestamp(bars.open_ts[0], tz="UTC") == pd.Timestamp("2024-07-03 13:30", tz="UTC")
    off = ["2024-07-03 09:30:30,AAA,10,10.2,9.9,10.1,100"]
    with pytest.raises(DataError, match="row 2: 2024-07-03 13:30 UTC is not the open of a 1Min bar"):
        load_bars_with_report(csv_config(write_csv(tmp_path, off, header="timestamp,symbol,open,high,low,close,"
                                                                            "volume"), timeframe="1Min"))
