"""High/low bracket repair and rejection, non-positive prices: every touched bar is named."""

from __future__ import annotations

import numpy as np

from data_helpers import csv_config, write_csv
from parity.engine.data import load_bars_with_report
from parity.engine.data.quality import BRACKET_TOLERANCE, repair_brackets


def test_small_violation_repaired_large_rejected(tmp_path) -> None:
    rows = [
        "2024-07-01,AAA,10,11,9,10.5,100",
        # high 10.45 < close 10.5 by 0.48% (<= 1%): repaired to high 10.5, low stays 9.8
        "2024-07-02,AAA,10,10.45,9.8,10.5,100",
        # low 10.2 > open 10.0 by 2% (> 1%): rejected, all five fields NaN
        "2024-07-03,AAA,10,10.6,10.2,10.4,100",
        "2024-07-05,AAA,10.4,10.6,10.3,10.5,100",
    ]
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, rows)))
    assert BRACKET_TOLERANCE == 0.01
    assert (bars.high[1, 0], bars.low[1, 0], bars.open[1, 0], bars.close[1, 0]) == (10.5, 9.8, 10.0, 10.5)
    for field in ("open", "high", "low", "close", "volume"):
        assert np.isnan(getattr(bars, field)[2, 0])
    repaired, rejected = report.bar_issues
    assert (repaired.symbol, repaired.when, repaired.action) == ("AAA", "2024-07-02", "repaired")
    assert "high 10.45 below max(open, close) 10.5 by 0.48%" in repaired.what
    assert (rejected.symbol, rejected.when, rejected.action) == ("AAA", "2024-07-03", "rejected")
    assert "low 10.2 above min(open, close) 10 by 2.00%" in rejected.what
    assert any(n.startswith("rejected AAA 2024-07-03") for n in bars.notes)


def test_non_positive_price_rejects_the_bar_and_names_the_row(tmp_path) -> None:
    rows = ["2024-07-01,AAA,10,11,9,10,100", "2024-07-02,AAA,10,11,0,10,100", "2024-07-03,AAA,10,11,9,-1,100"]
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, rows)))
    assert bars.n_bars == 3  # the sessions stay: other bars (here none) could trade them
    assert np.isnan(bars.close[1:, 0]).all() and bars.close[0, 0] == 10
    whats = [(i.when, i.action, i.what) for i in report.bar_issues]
    assert whats == [("2024-07-02", "rejected", "row 3: low 0 not positive; bar set to NaN"),
                     ("2024-07-03", "rejected", "row 4: close -1 not positive; bar set to NaN")]


def test_repair_brackets_ignores_missing_bars() -> None:
    nan = np.nan
    o, h, lo, c, v = (np.array([[x, nan]]) for x in (10.0, 11.0, 9.0, 10.0, 5.0))
    assert repair_brackets(o, h, lo, c, v, ("A", "B"), str) == ()


def test_zero_volume_bars_pass_with_one_note(tmp_path) -> None:
    rows = ["2024-07-01,AAA,10,11,9,10,0", "2024-07-02,AAA,10,11,9,10,0", "2024-07-03,AAA,10,11,9,10,100",
            "2024-07-01,BBB,10,11,9,10,100", "2024-07-02,BBB,10,11,9,10,100", "2024-07-03,BBB,10,11,9,10,0"]
    bars, report = load_bars_with_report(csv_config(write_csv(tmp_path, rows)))
    assert bars.volume[:, 0].tolist() == [0.0, 0.0, 100.0] and bars.close[:, 0].tolist() == [10.0] * 3
    assert report.zero_volume == (("AAA", 2, "2024-07-01"), ("BBB", 1, "2024-07-03"))
    (note,) = [n for n in bars.notes if "zero volume" in n]
    assert note == "3 bars with zero volume, kept as traded bars: AAA 2 (first 2024-07-01), BBB 1 (first 2024-07-03)"


def test_zero_volume_note_names_the_first_symbols_only() -> None:
    from parity.engine.data.report import DataReport

    report = DataReport(source="s", n_bars=1, n_symbols=12,
                        zero_volume=tuple((f"S{i:02d}", 1, "2024-07-01") for i in range(12)))
    (note,) = [n for n in report.notes() if "zero volume" in n]
    assert note.startswith("12 bars with zero volume, kept as traded bars: S00 1 (first 2024-07-01), ")
    assert note.endswith("S09 1 (first 2024-07-01) and 2 more symbols")
