"""Split detection and adjustment on hand-built bars (daily, XNYS week of 2024-07-01)."""

from __future__ import annotations

import numpy as np
import pytest

from data_helpers import csv_config, write_csv
from parity.engine.data import load_bars_with_report
from parity.engine.data.splits import previous_close

# AAA splits 2:1 before the open of 2024-07-03: close 102 -> open 51.5 (ratio 0.505, within 6% of 1/2).
# BBB drops 20% overnight (close 100 -> open 80): a price move, not a split (5:4 is not a candidate).
SPLIT_ROWS = [
    "2024-07-01,AAA,100,102,99,101,1000",
    "2024-07-02,AAA,101,103,100,102,1000",
    "2024-07-03,AAA,51.5,52,50.5,51,2000",
    "2024-07-05,AAA,51,52,50,51.5,2100",
    "2024-07-01,BBB,100,101,99,100,500",
    "2024-07-02,BBB,100,101,99,100,500",
    "2024-07-03,BBB,80,81,79,80,900",
    "2024-07-05,BBB,80,81,79,80,600",
]


def test_two_for_one_split_is_named_and_adjusted(tmp_path) -> None:
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, SPLIT_ROWS)))
    assert bars.symbols == ("AAA", "BBB")
    (split,) = report.splits
    assert (split.symbol, split.when, split.ratio, split.label) == ("AAA", "2024-07-03", 2.0, "2:1")
    assert (split.prev_close, split.open) == (102.0, 51.5)
    assert any(n.startswith("split AAA 2024-07-03 2:1") for n in bars.notes)
    a = bars.symbols.index("AAA")
    # before the split: prices / 2, volume x 2 -> 07-01: 50, 51, 49.5, 50.5, 2000; 07-02: 50.5, 51.5, 50, 51, 2000
    np.testing.assert_allclose(bars.open[:, a], [50.0, 50.5, 51.5, 51.0])
    np.testing.assert_allclose(bars.high[:, a], [51.0, 51.5, 52.0, 52.0])
    np.testing.assert_allclose(bars.low[:, a], [49.5, 50.0, 50.5, 50.0])
    np.testing.assert_allclose(bars.close[:, a], [50.5, 51.0, 51.0, 51.5])
    np.testing.assert_allclose(bars.volume[:, a], [2000, 2000, 2000, 2100])
    b = bars.symbols.index("BBB")
    np.testing.assert_allclose(bars.close[:, b], [100, 100, 80, 80])  # untouched


def test_reverse_split_one_for_ten(tmp_path) -> None:
    # close 1.50 -> open 15.30 (x10.2, within 6% of 10): prices x 10 before, volume / 10
    rows = ["2024-07-01,EEE,1.45,1.52,1.44,1.5,100000",
            "2024-07-02,EEE,15.3,15.5,15.0,15.2,9000"]
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, rows)))
    (split,) = report.splits
    assert (split.label, split.ratio) == ("1:10", 0.1)
    np.testing.assert_allclose(bars.close[:, 0], [15.0, 15.2])
    np.testing.assert_allclose(bars.volume[:, 0], [10000, 9000])
    assert any("multiplied by 10, volumes divided by 10" in n for n in bars.notes)


def test_previous_close_skips_missing_bars() -> None:
    close = np.array([[10.0, np.nan], [np.nan, 5.0], [12.0, 6.0]])
    prev = previous_close(close)
    np.testing.assert_array_equal(np.isnan(prev), [[True, True], [False, True], [False, False]])
    assert prev[1, 0] == 10.0 and prev[2, 0] == 10.0 and prev[2, 1] == 5.0


@pytest.mark.parametrize("ratio,label", [(2.0, "2:1"), (1.5, "3:2"), (3.0, "3:1"), (4.0, "4:1"), (0.5, "1:2")])
def test_each_split_ratio_is_recognised(tmp_path, ratio: float, label: str) -> None:
    before, after = 60.0, 60.0 / ratio
    rows = [f"2024-07-01,SYM,{before},{before},{before},{before},100",
            f"2024-07-02,SYM,{after},{after},{after},{after},{100 * ratio}"]
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, rows)))
    assert [s.label for s in report.splits] == [label]
    np.testing.assert_allclose(bars.close[:, 0], [after, after])
    np.testing.assert_allclose(bars.volume[:, 0], [100 * ratio, 100 * ratio])


# CCC prints one bar at half its price (close 100 -> a bar around 50 -> back to 100 the next day):
# a bad print, not a 2:1 split followed by a 1:2 one.
BAD_PRINT_ROWS = [
    "2024-07-01,CCC,100,101,99,100,1000",
    "2024-07-02,CCC,50,50.5,49.5,50,1000",
    "2024-07-03,CCC,100,101,99,100.5,1000",
    "2024-07-05,CCC,100.5,102,100,101,1000",
]


def test_one_bar_at_half_price_is_a_rejected_bad_print_not_two_splits(tmp_path) -> None:
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, BAD_PRINT_ROWS)))
    assert report.splits == ()
    (issue,) = report.bar_issues
    assert (issue.symbol, issue.when, issue.action) == ("CCC", "2024-07-02", "rejected")
    assert issue.what == ("open 50 is 1/2 x the close before (100) and the next bar opens back at 100: "
                          "a one-bar bad print, not a split; bar set to NaN")
    assert np.isnan(bars.close[1, 0]) and np.isnan(bars.volume[1, 0])
    np.testing.assert_allclose(bars.close[[0, 2, 3], 0], [100, 100.5, 101])  # untouched


def test_a_split_whose_new_level_persists_is_still_a_split(tmp_path) -> None:
    rows = [*BAD_PRINT_ROWS[:2], "2024-07-03,CCC,50,51,49,50.5,2000"]  # stays at the half: a real 2:1
    _, report = load_bars_with_report(csv_config(write_csv(tmp_path, rows)))
    assert [(s.when, s.label) for s in report.splits] == [("2024-07-02", "2:1")]
    assert report.bar_issues == ()
