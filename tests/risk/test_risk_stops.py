"""Protective stops: placement by the decision kernel and fills by the simulated venue's rules, on
one-symbol hand-made bars through the compiled backtest (frictionless: fills at the reference price).

Common set-up: 100,000 cash, max_position_size 0.1, score 1 on bar 0 then NaN (hold): bar 0 buys
0.1 * 100,000 / 100 = 100 shares at bar 1's open of 100; the stop, 5% below the 100 entry, is 95.00.
"""

from __future__ import annotations

import numpy as np

from parity.brokers.sim.backtest import run_backtest
from parity.engine.kernels.cancels import CANCEL_STOP
from parity.engine.kernels.step import decide_bar
from parity.engine.kernels.stops import stop_level
from parity.engine.signals import SignalSet
from parity.engine.types import OrderReason, OrderStatus, OrderType, RiskAction, RiskRule

from risk_kit import bars, book, buffers, config, params

STOPS = {"stop_orders": True, "stop_loss_pct": 0.05}
SIZING = {"max_position_size": 0.1}


def run(ohlc, risk=None):
    o, h, lo, c = (np.array(x, dtype=float) for x in zip(*ohlc))
    b = bars(o, h, lo, c)
    scores = np.full((len(o), 1), np.nan)
    scores[0] = 1.0
    return run_backtest(b, SignalSet(scores, np.array([""] * len(o))), config(risk={**STOPS, **(risk or {})},
                                                                              sizing=SIZING), "stops")


def stop_orders(r):
    return r.orders[r.orders["reason"] == OrderReason.STOP_LOSS]


def test_a_gap_through_the_stop_fills_at_the_open():
    r = run([(100, 100, 100, 100), (100, 100, 100, 100), (90, 91, 89, 90), (90, 90, 90, 90)])
    stop = stop_orders(r)
    assert len(stop) == 1 and stop[0]["bar"] == 1 and stop[0]["stop_price"] == 95.0
    assert stop[0]["tif"] == 1 and stop[0]["qty"] == 100.0  # GTC, the whole position
    assert stop[0]["status"] == OrderStatus.FILLED
    f = r.fills[r.fills["order_id"] == stop[0]["order_id"]]
    assert (f["bar"][0], f["qty"][0], f["price"][0]) == (2, 100.0, 90.0)  # the open, not the stop
    assert r.positions[2, 0] == 0.0


def test_a_stop_reached_inside_the_bar_fills_at_the_stop_price():
    r = run([(100, 100, 100, 100), (100, 100, 100, 100), (98, 99, 94, 97), (97, 97, 97, 97)])
    f = r.fills[r.fills["order_id"] == stop_orders(r)[0]["order_id"]]
    assert (f["bar"][0], f["price"][0]) == (2, 95.0)


def test_a_close_already_through_the_stop_exits_at_market_next_open():
    # filled at 100 on bar 1, which closes at 94 (below 95) before any stop could rest
    r = run([(100, 100, 100, 100), (100, 100, 93.5, 94), (93, 93, 92, 92.5)])
    stop = stop_orders(r)
    assert len(stop) == 1 and stop[0]["type"] == OrderType.MARKET and stop[0]["bar"] == 1
    f = r.fills[r.fills["order_id"] == stop[0]["order_id"]]
    assert (f["bar"][0], f["price"][0]) == (2, 93.0)
    ev = r.risk_events[r.risk_events["rule"] == RiskRule.STOP_LOSS]
    assert (ev[0]["action"], ev[0]["requested"], ev[0]["allowed"]) == (RiskAction.EXIT, 100.0, 0.0)


def test_a_trailing_stop_ratchets_up_and_never_down():
    r = run([(100, 100, 100, 100), (100, 100, 100, 100), (100, 110, 100, 110), (108, 108, 105, 105),
             (105, 105, 104, 104)], risk={"trailing_stop": True})
    stop = stop_orders(r)
    # bar 1: 95.00; bar 2: 110 * 0.95 = 104.50 replaces it; bar 3: 105 * 0.95 = 99.75 < 104.5 -> kept
    assert stop["stop_price"].tolist() == [95.0, 104.5]
    assert stop["status"].tolist() == [OrderStatus.CANCELED, OrderStatus.FILLED]
    f = r.fills[r.fills["order_id"] == stop[1]["order_id"]]
    assert (f["bar"][0], f["price"][0]) == (4, 104.5)  # low 104 reaches it; the open 105 is above


