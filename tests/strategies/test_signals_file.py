"""The signals-file strategy: a user's precomputed scores, aligned to bars, checked row by row.

Fixture bars: 3 symbols S0..S2 on 5 XNYS sessions 2020-01-02, -03, -06, -07, -08 (closes 16:00 New York,
21:00 UTC). Files are small enough to check every number by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st
from pydantic import ValidationError

from parity.engine.data.bars import Bars
from parity.engine.data.calendar import bars_from
from parity.engine.data.errors import DataError
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.signals import LiveScorer, StaleSignals
from parity.strategies import signals_file
from parity.strategies.signals_file import SignalsFileParams, SignalsFileStrategy

from strategy_kit import hand_bars, same

NAN = np.nan
DAYS = ("2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07", "2020-01-08")


@pytest.fixture
def bars() -> Bars:
    return hand_bars(np.ones((5, 3)))


def strategy(path: Path, **params) -> SignalsFileStrategy:
    return SignalsFileStrategy(SignalsFileParams(path=path, **params))


def write_csv(path: Path, *rows: str, header: str = "ts,symbol,score") -> Path:
    path.write_text("\n".join((header, *rows)) + "\n")
    return path


def generate_error(path: Path, bars: Bars, **params) -> str:
    with pytest.raises(DataError) as info:
        strategy(path, **params).generate(bars)
    return one_line(info.value)


def one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and message.strip() == message and message
    return message


def nyc_close(day: str) -> str:
    return f"{day}T16:00:00-05:00"


def live_rows(strat: SignalsFileStrategy, bars: Bars, start: int,
              stale: list[int] | None = None) -> tuple[np.ndarray, list[str]]:
    """Warm up on bars[:start], then update bar by bar: the rows and model versions live produced.
    With `stale`, a StaleSignals bar is recorded there (and taken as no view, as the runner does)."""
    scorer = strat.live(bars.slice(0, start))
    rows, versions = [], []
    for t in range(start, bars.n_bars):
        try:
            rows.append(scorer.update(bars.slice(t, t + 1)))
            versions.append(scorer.model_version)
        except StaleSignals:
            if stale is None:
                raise
            stale.append(t)
            rows.append(np.full(bars.n_symbols, NAN))
            versions.append("")
    return np.array(rows).reshape(-1, bars.n_symbols), versions


# --- parameters ----------------------------------------------------------------------------------------

def test_params_model_is_strict_frozen_and_documented(tmp_path):
    assert SignalsFileStrategy.Params is SignalsFileParams
    assert SignalsFileStrategy.name == "signals" and SignalsFileStrategy.lookback == 1
    p = SignalsFileParams(path="scores.parquet")
    assert (p.path, p.rank, p.wait_s) == (Path("scores.parquet"), False, 0)
    assert all(f.description for f in SignalsFileParams.model_fields.values())
    with pytest.raises(ValidationError):
        SignalsFileParams(path="s.csv", ranked=True)  # extra keys are refused
    for bad in (-1, 86_401):
        with pytest.raises(ValidationError):
            SignalsFileParams(path="s.csv", wait_s=bad)
    with pytest.raises(ValidationError):
        SignalsFileParams()  # path is required
    with pytest.raises(ValidationError):
        p.rank = True  # frozen


def test_relative_path_is_taken_from_the_current_directory(tmp_path, monkeypatch, bars):
    write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.5")
    monkeypatch.chdir(tmp_path)
    out = strategy(Path("s.csv")).generate(bars)
    assert out.scores[0, 0] == 0.5


# --- alignment -----------------------------------------------------------------------------------------

def test_csv_scores_land_on_their_bar_and_symbol(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv",
                     "2020-01-06,S2,0.75", "2020-01-02,S1,-0.5", "2020-01-02,S0,0.25", "2020-01-08,S0,-1",
                     "2020-01-03,S2,1", "2020-01-07,S1,0.125", "2020-01-03,S0,0")
    out = strategy(path).generate(bars)
    expected = np.array([[0.25, -0.5, NAN],
                         [0.0, NAN, 1.0],
                         [NAN, NAN, 0.75],
                         [NAN, 0.125, NAN],
                         [-1.0, NAN, NAN]])
    assert same(out.scores, expected)
    assert list(out.model_version) == [""] * 5
    assert out.diagnostics == {} and dict(out.artifacts) == {}


def test_model_version_per_bar_with_blank_where_the_file_has_none(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1,m1", "2020-01-02,S1,0.2,m1", "2020-01-06,S0,0.3,m2",
                     header="TS,Symbol,Score,Model_Version")  # names in any case
    out = strategy(path).generate(bars)
    assert list(out.model_version) == ["m1", "", "m2", "", ""]


@pytest.mark.parametrize("form", ["date object", "naive midnight", "utc close", "nyc close", "date text",
                                  "aware text"])
def test_parquet_ts_forms_all_name_the_same_bar(tmp_path, bars, form):
    closes = pd.to_datetime(bars.close_ts[[0, 2]], utc=True)
    ts = {
        "date object": [dt.date(2020, 1, 2), dt.date(2020, 1, 6)],
        "naive midnight": pd.to_datetime(["2020-01-02", "2020-01-06"]),
        "utc close": closes,
        "nyc close": closes.tz_convert("America/New_York"),
        "date text": ["2020-01-02", "2020-01-06"],
        "aware text": ["2020-01-02T21:00:00Z", nyc_close("2020-01-06")],
    }[form]
    path = tmp_path / "s.parquet"
    pd.DataFrame({"ts": ts, "symbol": ["S1", "S2"], "score": [0.5, -0.25]}).to_parquet(path)
    out = strategy(path).generate(bars)
    expected = np.full((5, 3), NAN)
    expected[0, 1], expected[2, 2] = 0.5, -0.25
    assert same(out.scores, expected)


def test_csv_date_and_tz_aware_forms_mix(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.5", "2020-01-02T21:00:00+00:00,S1,0.25",
                     f"{nyc_close('2020-01-03')},S2,-0.5", "2020-01-06 00:00:00,S0,1")  # naive midnight = date
    scores = strategy(path).generate(bars).scores
    assert scores[0, 0] == 0.5 and scores[0, 1] == 0.25 and scores[1, 2] == -0.5 and scores[2, 0] == 1.0


def test_aware_timestamps_across_a_dst_change(tmp_path):
    open_ts, close_ts, session = bars_from("XNYS", "2020-03-05", 4, "1Day")  # DST starts 2020-03-08
    bars = dataclasses.replace(hand_bars(np.ones((4, 2))), open_ts=open_ts, close_ts=close_ts, session=session)
    local = pd.to_datetime(close_ts, utc=True).tz_convert("America/New_York")
    # -05:00 then -04:00 in one column, as `ts.isoformat()` writes New York closes
    path = write_csv(tmp_path / "s.csv", *(f"{ts.isoformat()},S1,{k / 10}" for k, ts in enumerate(local)))
    assert local[0].isoformat().endswith("-05:00") and local[-1].isoformat().endswith("-04:00")
    assert same(strategy(path).generate(bars).scores[:, 1], np.array([0.0, 0.1, 0.2, 0.3]))


def test_intraday_bars_take_exact_bar_closes(tmp_path):
    bars = synthetic_bars(4, 2, timeframe="1Hour", start="2020-01-02")  # closes 10:30, 11:30, ... New York
    local = pd.to_datetime(bars.close_ts, utc=True).tz_convert("America/New_York")
    path = write_csv(tmp_path / "s.csv", f"{local[1].isoformat()},S000,0.5", f"{local[3].isoformat()},S001,-0.5")
    scores = strategy(path).generate(bars).scores
    assert same(scores, np.array([[NAN, NAN], [0.5, NAN], [NAN, NAN], [NAN, -0.5]]))


def test_rank_true_maps_raw_predictions_per_bar_by_hand(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv",
                     "2020-01-02,S0,10", "2020-01-02,S1,-3", "2020-01-02,S2,2",  # -> +1, -1, 0
                     "2020-01-03,S0,5", "2020-01-03,S1,5", "2020-01-03,S2,7.5",  # tie: -0.5, -0.5, +1
                     "2020-01-06,S0,42",  # a single score: no cross-sectional view, 0
                     "2020-01-07,S0,-2", "2020-01-07,S1,", "2020-01-07,S2,3")  # NaN left out: -1, NaN, +1
    out = strategy(path, rank=True).generate(bars)
    expected = np.array([[1.0, -1.0, 0.0],
                         [-0.5, -0.5, 1.0],
                         [0.0, NAN, NAN],
                         [-1.0, NAN, 1.0],
                         [NAN, NAN, NAN]])
    assert same(out.scores, expected)


# --- defects: one line naming the file and the row ----------------------------------------------------

def test_unknown_symbol_names_row_line_and_close_match(tmp_path, bars):
    bars = dataclasses.replace(bars, symbols=("AAPL", "MSFT", "IBM"))
    path = write_csv(tmp_path / "s.csv", "2020-01-02,AAPL,0.1", "2020-01-02,APPL,0.2")
    message = generate_error(path, bars)
    assert message.startswith(f"{path} row 2 (line 3): symbol 'APPL'")
    assert "did you mean AAPL?" in message


def test_unknown_symbol_in_parquet_names_the_data_row(tmp_path, bars):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"ts": ["2020-01-02"] * 3, "symbol": ["S0", "S1", "ZZZZ"], "score": [0.1, 0.2, 0.3]}).to_parquet(path)
    message = generate_error(path, bars)
    assert message.startswith(f"{path} row 3: symbol 'ZZZZ' is not in the bars' universe")
    assert "line" not in message and "S0, S1, S2" in message


def test_duplicate_ts_symbol_names_both_rows(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", "2020-01-03,S0,0.2", "2020-01-02,S0,0.3")
    message = generate_error(path, bars)
    assert message.startswith(f"{path} rows 1 (line 2) and 3 (line 4): two scores for S0 on 2020-01-02")


def test_a_date_and_its_bar_close_are_the_same_bar(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-03,S1,0.1", f"{nyc_close('2020-01-03')},S1,0.2")
    assert "rows 1 (line 2) and 2 (line 3): two scores for S1 on 2020-01-03" in generate_error(path, bars)


def test_score_outside_unit_range_suggests_rank(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.5", "2020-01-02,S1,1.5")
    message = generate_error(path, bars)
    assert message.startswith(f"{path} row 2 (line 3): score 1.5 is outside [-1, 1]") and "rank: true" in message
    assert strategy(path, rank=True).generate(bars).scores[0, 1] == 1.0  # ranked, it is fine


@pytest.mark.parametrize("cell, what", [("abc", "score 'abc' is not a number"), ("inf", "score inf is infinite"),
                                        ("-1e400", "score -inf is infinite")])
def test_non_numeric_or_infinite_score(tmp_path, bars, cell, what):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.5", "2020-01-03,S0,0.5", f"2020-01-06,S0,{cell}")
    assert generate_error(path, bars, rank=True).startswith(f"{path} row 3 (line 4): {what}")


def test_infinite_score_in_parquet(tmp_path, bars):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"ts": ["2020-01-02", "2020-01-03"], "symbol": ["S0", "S0"], "score": [0.5, np.inf]}).to_parquet(path)
    assert generate_error(path, bars).startswith(f"{path} row 2: score inf is infinite")


def test_timestamp_between_bar_closes_names_the_nearest(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", "2020-01-03T15:00:00-05:00,S0,0.1")
    message = generate_error(path, bars)
    assert message.startswith(f"{path} row 2 (line 3): ts 2020-01-03T15:00:00-05:00 is not a bar close")
    assert "nearest bar close: 2020-01-03T16:00:00-05:00 (session 2020-01-03)" in message


def test_utc_midnight_on_daily_bars_hints_at_the_session_date(tmp_path, bars):
    path = tmp_path / "s.parquet"
    ts = pd.to_datetime(["2020-01-02", "2020-01-03"]).tz_localize("UTC")  # a date stored as UTC midnight
    pd.DataFrame({"ts": ts, "symbol": ["S0", "S0"], "score": [0.1, 0.2]}).to_parquet(path)
    message = generate_error(path, bars)
    # 2020-01-02T00:00Z is before the first close (ignored); 2020-01-03T00:00Z falls between bars
    assert message.startswith(f"{path} row 2: ts 2020-01-03T00:00:00+00:00 is not a bar close")
    assert "write the session date without a time, e.g. 2020-01-03" in message


def test_date_that_is_no_session_of_the_bars(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", "2020-01-04,S0,0.1")  # a Saturday
    assert generate_error(path, bars).startswith(
        f"{path} row 2 (line 3): ts 2020-01-04 is not a session of the bars (nearest: 2020-01-03)")


def test_naive_time_of_day_asks_for_a_timezone(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", "2020-01-03 16:00,S0,0.1")
    message = generate_error(path, bars)
    assert message.startswith(f"{path} row 2 (line 3): ts '2020-01-03 16:00' has a time of day but no timezone")
    assert "give a timezone, e.g. 2020-01-03T16:00:00-05:00" in message


def test_naive_time_of_day_in_parquet(tmp_path, bars):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"ts": pd.to_datetime(["2020-01-02 16:00"]), "symbol": ["S0"], "score": [0.1]}).to_parquet(path)
    assert "row 1: ts '2020-01-02 16:00:00' has a time of day but no timezone" in generate_error(path, bars)


def test_bare_date_with_intraday_bars(tmp_path):
    bars = synthetic_bars(4, 2, timeframe="1Hour", start="2020-01-02")
    path = write_csv(tmp_path / "s.csv", "2020-01-02T10:30:00-05:00,S000,0.1", "2020-01-02,S001,0.1")
    message = generate_error(path, bars)
    assert message.startswith(f"{path} row 2 (line 3): ts 2020-01-02 is a date without a time, but the bars are "
                              "intraday")
    assert "e.g. 2020-01-02T10:30:00-05:00" in message


@pytest.mark.parametrize("cell", ["yesterday", "", "12345"])
def test_unreadable_timestamp(tmp_path, bars, cell):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", f"{cell},S0,0.1")
    message = generate_error(path, bars)
    assert message.startswith(f"{path} row 2 (line 3): ts ") and "e.g. 2010-01-04" in message


def test_integer_timestamps_in_parquet_are_refused(tmp_path, bars):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"ts": [int(bars.close_ts[0])], "symbol": ["S0"], "score": [0.1]}).to_parquet(path)
    assert "row 1: ts '" in generate_error(path, bars) and "is not a date or time" in generate_error(path, bars)


def test_two_model_versions_on_one_bar(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1,a", "2020-01-03,S0,0.1,a", "2020-01-03,S1,0.1,b",
                     header="ts,symbol,score,model_version")
    assert generate_error(path, bars).startswith(
        f"{path} rows 2 (line 3) and 3 (line 4): model_version 'a' and 'b' on the same bar 2020-01-03 "
        "(one model version per bar)")


def test_blank_lines_keep_csv_line_numbers_right(tmp_path, bars):
    path = tmp_path / "s.csv"
    path.write_text("ts,symbol,score\n\n2020-01-02,S0,0.1\n\n\n2020-01-03,S0,2\n")
    assert generate_error(path, bars).startswith(f"{path} row 2 (line 6): score 2 is outside [-1, 1]")


def test_missing_file_names_the_absolute_path(tmp_path, bars, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = generate_error(Path("nowhere/s.csv"), bars)
    assert message.startswith("nowhere/s.csv: file not found") and str(tmp_path / "nowhere" / "s.csv") in message


def test_directory_is_not_a_file(tmp_path, bars):
    (tmp_path / "s.parquet").mkdir()
    assert "is a directory" in generate_error(tmp_path / "s.parquet", bars)


def test_unknown_extension_lists_the_accepted_ones(tmp_path):
    with pytest.raises(DataError) as info:
        strategy(tmp_path / "s.xlsx")
    assert one_line(info.value) == (f"{tmp_path / 's.xlsx'}: a signals file must end in .parquet, .pq or .csv "
                                    "(got '.xlsx'); save it as parquet or CSV")


@pytest.mark.parametrize("name", ["s.parquet", "s.csv"])
def test_binary_garbage_gives_a_short_printable_message(tmp_path, bars, name):
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 40)
    message = generate_error(path, bars)
    assert message.startswith(f"{path}: cannot read as ")
    assert message.isprintable() and len(message) < len(str(path)) + 250


def test_parquet_bytes_under_a_csv_name(tmp_path, bars):
    pq_path = tmp_path / "s.parquet"
    pd.DataFrame({"ts": ["2020-01-02"], "symbol": ["S0"], "score": [0.1]}).to_parquet(pq_path)
    path = tmp_path / "s.csv"
    path.write_bytes(pq_path.read_bytes())
    message = generate_error(path, bars)
    assert message.isprintable() and "looks like a parquet file" in message


def test_missing_columns_are_named_with_those_found(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", header="date,symbol,prediction")
    assert generate_error(path, bars) == (f"{path}: missing columns ts, score (found: date, symbol, prediction); "
                                          "the file needs columns ts, symbol, score and optionally model_version")


@pytest.mark.parametrize("text", ["", "ts,symbol,score\n"])
def test_empty_file_is_an_error(tmp_path, bars, text):
    path = tmp_path / "s.csv"
    path.write_text(text)
    message = generate_error(path, bars)
    assert message.startswith(f"{path}: ") and ("empty" in message or "no rows" in message)


def test_empty_parquet_is_an_error(tmp_path, bars):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"ts": pd.Series([], dtype=str), "symbol": pd.Series([], dtype=str),
                  "score": pd.Series([], dtype=float)}).to_parquet(path)
    assert generate_error(path, bars).startswith(f"{path}: no rows")


# --- notes: legal but surprising ----------------------------------------------------------------------

def test_rows_outside_the_bars_are_ignored_and_noted(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2019-12-30,S0,0.1", "2019-12-31,S0,0.1", "2019-12-31,NOPE,x",
                     *(f"{d},{s},0.5" for d in DAYS for s in ("S0", "S1", "S2")), "2020-01-10,S2,0.2")
    out = strategy(path).generate(bars)
    assert same(out.scores, np.full((5, 3), 0.5))  # the bad row out of range is not read past its ts
    assert out.notes == (
        f"{path}: 3 rows before the first bar 2020-01-02 ignored (ts 2019-12-30 to 2019-12-31)",
        f"{path}: 1 row after the last bar 2020-01-08 ignored (ts 2020-01-10)",
    )


def test_coverage_gaps_are_noted_not_filled(tmp_path, bars):
    # bar 0 nothing (before the file starts); bar 1 S0 only; bar 2 nothing; bar 3 full; bar 4 S1 missing
    path = write_csv(tmp_path / "s.csv", "2020-01-03,S0,0.1", *(f"2020-01-07,{s},0.2" for s in ("S0", "S1", "S2")),
                     "2020-01-08,S0,0.3", "2020-01-08,S2,0.4")
    out = strategy(path).generate(bars)
    assert int(np.isnan(out.scores).sum()) == 9
    assert out.notes == (f"{path}: no score for 9 of 15 symbol-bars (no view, NaN) on 4 bars from 2020-01-02 to "
                         "2020-01-08; 2 bars without any score; 1 bar before the file's first ts 2020-01-03",)


def test_bars_after_the_file_ends_are_noted(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", *(f"{d},{s},0.1" for d in DAYS[:3] for s in ("S0", "S1", "S2")))
    (note,) = strategy(path).generate(bars).notes
    assert note == (f"{path}: no score for 6 of 15 symbol-bars (no view, NaN) on 2 bars from 2020-01-07 to "
                    "2020-01-08; 2 bars without any score; 2 bars after its last ts 2020-01-06")


def test_nan_scores_mean_no_view_and_are_noted(tmp_path, bars):
    rows = [f"{d},{s},{'NaN' if (d, s) == (DAYS[1], 'S1') else ('' if (d, s) == (DAYS[3], 'S2') else 0.1)}"
            for d in DAYS for s in ("S0", "S1", "S2")]
    path = write_csv(tmp_path / "s.csv", *rows)
    out = strategy(path).generate(bars)
    assert np.isnan(out.scores[1, 1]) and np.isnan(out.scores[3, 2]) and int(np.isnan(out.scores).sum()) == 2
    assert out.notes == (f"{path}: 2 rows with a NaN or empty score (no view for that symbol on that bar): "
                         "rows 5 (line 6), 12 (line 13)",)


def test_a_complete_file_has_no_notes(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", *(f"{d},{s},0.1" for d in DAYS for s in ("S0", "S1", "S2")))
    assert strategy(path).generate(bars).notes == ()


# --- live ----------------------------------------------------------------------------------------------

GAPPY = ("2020-01-02,S0,0.5,a", "2020-01-02,S1,-0.25,a", "2020-01-03,S2,,a", f"{nyc_close('2020-01-06')},S0,1,b",
         "2020-01-06,S1,-1,b", "2020-01-06,S2,0.125,b", "2020-01-08,S1,0.75,c")


@pytest.mark.parametrize("rank", [False, True])
@pytest.mark.parametrize("start", [0, 1, 3])
def test_live_equals_batch_on_every_bar(tmp_path, bars, rank, start):
    path = write_csv(tmp_path / "s.csv", *GAPPY, header="ts,symbol,score,model_version")
    strat = strategy(path, rank=rank)
    batch = strat.generate(bars)
    rows, versions = live_rows(strat, bars, start)
    assert rows.tobytes() == batch.scores[start:].tobytes()  # bit for bit, NaN positions included
    assert versions == list(batch.model_version[start:])


def test_live_scorer_is_a_live_scorer(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.5")
    scorer = strategy(path).live(bars.slice(0, 1))
    assert isinstance(scorer, LiveScorer) and scorer.model_version == ""
    with pytest.raises(ValueError):
        scorer.update(dataclasses.replace(bars.slice(1, 2), symbols=("A", "B", "C")))


def test_live_fails_at_start_on_a_missing_file(tmp_path, bars):
    with pytest.raises(DataError) as info:
        strategy(tmp_path / "s.csv").live(bars.slice(0, 2))
    assert "file not found" in one_line(info.value)


def test_live_checks_the_bar_rows_like_the_batch(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", "2020-01-03,S0,0.1", "2020-01-03,S0,0.2")
    scorer = strategy(path).live(bars.slice(0, 1))
    with pytest.raises(DataError) as info:
        scorer.update(bars.slice(1, 2))
    assert one_line(info.value) == one_line(pytest.raises(DataError, strategy(path).generate, bars).value)


def test_stale_file_raises_stale_signals(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", *(f"{d},S0,0.1" for d in DAYS[:3]))
    scorer = strategy(path).live(bars.slice(0, 3))
    with pytest.raises(StaleSignals) as info:
        scorer.update(bars.slice(3, 4))
    message = one_line(info.value)
    assert message == (f"{path}: no scores for the bar closing 2020-01-07T16:00:00-05:00; the newest ts in the "
                       "file is 2020-01-06: no new risk on this bar")


def test_stale_waits_wait_s_first(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", *(f"{d},S0,0.1" for d in DAYS[:3]))
    scorer = strategy(path, wait_s=0.3).live(bars.slice(0, 3))
    began = time.monotonic()
    with pytest.raises(StaleSignals, match=r"after waiting 0\.3 s; .*no new risk on this bar$"):
        scorer.update(bars.slice(3, 4))
    assert 0.3 <= time.monotonic() - began < 1.0


def test_a_file_past_the_bar_gives_no_view_without_waiting(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", "2020-01-07,S0,0.2")
    scorer = strategy(path, wait_s=5).live(bars.slice(0, 2))
    began = time.monotonic()
    assert np.isnan(scorer.update(bars.slice(2, 3))).all()  # the file skipped 2020-01-06: a gap, as in batch
    assert time.monotonic() - began < 0.5
    assert same(scorer.update(bars.slice(3, 4)), np.array([0.2, NAN, NAN]))


def test_wait_s_picks_up_a_file_written_while_waiting(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", *(f"{d},S0,0.1" for d in DAYS[:4]))
    scorer = strategy(path, wait_s=5).live(bars.slice(0, 4))

    def write_later() -> None:
        time.sleep(0.3)
        tmp = tmp_path / "s.csv.tmp"
        write_csv(tmp, *(f"{d},S0,0.1" for d in DAYS[:4]), "2020-01-08,S1,-0.75", "2020-01-08,S2,0.5")
        os.replace(tmp, path)  # atomic, as the module docstring asks of users

    writer = threading.Thread(target=write_later)
    began = time.monotonic()
    writer.start()
    row = scorer.update(bars.slice(4, 5))
    writer.join()
    elapsed = time.monotonic() - began
    assert same(row, np.array([NAN, -0.75, 0.5]))  # S0 has no row for this bar: no view
    assert 0.3 <= elapsed < 2.5  # one poll interval after the write, not wait_s


def test_live_rereads_only_a_changed_file(tmp_path, bars, monkeypatch):
    path = write_csv(tmp_path / "s.csv", *(f"{d},S0,0.{k + 1}" for k, d in enumerate(DAYS[:3])))
    parses = []
    real = signals_file.read_signals
    monkeypatch.setattr(signals_file, "read_signals", lambda *a: parses.append(a) or real(*a))
    scorer = strategy(path).live(bars.slice(0, 1))
    assert scorer.update(bars.slice(1, 2))[0] == 0.2
    assert scorer.update(bars.slice(2, 3))[0] == 0.3
    assert len(parses) == 1  # the start-up read only: the file did not change
    write_csv(tmp_path / "new.csv", *(f"{d},S0,0.{k + 1}" for k, d in enumerate(DAYS[:4])))
    os.replace(tmp_path / "new.csv", path)
    assert scorer.update(bars.slice(3, 4))[0] == 0.4
    assert len(parses) == 2


def test_live_rows_between_two_bars_are_errors_as_in_batch(tmp_path, bars):
    path = write_csv(tmp_path / "s.csv", "2020-01-02,S0,0.1", "2020-01-03T12:00:00-05:00,S0,0.2",
                     "2020-01-03,S0,0.3")
    scorer = strategy(path).live(bars.slice(0, 1))
    with pytest.raises(DataError) as live_error:
        scorer.update(bars.slice(1, 2))
    with pytest.raises(DataError) as batch_error:
        strategy(path).generate(bars)
    assert one_line(live_error.value) == one_line(batch_error.value)
    assert "row 2 (line 3): ts 2020-01-03T12:00:00-05:00 is not a bar close" in str(live_error.value)


# --- property: batch == live over random files ---------------------------------------------------------

PROPERTY_BARS = hand_bars(np.ones((6, 3)))
PROPERTY_CLOSES = pd.to_datetime(PROPERTY_BARS.close_ts, utc=True)


@st.composite
def signal_files(draw):
    t, n = PROPERTY_BARS.n_bars, PROPERTY_BARS.n_symbols
    rank = draw(st.booleans())
    value = (st.floats(-1e6, 1e6, allow_nan=False) if rank else st.floats(-1, 1, allow_nan=False))
    cells = draw(st.lists(st.tuples(st.integers(0, t - 1), st.integers(0, n - 1)), unique=True, max_size=t * n))
    rows = []
    for bar, sym in cells:
        score = draw(st.one_of(st.just(NAN), value))
        form = draw(st.sampled_from(["date", "utc", "nyc"]))
        rows.append((bar, sym, score, form))
    versions = draw(st.lists(st.sampled_from(["", "m1", "m2"]), min_size=t, max_size=t))
    return rank, rows, versions, draw(st.sampled_from(["csv", "parquet"])), draw(st.integers(0, t - 1))


def _ts_cell(bar: int, form: str) -> str:
    close = PROPERTY_CLOSES[bar]
    return {"date": close.tz_convert("America/New_York").strftime("%Y-%m-%d"), "utc": close.isoformat(),
            "nyc": close.tz_convert("America/New_York").isoformat()}[form]


@given(signal_files())
def test_property_live_equals_batch(example):
    rank, rows, versions, kind, start = example
    frame = pd.DataFrame({
        "ts": [_ts_cell(bar, form) for bar, _, _, form in rows],
        "symbol": [PROPERTY_BARS.symbols[sym] for _, sym, _, _ in rows],
        "score": [score for _, _, score, _ in rows],
        "model_version": [versions[bar] for bar, _, _, _ in rows],
    })
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"s.{kind}"
        if kind == "csv":
            frame.assign(score=[repr(s) for s in frame["score"]]).to_csv(path, index=False)
        else:
            frame.to_parquet(path)
        strat = strategy(path, rank=rank)
        if frame.empty:
            with pytest.raises(DataError):
                strat.generate(PROPERTY_BARS)
            return
        batch = strat.generate(PROPERTY_BARS)
        stale: list[int] = []
        live, live_versions = live_rows(strat, PROPERTY_BARS, start, stale)
    # live is stale exactly on the bars after the file's last one, where the batch has no view either
    last = max(bar for bar, _, _, _ in rows)
    assert stale == list(range(max(last + 1, start), PROPERTY_BARS.n_bars))
    assert live.tobytes() == batch.scores[start:].tobytes()
    assert live_versions == list(batch.model_version[start:])
    expected = np.full((PROPERTY_BARS.n_bars, PROPERTY_BARS.n_symbols), NAN)
    for bar, sym, score, _ in rows:
        expected[bar, sym] = score
    if not rank:
        assert same(batch.scores, expected)  # the file's numbers, unchanged, in their cells
    else:
        assert same(np.isnan(batch.scores), np.isnan(expected))
