import numpy as np

from parity.engine.kernels.step import decide_bar
from parity.engine.types import RiskRule

from engine_kit import book, buffers, params


def test_decide_bar_chains_sizing_risk_and_orders():
    p = params(position_sizing={"max_position_size": 0.4, "max_total_exposure": 0.5, "min_trade_size": 100,
                                "signal_threshold": 0.1, "allow_short": False})
    # equity 100,000; symbol 2 holds 1,000 shares with a working sell of 1,000; symbol 3 holds 50
    b = book([0, 0, 1000, 50], prices=[10, 20, 10, 10], pending=[0, 0, -1000, 0])
    orders, events = buffers()
    cancel = np.zeros(4, dtype=bool)
    scores = np.array([1.0, 0.5, np.nan, -0.8])
    orders, n, events, m = decide_bar(9, 123, scores, np.array([10.0, 20.0, 10.0, 10.0]), b, np.zeros(4, np.int64),
                                      p, orders, 0, cancel, events, 0)
    # sizing: 1.0*0.4*100,000/10 = 4,000 sh; 0.5*0.4*100,000/20 = 1,000 sh; NaN -> hold 1,000-1,000 = 0;
    #         -0.8 without shorts -> 0 (event)
    # risk: gross 40,000 + 20,000 = 60,000 > 50,000 -> scale 5/6: 3,333 and 833 shares
    # orders: symbol 3 sells its 50 shares first (risk-reducing), then the larger buy first
    assert orders[:n]["symbol"].tolist() == [3, 0, 1]
    assert orders[:n]["qty"].tolist() == [50.0, 3333.0, 833.0]
    assert not cancel.any()  # symbol 2 has no view: its working sell stays
    rules = events[:m]["rule"].tolist()
    assert rules == [RiskRule.SHORT_NOT_ALLOWED, RiskRule.TOTAL_EXPOSURE, RiskRule.TOTAL_EXPOSURE]
