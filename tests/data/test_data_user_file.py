"""A user's bad file or settings get one clear line naming the file, row or key and the fix."""

from __future__ import annotations

import pandas as pd
import pytest

from data_helpers import csv_config, write_csv
from parity.engine.config.schema import DataConfig
from parity.engine.data import DataError, load_bars, load_bars_with_report

GOOD = ["2024-07-01,AAA,10,11,9,10,100", "2024-07-02,AAA,10,11,9,10,100"]


def test_missing_file(tmp_path) -> None:
    with pytest.raises(DataError, match=r"data.path: file not found: .*nope.csv \(set data.path to an existing"):
        load_bars(csv_config(tmp_path / "nope.csv"))


def test_missing_column(tmp_path) -> None:
    path = write_csv(tmp_path, ["2024-07-01,AAA,10,11,9,10"], header="Date,Symbol,Open,High,Low,Close")
    with pytest.raises(DataError, match=r"bars.csv: missing column 'volume' \(need date\|timestamp, symbol"):
        load_bars(csv_config(path))


def test_columns_are_case_insensitive_and_extra_ones_ignored(tmp_path) -> None:
    path = write_csv(tmp_path, [r + ",x" for r in GOOD], header="DATE,Symbol,OPEN,High,low,Close,Volume,Note")
    assert load_bars(csv_config(path)).close.tolist() == [[10.0], [10.0]]


def test_non_numeric_cell_names_its_row(tmp_path) -> None:
    path = write_csv(tmp_path, [*GOOD, "2024-07-03,AAA,10,11,9,abc,100"])  # line 4 (header is line 1)
    with pytest.raises(DataError, match=r"bars.csv row 4: close 'abc' is not a number$"):
        load_bars(csv_config(path))


def test_empty_cell_names_its_row(tmp_path) -> None:
    path = write_csv(tmp_path, ["2024-07-01,AAA,10,11,9,10,"])
    with pytest.raises(DataError, match=r"bars.csv row 2: volume is empty"):
        load_bars(csv_config(path))


def test_bad_date_names_its_row(tmp_path) -> None:
    path = write_csv(tmp_path, [*GOOD, "July the 4th,AAA,10,11,9,10,100"])
    with pytest.raises(DataError, match=r"bars.csv row 4: date 'July the 4th' is not a date"):
        load_bars(csv_config(path))


def test_date_that_is_not_a_session(tmp_path) -> None:
    path = write_csv(tmp_path, ["2024-07-06,AAA,10,11,9,10,100"])  # a Saturday
    with pytest.raises(DataError, match=r"bars.csv row 2: 2024-07-06 is not a session of the XNYS calendar"):
        load_bars(csv_config(path))


def test_negative_volume(tmp_path) -> None:
    path = write_csv(tmp_path, ["2024-07-01,AAA,10,11,9,10,-5"])
    with pytest.raises(DataError, match=r"row 2: volume -5 is negative"):
        load_bars(csv_config(path))


def test_window_errors(tmp_path) -> None:
    path = write_csv(tmp_path, GOOD)
    with pytest.raises(DataError, match=r"data.start: 'soon' is not a date \(use YYYY-MM-DD\)"):
        load_bars(csv_config(path, start="soon"))
    with pytest.raises(DataError, match=r"data.end 2024-06-01 is before data.start 2024-07-01"):
        load_bars(csv_config(path, start="2024-07-01", end="2024-06-01"))
    with pytest.raises(DataError, match=r"no bars between 2025-01-02 and the end"):
        load_bars(csv_config(path, start="2025-01-02"))


def test_parquet_source(tmp_path) -> None:
    frame = pd.DataFrame({"timestamp": pd.to_datetime(["2024-07-01", "2024-07-02"]), "symbol": ["AAA", "AAA"],
                          "open": [10.0, 10.5], "high": [11.0, 11.0], "low": [9.0, 10.0], "close": [10.5, 10.8],
                          "volume": [100, 200]})
    path = tmp_path / "bars.parquet"
    frame.to_parquet(path)
    bars = load_bars(DataConfig(source="parquet", path=path, universe=tmp_path / "none.csv"))
    assert bars.close[:, 0].tolist() == [10.5, 10.8] and bars.volume[:, 0].tolist() == [100.0, 200.0]
    frame.loc[1, "close"] = None
    frame.to_parquet(path)
    with pytest.raises(DataError, match=r"bars.parquet row 2: close is empty"):
        load_bars(DataConfig(source="parquet", path=path, universe=tmp_path / "none.csv"))


def test_alpaca_source_reads_the_cache_of_the_configured_feed(tmp_path) -> None:
    # load_bars dispatches to the parquet cache `parity data download` fills; the feed picks the file.
    (tmp_path / "universe.csv").write_text("symbol,sector\nAAA,Energy\n")
    cfg = DataConfig(source="alpaca", cache_dir=tmp_path / "cache", universe=tmp_path / "universe.csv")
    for feed in ("iex", "sip"):
        with pytest.raises(DataError, match=rf"{feed}.*no Alpaca bars cached yet .*parity data download"):
            load_bars(cfg, tmp_path, feed=feed)


def test_relative_paths_resolve_against_base_dir(tmp_path) -> None:
    write_csv(tmp_path, GOOD)
    cfg = DataConfig(source="csv", path="bars.csv", universe="none.csv")
    assert load_bars(cfg, base_dir=tmp_path).n_bars == 2
    with pytest.raises(DataError, match="file not found"):
        load_bars(cfg, base_dir=tmp_path / "elsewhere")


def test_bad_universe_file(tmp_path) -> None:
    universe = tmp_path / "u.csv"
    universe.write_text("ticker,sector\nAAA,Energy\n")
    cfg = csv_config(write_csv(tmp_path, GOOD)).model_copy(update={"universe": universe})
    with pytest.raises(DataError, match=r"u.csv: missing column 'symbol'"):
        load_bars_with_report(cfg)
