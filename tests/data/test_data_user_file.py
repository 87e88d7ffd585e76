"""A user's bad file or settings get one clear line naming the file, row or key and the fix."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    with pytest.raises(DataError, match=r"bars.csv row 4, column date: 'July the 4th' is not an ISO date or time"):
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
    # model_copy skips the schema's own checks of these keys: the loader checks them again
    path = write_csv(tmp_path, GOOD)
    with pytest.raises(DataError, match=r"data.start: 'soon' is not a date \(use YYYY-MM-DD\)"):
        load_bars(csv_config(path).model_copy(update={"start": "soon"}))
    with pytest.raises(DataError, match=r"data.end 2024-06-01 is before data.start 2024-07-01"):
        load_bars(csv_config(path).model_copy(update={"start": "2024-07-01", "end": "2024-06-01"}))
    with pytest.raises(DataError, match=r"no bars between 2025-01-02 and the end"):
        load_bars(csv_config(path, start="2025-01-02"))


def test_parquet_source(tmp_path) -> None:
    frame = pd.DataFrame({"timestamp": pd.to_datetime(["2024-07-01", "2024-07-02"]), "symbol": ["AAA", "AAA"],
                          "open": [10.0, 10.5], "high": [11.0, 11.0], "low": [9.0, 10.0], "close": [10.5, 10.8],
                          "volume": [100, 200]})
    path = tmp_path / "bars.parquet"
    frame.to_parquet(path)
    bars = load_bars(DataConfig(source="parquet", path=path))
    assert bars.close[:, 0].tolist() == [10.5, 10.8] and bars.volume[:, 0].tolist() == [100.0, 200.0]
    frame.loc[1, "close"] = None
    frame.to_parquet(path)
    with pytest.raises(DataError, match=r"bars.parquet row 2: close is empty"):
        load_bars(DataConfig(source="parquet", path=path))


def test_alpaca_source_reads_the_cache_of_the_configured_feed(tmp_path) -> None:
    # load_bars dispatches to the parquet cache `parity data download` fills; the feed picks the file.
    (tmp_path / "universe.csv").write_text("symbol,sector\nAAA,Energy\n")
    cfg = DataConfig(source="alpaca", cache_dir=tmp_path / "cache", universe=tmp_path / "universe.csv")
    for feed in ("iex", "sip"):
        with pytest.raises(DataError, match=rf"{feed}.*no Alpaca bars cached yet .*parity data download"):
            load_bars(cfg, tmp_path, feed=feed)


def test_relative_paths_resolve_against_base_dir(tmp_path) -> None:
    write_csv(tmp_path, GOOD)
    cfg = DataConfig(source="csv", path="bars.csv")
    assert load_bars(cfg, base_dir=tmp_path).n_bars == 2
    with pytest.raises(DataError, match="file not found"):
        load_bars(cfg, base_dir=tmp_path / "elsewhere")


def test_bad_universe_file(tmp_path) -> None:
    universe = tmp_path / "u.csv"
    universe.write_text("ticker,sector\nAAA,Energy\n")
    cfg = csv_config(write_csv(tmp_path, GOOD)).model_copy(update={"universe": universe})
    with pytest.raises(DataError, match=r"u.csv: missing column 'symbol'"):
        load_bars_with_report(cfg)


def test_symbols_differing_only_by_case_are_an_error_naming_both_rows(tmp_path) -> None:
    path = write_csv(tmp_path, [*GOOD, "2024-07-01,aaa,10,11,9,10,100"])  # lines 2, 3: AAA; line 4: aaa
    with pytest.raises(DataError, match=rf"^{path} rows 2 and 4: symbols 'AAA' and 'aaa' differ only by case "
                                        r"\(write each symbol one way; symbols are case-sensitive\)$"):
        load_bars(csv_config(path))


def test_a_directory_as_data_path_is_named_as_such(tmp_path) -> None:
    (tmp_path / "bars.csv").mkdir()
    with pytest.raises(DataError, match=rf"^data.path: {tmp_path / 'bars.csv'} is a directory, not a file "
                                        r"\(set data.path to a CSV or parquet file\)$"):
        load_bars(csv_config(tmp_path / "bars.csv"))


def test_missing_file_names_the_absolute_path(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError, match=rf"^data.path: file not found: {tmp_path / 'nope.csv'} "):
        load_bars(DataConfig(source="csv", path="nope.csv"))


def _one_clean_line(message: str) -> bool:
    return len(message) < 400 and all(ch.isprintable() for ch in message)


def test_parquet_bytes_in_a_csv_file(tmp_path) -> None:
    frame = pd.DataFrame({"date": ["2024-07-01"], "symbol": ["AAA"], "open": [10.0], "high": [11.0],
                          "low": [9.0], "close": [10.0], "volume": [100.0]})
    path = tmp_path / "bars.csv"
    frame.to_parquet(path)
    with pytest.raises(DataError) as caught:
        load_bars(csv_config(path))
    message = str(caught.value)
    assert _one_clean_line(message), repr(message)
    assert message == (f"{path}: this is a parquet file, not CSV text (rename it to bars.parquet and set "
                       f"data.source: parquet)")


@pytest.mark.parametrize("content,hint", [
    (b"\x1f\x8b\x08\x00" + bytes(range(256)), "gzip-compressed: name it bars.csv.gz"),
    (b"PK\x03\x04" + bytes(range(256)), "a zip or Excel file: export the sheet as CSV"),
    (b"date,symbol\x00\x00\x01\x02" + bytes(range(256)), "binary, not CSV text: export it as CSV"),
    ("date,symbol\n".encode("utf-16"), "UTF-16 text: save it as CSV in UTF-8"),
])
def test_other_binary_in_a_csv_file(tmp_path, content: bytes, hint: str) -> None:
    path = tmp_path / "bars.csv"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_bars(csv_config(path))
    message = str(caught.value)
    assert _one_clean_line(message), repr(message)
    assert message.startswith(f"{path}: ") and hint in message


def test_csv_text_as_parquet_source(tmp_path) -> None:
    path = write_csv(tmp_path, GOOD, name="bars.parquet")
    with pytest.raises(DataError) as caught:
        load_bars(DataConfig(source="parquet", path=path))
    message = str(caught.value)
    assert _one_clean_line(message), repr(message)
    assert message == f"{path}: not a parquet file (it looks like text: for a CSV set data.source: csv)"


def test_a_cell_with_control_characters_is_quoted_on_one_line(tmp_path) -> None:
    path = write_csv(tmp_path, [*GOOD, '"2024-07-03\r\n\x01",AAA,10,11,9,10,100'])
    with pytest.raises(DataError) as caught:
        load_bars(csv_config(path))
    message = str(caught.value)
    assert _one_clean_line(message), repr(message)
    assert r"column date: '2024-07-03\r\n\x01' is not an ISO date" in message


@settings(max_examples=60, deadline=None)
@given(noise=st.binary(min_size=1, max_size=200), at=st.integers(0, 60))
def test_any_corruption_of_a_csv_reads_or_fails_in_one_clean_line(tmp_path_factory, noise: bytes, at: int) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "bars.csv"
    good = ("date,symbol,open,high,low,close,volume\n" + "\n".join(GOOD) + "\n").encode()
    path.write_bytes(good[:at] + noise + good[at:])
    try:
        load_bars(csv_config(path))
    except DataError as exc:
        assert _one_clean_line(str(exc)), repr(str(exc))
