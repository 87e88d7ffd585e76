"""Market context for cost analysis: a run's rows located in its bars, volatility with look-back history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from parity.brokers.sim.volatility import daily_vol
from parity.engine.data.synthetic import synthetic_bars
from parity.reports.costs_prices import prices_from_bars, prices_from_records
from parity.reports.costs_run import run_rows_in_bars
from parity.reports.run_data import RunData

BARS = synthetic_bars(40, 3, seed=1)


def run_on_rows(start: int, stop: int, symbols=("S000",)) -> RunData:
    """A run whose equity rows are bars [start, stop) (as a paper run after its warm-up)."""
    empty = pd.DataFrame()
    equity = pd.DataFrame({"ts": pd.to_datetime(BARS.close_ts[start:stop], utc=True), "equity": 1.0})
    orders = pd.DataFrame({"symbol": list(symbols)})
    positions = pd.DataFrame({"symbol": pd.Series([], dtype=object)})
    return RunData(run_id="r", orders=orders, fills=empty, equity=equity, positions=positions, risk_events=empty,
                   signals=empty)


def test_a_paper_runs_rows_are_found_and_keep_their_volatility_history():
    assert run_rows_in_bars(BARS, run_on_rows(0, 40)) == (0, 40)  # a backtest: every bar
    assert run_rows_in_bars(BARS, run_on_rows(25, 33)) == (25, 33)  # after a 25-bar warm-up
    assert run_rows_in_bars(BARS, run_on_rows(25, 33, symbols=("NOPE",))) is None  # a symbol the data lacks
    gappy = run_on_rows(25, 33)
    gappy = RunData(**{**gappy.__dict__, "equity": gappy.equity.drop(index=3)})
    assert run_rows_in_bars(BARS, gappy) is None  # not consecutive bars
    prices = prices_from_bars(BARS, 25, 33)
    # rows 0.. of the run are bars 25..: the volatility there uses the bars before the run
    np.testing.assert_array_equal(prices.daily_vol(5), daily_vol(BARS.close, 5, 1.0)[25:33])
    np.testing.assert_array_equal(prices.open, BARS.open[25:33])


def test_closes_rebuilt_from_records_are_forward_filled():
    ts = pd.to_datetime(BARS.close_ts[:4], utc=True)
    equity = pd.DataFrame({"ts": ts})
    orders = pd.DataFrame({"symbol": ["A", "B"], "bar": [1, 2], "decision_price": [10.0, 20.0]})
    positions = pd.DataFrame({"ts": ts[[0, 3]], "symbol": ["A", "A"], "price": [9.0, 11.0]})
    p = prices_from_records(orders, equity, positions)
    # A: 9 (mark), 10 (decision), 10 (carried), 11 (mark); B: unknown until its decision at bar 2
    np.testing.assert_array_equal(p.close[:, 0], [9.0, 10.0, 10.0, 11.0])
    np.testing.assert_array_equal(p.close[:, 1], [np.nan, np.nan, 20.0, 20.0])
    assert p.source == "records" and p.open is None and p.volume is None
