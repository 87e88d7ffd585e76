"""Implementation-shortfall attribution on hand-built orders whose every component is worked out here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cost_kit import fill_row, frames, order_row
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.engine.types import OrderStatus, OrderType
from parity.reports.costs import COMPONENTS, EXECUTION_PARTS, attribute_orders

BUY, SELL = 1, -1


def hand_built() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    orders = [
        # 1: buy 100, decided at 50.00, arrives at 50.10, one fill at 50.12 off a 50.10 reference
        order_row(1, 0, 0, BUY, 100.0, 50.00, 50.10, filled=100.0),
        # 2: sell 200, decided at 20.00, arrives at 19.90; two fills (120 + 50), 30 left unfilled
        order_row(2, 0, 1, SELL, 200.0, 20.00, 19.90, filled=170.0, status=OrderStatus.CANCELED),
        # 3: limit buy 50 at 9.95, decided at 10.00, never filled; the price ran to 10.40
        order_row(3, 1, 0, BUY, 50.0, 10.00, 10.02, otype=OrderType.LIMIT, limit=9.95, status=OrderStatus.EXPIRED),
        # 4: buy 10, decided at 100, the market came down to 99 before it arrived (a gain)
        order_row(4, 1, 1, BUY, 10.0, 100.00, 99.00, filled=10.0),
    ]
    fills = [
        fill_row(1, 1, 0, BUY, 100.0, 50.12, 50.10, commission=0.35),
        fill_row(2, 1, 1, SELL, 120.0, 19.88, 19.90, commission=0.42, sec_fee=0.07, taf_fee=0.02),
        fill_row(2, 2, 1, SELL, 50.0, 19.69, 19.70, commission=0.35, sec_fee=0.03, taf_fee=0.01),
        fill_row(4, 2, 1, BUY, 10.0, 99.05, 99.00),
    ]
    o, f = frames(orders, fills)
    end = pd.Series({1: np.nan, 2: 19.50, 3: 10.40, 4: np.nan})
    return o, f, end


def test_every_component_of_hand_built_orders():
    o, f, end = hand_built()
    a = attribute_orders(o, f, end)
    expected = pd.DataFrame({
        # order 1 (buy, s=+1): delay 100*(50.10-50.00)=10.00; timing 100*(50.10-50.10)=0;
        #   slippage 100*(50.12-50.10)=2.00; fees 0.35; total 12.35 on 100*50=5000 -> 24.7 bps
        1: dict(delay=10.00, timing=0.0, slippage=2.00, fees=0.35, opportunity=0.0, total=12.35, notional=5000.0),
        # order 2 (sell, s=-1): delay -170*(19.90-20.00)=17.00; timing -(120*0 + 50*(19.70-19.90))=10.00;
        #   slippage -(120*(19.88-19.90) + 50*(19.69-19.70)) = 2.40+0.50 = 2.90;
        #   fees (0.42+0.07+0.02) + (0.35+0.03+0.01) = 0.51+0.39 = 0.90;
        #   opportunity -30*(19.50-20.00) = 15.00; total 45.80 on 200*20=4000 -> 114.5 bps
        2: dict(delay=17.00, timing=10.00, slippage=2.90, fees=0.90, opportunity=15.00, total=45.80, notional=4000.0),
        # order 3 (unfilled buy): opportunity 50*(10.40-10.00)=20.00 on 500 -> 400 bps; nothing else
        3: dict(delay=0.0, timing=0.0, slippage=0.0, fees=0.0, opportunity=20.00, total=20.00, notional=500.0),
        # order 4 (buy): delay 10*(99-100)=-10.00 (a gain); slippage 10*0.05=0.50; total -9.50 on 1000
        4: dict(delay=-10.00, timing=0.0, slippage=0.50, fees=0.0, opportunity=0.0, total=-9.50, notional=1000.0),
    }).T
    for col in expected.columns:
        np.testing.assert_allclose(a[col].to_numpy(), expected[col].to_numpy(), atol=1e-9, err_msg=col)
    np.testing.assert_allclose(a["execution"], a["timing"] + a["slippage"], atol=1e-12)
    np.testing.assert_allclose(a["total_bps"], [24.7, 114.5, 400.0, -95.0], atol=1e-9)
    np.testing.assert_allclose(a["opportunity_bps"], [0.0, 37.5, 400.0, 0.0], atol=1e-9)  # 15/4000*1e4 = 37.5
    assert list(a["filled_qty"]) == [100.0, 170.0, 0.0, 10.0]
    assert list(a["unfilled_qty"]) == [0.0, 30.0, 50.0, 0.0]
    # order 2's average price: (120*19.88 + 50*19.69) / 170 = 3370.1 / 170
    assert a.loc[2, "avg_price"] == pytest.approx(3370.1 / 170)
    # participation is qty-weighted over fills (all 0.01 here)
    assert a.loc[2, "participation"] == pytest.approx(0.01)


def test_missing_arrival_price_falls_back_to_the_first_fill_reference():
    o, f = frames([order_row(1, 0, 0, BUY, 10.0, 100.0, np.nan, filled=10.0)], [fill_row(1, 1, 0, BUY, 10.0, 101.1, 101.0)])
    a = attribute_orders(o, f)
    # delay 10*(101-100)=10, slippage 10*0.1=1
    assert a.loc[1, "delay"] == pytest.approx(10.0)
    assert a.loc[1, "slippage"] == pytest.approx(1.0)


def test_unfilled_orders_need_an_end_price_and_unknown_fills_are_refused():
    o, f = frames([order_row(1, 0, 0, BUY, 10.0, 100.0, 100.0)], [])
    with pytest.raises(ValueError, match="end_price"):
        attribute_orders(o, f)
    o, f = frames([order_row(1, 0, 0, BUY, 10.0, 100.0, 100.0)], [fill_row(7, 1, 0, BUY, 10.0, 100.0, 100.0)])
    with pytest.raises(ValueError, match="order_id 7"):
        attribute_orders(o, f, pd.Series({1: 100.0}))
    with pytest.raises(ValueError, match="lacks column"):
        attribute_orders(o.drop(columns="decision_price"), f, pd.Series({1: 100.0}))


# --- properties ----------------------------------------------------------------------------------

prices = st.floats(1.0, 500.0)
fill_strategy = st.tuples(st.floats(0.01, 1.0), st.floats(-0.05, 0.05), st.floats(0.0, 0.01), st.floats(0.0, 5.0))
order_strategy = st.tuples(
    st.sampled_from([BUY, SELL]), st.floats(1.0, 10_000.0), prices, st.floats(-0.05, 0.05), st.floats(-0.1, 0.1),
    st.lists(fill_strategy, max_size=4), st.floats(0.0, 1.0),
)


def _build(specs, mirror: bool = False):
    """Orders from specs; with mirror=True each is the opposite side with prices reflected about the
    decision price (p -> 2 * decision - p), which must cost exactly the same."""
    orders, fills, ends = [], [], {}
    for oid, (side, qty, decision, arrival_move, end_move, fill_specs, fill_share) in enumerate(specs, start=1):
        reflect = (lambda p: 2 * decision - p) if mirror else (lambda p: p)
        s = -side if mirror else side
        arrival = decision * (1 + arrival_move)
        weights = [w for w, *_ in fill_specs]
        total_w = sum(weights) or 1.0
        filled = 0.0
        for bar, (w, ref_move, slip, fee) in enumerate(fill_specs, start=1):
            q = qty * fill_share * w / total_w
            if q <= 0:
                continue
            ref = arrival * (1 + ref_move)
            price = ref * (1 + side * slip)
            fills.append(fill_row(oid, bar, 0, s, q, reflect(price), reflect(ref), commission=fee))
            filled += q
        orders.append(order_row(oid, 0, 0, s, qty, decision, reflect(arrival), filled=filled))
        ends[oid] = reflect(decision * (1 + end_move))
    o, f = frames(orders, fills)
    return o, f, pd.Series(ends)


@settings(max_examples=100, deadline=None)
@given(st.lists(order_strategy, min_size=1, max_size=6))
def test_components_sum_to_the_total_and_to_the_paper_portfolio_gap(specs):
    o, f, end = _build(specs)
    a = attribute_orders(o, f, end)
    parts = sum(a[c] for c in COMPONENTS)
    np.testing.assert_array_equal(a["total"].to_numpy(), parts.to_numpy())  # exact: total is defined as the sum
    np.testing.assert_allclose(a["execution"], sum(a[c] for c in EXECUTION_PARTS), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(a["total_bps"], sum(a[f"{c}_bps"] for c in COMPONENTS), rtol=1e-9, atol=1e-9)
    # Independent of the decomposition: the gap to a paper portfolio that traded every share at the
    # decision price, with the unfilled shares marked at the end price.
    f2 = f.assign(qp=f["qty"] * f["price"], fee=f["commission"] + f["sec_fee"] + f["taf_fee"])
    per = f2.groupby("order_id")[["qty", "qp", "fee"]].sum().reindex(a.index, fill_value=0.0)
    unfilled = a["qty"] - per["qty"]
    gap = a["side"] * (per["qp"] + unfilled * end.reindex(a.index) - a["qty"] * a["decision_price"]) + per["fee"]
    np.testing.assert_allclose(a["total"], gap, rtol=1e-9, atol=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.lists(order_strategy, min_size=1, max_size=4))
def test_a_sell_costs_what_the_mirrored_buy_costs(specs):
    a = attribute_orders(*_build(specs))
    m = attribute_orders(*_build(specs, mirror=True))
    for c in (*COMPONENTS, *EXECUTION_PARTS, "total"):
        np.testing.assert_allclose(a[c], m[c], rtol=1e-9, atol=1e-6, err_msg=c)


def test_stop_orders_are_measured_from_their_stop_and_untriggered_ones_cost_nothing():
    stop_sell = order_row(1, 0, 0, SELL, 10.0, 100.0, 98.0, filled=10.0, otype=OrderType.STOP)
    stop_sell["stop_price"] = 95.0
    resting = order_row(2, 0, 1, SELL, 10.0, 50.0, 50.5, otype=OrderType.STOP, status=OrderStatus.CANCELED)
    resting["stop_price"] = 45.0
    # triggered on a gap: the bar opened at 94 below the 95 stop, so the reference is 94; filled at 93.90
    o, f = frames([stop_sell, resting], [fill_row(1, 3, 0, SELL, 10.0, 93.90, 94.0)])
    a = attribute_orders(o, f, pd.Series({1: np.nan, 2: 60.0}))
    # benchmark = the stop, 95: delay 0; timing -10 * (94 - 95) = 10.00 (the gap); slippage -10 * (93.90 - 94) = 1.00;
    # total 11.00 on 10 * 95 = 950 -> 115.789 bps
    assert a.loc[1, ["delay", "timing", "slippage", "total"]].tolist() == pytest.approx([0.0, 10.0, 1.0, 11.0])
    assert a.loc[1, "total_bps"] == pytest.approx(11.0 / 950.0 * 1e4)
    # never triggered: no opportunity cost (60 would have been -10 * (60 - 45) = -150) and no notional
    assert a.loc[2, "untriggered"] and a.loc[2, "total"] == 0.0 and a.loc[2, "notional"] == 0.0
    assert not a.loc[1, "untriggered"]
