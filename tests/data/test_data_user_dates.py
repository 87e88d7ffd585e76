"""Dates and times in a user's file are read one way only: ISO dates, ISO times (with or without a
zone) and parquet datetime columns. Anything else is an error that quotes the cell as written;
a date stored as a midnight-UTC timestamp is read as that date, with a note."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_helpers import csv_config, write_csv
from parity.engine.config.schema import DataConfig
from parity.engine.data import DataError, load_bars

BAR = "AAA,10,11,9,10,100"


def test_iso_dates_and_session_times_are_read_as_today(tmp_path) -> None:
    rows = [f"2024-07-01,{BAR}", f"2024-07-02T16:00:00-04:00,{BAR}", f"2024-07-03 13:30:00Z,{BAR}",
            f"2024-07-05 00:00:00-04:00,{BAR}", f"2024-07-08T04:00:00+00:00,{BAR}"]  # the last: Alpaca's stamp
    bars = load_bars(csv_config(write_csv(tmp_path, rows)))
    days = pd.to_datetime(bars.close_ts, utc=True).tz_convert("America/New_York").strftime("%Y-%m-%d")
    assert list(days) == ["2024-07-01", "2024-07-02", "2024-07-03", "2024-07-05", "2024-07-08"]
    assert not [n for n in bars.notes if "midnight" in n]


@pytest.mark.parametrize("cell", ["01/07/2024", "07/01/2024", "1.7.2024", "2024/07/01", "20240701",
                                  "July the 4th", "2024-13-01", "2024-07-01 25:00"])
def test_a_non_iso_cell_is_an_error_quoting_it(tmp_path, cell: str) -> None:
    path = write_csv(tmp_path, [f"2024-07-01,{BAR}", f"2024-07-02,{BAR}", f"{cell},{BAR}"])  # line 4
    with pytest.raises(DataError) as caught:
        load_bars(csv_config(path))
    message = str(caught.value)
    assert message.startswith(f"{path} row 4, column date: '{cell}' is not an ISO date or time (accepted: "
                              "YYYY-MM-DD, or YYYY-MM-DD HH:MM[:SS] with a zone such as Z or -04:00")
    assert "\n" not in message


def test_a_date_in_a_far_year_is_an_error(tmp_path) -> None:
    path = write_csv(tmp_path, [f"9024-07-01,{BAR}"])
    with pytest.raises(DataError, match=r"row 2, column date: '9024-07-01' is outside the years 1800-2200"):
        load_bars(csv_config(path))


def test_a_dd_mm_file_fails_on_its_first_row_not_a_later_one(tmp_path) -> None:
    # 01/07 and 02/07 parse as January 1st and 2nd (mm/dd); only 13/07 would have failed before
    path = write_csv(tmp_path, [f"01/07/2024,{BAR}", f"02/07/2024,{BAR}", f"13/07/2024,{BAR}"])
    with pytest.raises(DataError, match=r"row 2, column date: '01/07/2024' is not an ISO date .*dd/mm/yyyy"):
        load_bars(csv_config(path))


def test_times_with_and_without_a_zone_in_one_column_are_an_error(tmp_path) -> None:
    path = write_csv(tmp_path, [f"2024-07-01 16:00,{BAR}", f"2024-07-02 16:00-04:00,{BAR}"])
    with pytest.raises(DataError, match=r"row 3, column date: '2024-07-02 16:00-04:00' has a zone, row 2 "
                                        r"'2024-07-01 16:00' has none \(write every time with its zone, or none\)"):
        load_bars(csv_config(path))


def test_numbers_in_the_date_column_are_an_error(tmp_path) -> None:
    frame = pd.DataFrame({"date": [20240701, 20240702], "symbol": "AAA", "open": 10.0, "high": 11.0,
                          "low": 9.0, "close": 10.0, "volume": 100.0})
    path = tmp_path / "bars.parquet"
    frame.to_parquet(path)
    with pytest.raises(DataError, match=r"bars.parquet: column date holds numbers \(int64\), not dates"):
        load_bars(DataConfig(source="parquet", path=path))


def test_utc_midnight_timestamps_are_the_date_with_a_note_parquet(tmp_path) -> None:
    # the common pandas export: dates stored as timestamps at 00:00 UTC (= 20:00 New York the evening
    # before): read as the UTC day's session, never as the previous day
    stamps = pd.to_datetime(["2024-07-01", "2024-07-02", "2024-07-03"], utc=True)
    frame = pd.DataFrame({"timestamp": stamps, "symbol": "AAA", "open": 10.0, "high": 11.0, "low": 9.0,
                          "close": [10.0, 10.2, 10.4], "volume": 100.0})
    path = tmp_path / "bars.parquet"
    frame.to_parquet(path)
    bars = load_bars(DataConfig(source="parquet", path=path))
    days = pd.to_datetime(bars.close_ts, utc=True).tz_convert("America/New_York").strftime("%Y-%m-%d")
    assert list(days) == ["2024-07-01", "2024-07-02", "2024-07-03"]
    assert bars.close[:, 0].tolist() == [10.0, 10.2, 10.4]
    assert (f"{path}: 3 times in column timestamp are midnight in their own zone (first: row 1 "
            f"'2024-07-01 00:00:00+00:00'), read as that day's session (a date stored as a timestamp), not as "
            f"the evening before in America/New_York") in bars.notes


def test_utc_midnight_text_is_the_date_with_a_note_csv(tmp_path) -> None:
    path = write_csv(tmp_path, [f"2024-07-01T00:00:00Z,{BAR}", f"2024-07-02T00:00:00Z,{BAR}"])
    bars = load_bars(csv_config(path))
    days = pd.to_datetime(bars.close_ts, utc=True).tz_convert("America/New_York").strftime("%Y-%m-%d")
    assert list(days) == ["2024-07-01", "2024-07-02"]
    assert any(n.startswith(f"{path}: 2 times in column date are midnight in their own zone (first: row 2 "
                            "'2024-07-01T00:00:00Z')") for n in bars.notes)


def test_intraday_times_without_a_zone_are_exchange_time_with_a_note(tmp_path) -> None:
    path = write_csv(tmp_path, [f"2024-07-01 09:30,{BAR}", f"2024-07-01 09:35,{BAR}"], header=(
        "timestamp,symbol,open,high,low,close,volume"))
    bars = load_bars(csv_config(path, timeframe="5Min"))
    assert bars.n_bars == 2
    assert f"{path}: times in column timestamp have no zone: read as America/New_York (exchange) time" in bars.notes


@settings(max_examples=40)
@given(day=st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2030-12-31").date()),
       style=st.sampled_from(["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%d-%m-%Y", "%b %d %Y"]))
def test_no_non_iso_date_text_is_ever_read(day, style: str) -> None:
    from parity.engine.data.user_file import iso_time_text

    assert not iso_time_text(day.strftime(style))
    assert iso_time_text(day.strftime("%Y-%m-%d"))


def test_a_zoned_time_whose_wall_clock_is_in_new_yorks_dst_gap_is_fine(tmp_path) -> None:
    # 2024-03-10 02:30 does not exist in New York; written in UTC it is 21:30 the evening before
    rows = [f"2024-03-08,{BAR}", f"2024-03-11T02:30:00Z,{BAR}"]  # 2024-03-10 22:30 New York: not a session
    with pytest.raises(DataError, match=r"row 3: 2024-03-10 is not a session"):
        load_bars(csv_config(write_csv(tmp_path, rows)))
    rows = [f"2024-03-08,{BAR}", f"2024-03-11T14:30:00Z,{BAR}"]
    assert load_bars(csv_config(write_csv(tmp_path, rows))).n_bars == 2


def test_an_intraday_time_in_the_dst_gap_is_an_error(tmp_path) -> None:
    path = write_csv(tmp_path, [f"2024-03-10 02:30,{BAR}"], header="timestamp,symbol,open,high,low,close,volume")
    with pytest.raises(DataError, match=r"row 2, column timestamp: '2024-03-10 02:30' is not one time in "
                                        r"America/New_York"):
        load_bars(csv_config(path, timeframe="5Min"))
