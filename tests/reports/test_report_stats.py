"""compute_stats on a hand-checkable run (report_kit) and against independent computations."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_kit import tiny_bars, tiny_records, tiny_signals
from parity.reports.run_data import RunData
from parity.reports.stats import compute_stats, periods_per_year

PPY = 6.0  # 3 returns at 6 periods a year = half a year


@pytest.fixture()
def stats() -> dict:
    run = RunData.from_records("t", tiny_records(), tiny_signals(), tiny_bars())
    return compute_stats(run.equity, run.fills, run.orders, PPY)


def test_return_and_risk_figures_match_hand_arithmetic(stats: dict) -> None:
    # equity 1000 -> 1100 -> 990 -> 1089: returns r = +0.1, -0.1, +0.1
    assert stats["total_return"] == pytest.approx(0.089)  # 1.1 * 0.9 * 1.1 - 1
    assert stats["cagr"] == pytest.approx(1.089**2 - 1)  # half a year -> squared: 0.185921
    # mean r = 0.1/3; sample std (ddof 1) = sqrt((2*(0.2/3)^2 + (0.4/3)^2) / 2) = 0.11547
    # mean/std = 0.288675 = 1/sqrt(12); Sharpe = sqrt(6)/sqrt(12) = 1/sqrt(2)
    assert stats["sharpe"] == pytest.approx(1 / math.sqrt(2))
    # downside deviation = sqrt(mean(min(r,0)^2)) = sqrt(0.01/3); mean / that = 1/sqrt(3); x sqrt(6) = sqrt(2)
    assert stats["sortino"] == pytest.approx(math.sqrt(2))
    assert stats["max_drawdown"] == pytest.approx(-0.10)  # 1100 -> 990
    assert stats["annual_volatility"] == pytest.approx(0.11547005 * math.sqrt(6))


def test_turnover_counts_and_costs_match_hand_arithmetic(stats: dict) -> None:
    # traded notional: 10 * 100 + 5 * 110 = 1550; average equity (1000+1100+990+1089)/4 = 1044.75
    assert stats["traded_notional"] == pytest.approx(1550.0)
    assert stats["turnover_total"] == pytest.approx(1550.0 / 1044.75)
    assert stats["turnover_annual"] == pytest.approx(1550.0 / 1044.75 * 6 / 3)  # 3 periods of 6 a year
    assert stats["orders"] == 3 and stats["fills"] == 2
    assert stats["orders_by_status"] == {"filled": 1, "canceled": 1, "expired": 1}
    assert stats["orders_with_fills"] == 2  # order 1 fully, order 2 partly (5 of 10)
    assert stats["fill_rate"] == pytest.approx(15 / 24)  # (10 + 5 + 0) filled of (10 + 10 + 4) ordered
    # slippage: |100.00 - 99.90| * 10 + |110.00 - 110.10| * 5 = 1.0 + 0.5
    assert stats["costs"]["slippage"] == pytest.approx(1.5)
    assert stats["costs"]["commission"] == pytest.approx(0.70)
    assert stats["costs"]["sec_fee"] == pytest.approx(550 * 27.8e-6)
    assert stats["costs"]["taf_fee"] == pytest.approx(5 * 0.000166)
    total = 1.5 + 0.70 + 550 * 27.8e-6 + 5 * 0.000166
    assert stats["total_costs"] == pytest.approx(total)
    assert stats["total_costs_bps"] == pytest.approx(total / 1550 * 1e4)
    assert stats["costs_bps"]["slippage"] == pytest.approx(1.5 / 1550 * 1e4)


def test_stats_are_strict_json(stats: dict) -> None:
    text = json.dumps(stats, allow_nan=False)
    assert json.loads(text) == stats


def test_flat_equity_and_no_trades_give_none_not_nan() -> None:
    equity = pd.DataFrame({"ts": pd.date_range("2020-01-01", periods=3, tz="UTC"), "equity": [100.0, 100.0, 100.0]})
    fills = tiny_records().fills_frame().iloc[0:0]
    orders = tiny_records().orders_frame().iloc[0:0]
    stats = compute_stats(equity, fills, orders, 252.0)
    assert stats["total_return"] == 0.0 and stats["max_drawdown"] == 0.0
    assert stats["sharpe"] is None  # zero volatility: undefined, stored as null
    assert stats["fill_rate"] is None and stats["total_costs_bps"] is None
    assert stats["orders"] == 0 and stats["total_costs"] == 0.0
    json.dumps(stats, allow_nan=False)


def test_periods_per_year_by_timeframe() -> None:
    assert periods_per_year("1Day") == 252.0
    assert periods_per_year("1Min") == 252.0 * 390
    with pytest.raises(ValueError, match="unknown timeframe"):
        periods_per_year("2Day")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-0.2, 0.2), min_size=2, max_size=60))
def test_drawdown_and_cagr_match_an_independent_numpy_computation(rets: list[float]) -> None:
    values = 1000.0 * np.cumprod(np.r_[1.0, 1.0 + np.array(rets)])
    equity = pd.DataFrame({"ts": pd.date_range("2020-01-01", periods=len(values), tz="UTC"), "equity": values})
    empty = tiny_records()
    stats = compute_stats(equity, empty.fills_frame().iloc[0:0], empty.orders_frame().iloc[0:0], 252.0)
    expected_dd = float(np.min(values / np.maximum.accumulate(values) - 1.0))
    assert stats["max_drawdown"] == pytest.approx(expected_dd, abs=1e-12)
    expected_cagr = (values[-1] / values[0]) ** (252.0 / len(rets)) - 1.0
    assert stats["cagr"] == pytest.approx(expected_cagr, rel=1e-9, abs=1e-12)


def _vectorbt_figures(values: np.ndarray, ppy: float) -> dict[str, float]:
    """The same figures from vectorbt's returns accessor (the oracle parity.reports.stats follows)."""
    import vectorbt  # noqa: F401  (registers the .vbt accessor)

    returns = pd.Series(np.diff(values) / values[:-1])
    acc = returns.vbt.returns(freq=pd.Timedelta(days=1), year_freq=pd.Timedelta(days=ppy))
    return {"total_return": acc.total(), "cagr": acc.annualized(), "annual_volatility": acc.annualized_volatility(),
            "sharpe": acc.sharpe_ratio(), "sortino": acc.sortino_ratio(),
            "max_drawdown": float(pd.Series(values).vbt.drawdown().min())}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(-0.2, 0.2), st.just(0.0)), min_size=2, max_size=300),
       st.sampled_from([252.0, 252.0 * 390, 6.0]))
def test_return_figures_equal_vectorbts_to_the_last_bit(rets: list[float], ppy: float) -> None:
    # numpy here, vectorbt's numba kernels there: same formulas and summation order -> identical floats,
    # so stats.json is what it was when vectorbt computed it
    from parity.reports.stats import return_figures

    values = 1e6 * np.cumprod(np.r_[1.0, 1.0 + np.array(rets)])
    ours, theirs = return_figures(values, ppy), _vectorbt_figures(values, ppy)
    for key, expected in theirs.items():
        got = ours[key]
        assert got == expected or (math.isnan(got) and math.isnan(expected)), (key, got, expected)


def test_flat_equity_gives_infinite_ratios_as_vectorbt_does() -> None:
    from parity.reports.stats import return_figures

    values = np.array([100.0, 100.0, 100.0])
    ours, theirs = return_figures(values, 252.0), _vectorbt_figures(values, 252.0)
    assert ours["sharpe"] == theirs["sharpe"] == math.inf  # zero volatility (compute_stats stores null)
    assert ours["sortino"] == theirs["sortino"] == math.inf
    assert ours["total_return"] == theirs["total_return"] == 0.0
