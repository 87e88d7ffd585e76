"""Paper fills against the simulator's assumptions for the same fills, worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cost_kit import close_ts, fill_row, frames, order_row

from parity.engine.config.schema import SimulationConfig
from parity.engine.types import OrderType
from parity.reports.costs_compare import compare_with_simulator, comparison_summary
from parity.reports.costs_prices import MarketPrices

# AAA alternates 100 / 102: with vol_lookback 2, daily_vol at bar 3 = sd(+ln 1.02, -ln 1.02) = ln(1.02) * sqrt(2)
CLOSE = np.array([[100.0, 50.0], [102.0, 50.0], [100.0, 50.0], [102.0, 50.0], [100.0, 50.0]])
VOL = math.log(1.02) * math.sqrt(2)
SIM = SimulationConfig(
    slippage={"fixed_bps": 1.0, "half_spread_bps": 2.0, "impact_coef": 0.1, "vol_lookback": 2},
    fees={"commission_per_share": 0.0035, "commission_min": 0.35, "sec_fee_rate": 27.8e-6,
          "taf_per_share": 0.000166, "taf_max_per_trade": 8.30},
)


def test_realised_against_modelled_slippage_and_fees():
    prices = MarketPrices(symbols=("AAA", "BBB"), close_ts=close_ts(5), session=np.arange(5), close=CLOSE,
                          volume=None, bars_per_session=1.0, source="bars")
    o, f = frames(
        [order_row(1, 2, 0, 1, 1000.0, 100.0, 50.00, filled=1000.0),
         order_row(2, 2, 1, -1, 500.0, 50.0, 50.80, filled=500.0, otype=OrderType.LIMIT, limit=51.0)],
        [fill_row(1, 3, 0, 1, 1000.0, 50.05, 50.00, commission=1.0, participation=0.04),
         fill_row(2, 3, 1, -1, 500.0, 51.00, 51.00, commission=1.0, participation=0.01)],
        equity=(1.0,) * 5)
    c = compare_with_simulator(o, f, prices, SIM).set_index("order_id")
    # fill 1 (market buy): realised (50.05 - 50.00) / 50.00 * 1e4 = 10 bps;
    #   model 1 + 2 + 1e4 * 0.1 * VOL * sqrt(0.04) = 3 + 1000 * VOL * 0.2 = 3 + 200 * VOL (= 8.6010) bps
    assert c.loc[1, "realised_slippage_bps"] == pytest.approx(10.0)
    assert c.loc[1, "model_slippage_bps"] == pytest.approx(3.0 + 200.0 * VOL)
    # fees: realised 1.00; model commission max(0.0035 * 1000, 0.35) = 3.50, no SEC/TAF on a buy;
    #   on 1000 * 50 = 50,000 notional: 0.2 bps vs 0.7 bps
    assert (c.loc[1, "realised_fees"], c.loc[1, "model_fees"]) == pytest.approx((1.0, 3.5))
    assert c.loc[1, "difference_bps"] == pytest.approx(10.0 + 0.2 - (3.0 + 200.0 * VOL) - 0.7)
    # fill 2 (limit sell at its limit 51.00, arrival 50.80): realised -(51.00 - 50.80) / 50.80 * 1e4 (a gain);
    #   the simulator slips no limit fill at its limit -> model 0
    assert c.loc[2, "realised_slippage_bps"] == pytest.approx(-0.2 / 50.8 * 1e4)
    assert c.loc[2, "model_slippage_bps"] == 0.0
    # model fees of selling 500 at 51: commission 1.75 + SEC 27.8e-6 * 25,500 = 0.7089 + TAF 0.000166 * 500 = 0.083
    assert c.loc[2, "model_fees"] == pytest.approx(1.75 + 0.7089 + 0.083)

    s = comparison_summary(c.reset_index())
    w1, w2 = 50_000.0, 500 * 50.8  # notional at arrival
    assert s["notional"] == pytest.approx(w1 + w2)
    assert s["realised_slippage_bps"] == pytest.approx((10.0 * w1 + (-0.2 / 50.8 * 1e4) * w2) / (w1 + w2))


def test_missing_participation_is_recomputed_from_bar_volume():
    prices = MarketPrices(symbols=("AAA", "BBB"), close_ts=close_ts(5), session=np.arange(5), close=CLOSE,
                          volume=np.full((5, 2), 25_000.0), bars_per_session=1.0, source="bars")
    o, f = frames([order_row(1, 2, 0, 1, 1000.0, 100.0, 50.0, filled=1000.0)],
                  [fill_row(1, 3, 0, 1, 1000.0, 50.05, 50.0, participation=np.nan)], equity=(1.0,) * 5)
    c = compare_with_simulator(o, f, prices, SIM)
    assert c.loc[0, "participation"] == pytest.approx(0.04)  # 1000 / 25,000
    assert c.loc[0, "model_slippage_bps"] == pytest.approx(3.0 + 200.0 * VOL)