def test_stop_level_from_the_average_entry_rounded_away_from_the_price():
    p = params(risk=STOPS)
    # long 10.009 * 0.95 = 9.50855 -> 9.50; short 20.003 * 1.05 = 21.00315 -> 21.01
    assert stop_level(1, 10.009, 10.2, 0.0, np.nan, p.risk) == 9.50
    assert stop_level(-1, 20.003, 19.0, 0.0, np.nan, p.risk) == 21.01
    # fixed stops do not trail: a higher close leaves the level at the entry's
    assert stop_level(1, 10.0, 50.0, -5.0, 9.5, p.risk) == 9.5


def test_a_reducing_rebalance_shrinks_the_stop_so_both_filling_never_cross_zero():
    p = params(risk=STOPS)
    b = book([100], [100], avg_entry=[100], stop_qty=[-100], stop_price=[95.0])
    orders, events, cancel = buffers(1)
    # score 0.06 -> 0.06 * 1.0 * 100,000 / 100 = 60 shares: sell 40, the stop now covers 60
    orders, n, events, m = decide_bar(5, 9, np.array([0.06]), np.array([100.0]), b, np.zeros(1, np.int64), p,
                                      orders, 0, cancel, events, 0)
    assert [(o["reason"], o["type"], o["side"], o["qty"]) for o in orders[:n]] == [
        (OrderReason.REBALANCE, OrderType.MARKET, -1, 40.0), (OrderReason.STOP_LOSS, OrderType.STOP, -1, 60.0)]
    assert orders[1]["stop_price"] == 95.0 and cancel[0] == CANCEL_STOP


def test_an_unchanged_stop_is_left_resting_and_a_flat_symbol_loses_its_stop():
    p = params(risk=STOPS)
    orders, events, cancel = buffers(2)
    b = book([100, 0], [100, 50], avg_entry=[100, np.nan], stop_qty=[-100, -20], stop_price=[95.0, 47.5])
    orders, n, events, m = decide_bar(5, 9, np.array([np.nan, np.nan]), np.array([100.0, 50.0]), b,
                                      np.zeros(2, np.int64), p, orders, 0, cancel, events, 0)
    assert n == 0 and cancel.tolist() == [0, CANCEL_STOP]


def test_a_sale_while_an_exit_works_sells_only_what_the_exit_leaves():
    p = params(risk=STOPS)
    # long 20 with a stop-out selling 10 still working; the signal wants 5: sell 20 - 10 - 5 = 5 more
    b = book([20], [100], avg_entry=[100], pending=[-10], exit_pending=[-10])
    orders, events, cancel = buffers(1)
    orders, n, events, m = decide_bar(5, 9, np.array([0.005]), np.array([100.0]), b, np.zeros(1, np.int64), p,
                                      orders, 0, cancel, events, 0)
    rebalance = orders[:n][orders[:n]["reason"] == OrderReason.REBALANCE]
    assert [(o["side"], o["qty"]) for o in rebalance] == [(-1, 5.0)]
    assert cancel[0] & 1 == 0  # the exit is not a rebalance order: it keeps working


def test_no_buy_works_against_an_exit():
    p = params(risk=STOPS)
    # long 20, exit selling 10 working, the signal wants 40: refused (STOP_LOSS) until the exit is done
    b = book([20], [100], avg_entry=[100], pending=[-10], exit_pending=[-10])
    orders, events, cancel = buffers(1)
    orders, n, events, m = decide_bar(5, 9, np.array([0.04]), np.array([100.0]), b, np.zeros(1, np.int64), p,
                                      orders, 0, cancel, events, 0)
    assert not np.any(orders[:n]["reason"] == OrderReason.REBALANCE)
    ev = events[:m][events[:m]["rule"] == RiskRule.STOP_LOSS][0]
    assert (ev["action"], ev["requested"], ev["allowed"]) == (RiskAction.REFUSED, 40.0, 10.0)
