"""Property tests: invariants of match_bar over random orders, bars and venue parameters."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_kit import open_ts, order, params, run

from parity.engine.types import OrderStatus, OrderType, Side, TimeInForce

prices = st.floats(5.0, 15.0, allow_nan=False)


@st.composite
def bar_panel(draw, n_bars: int, n_symbols: int) -> list[np.ndarray]:
    """One (T, 5) OHLCV array per symbol: consistent OHLC, some NaN bars, some thin or empty volume."""
    panel = []
    for _ in range(n_symbols):
        rows = []
        for _ in range(n_bars):
            if draw(st.integers(0, 9)) == 0:
                rows.append((np.nan,) * 5)
                continue
            o, c = draw(prices), draw(prices)
            up, down = draw(st.floats(0, 2)), draw(st.floats(0, 2))
            volume = draw(st.sampled_from([0.0, 7.0, 150.0, 1000.0, 123_457.0]))
            rows.append((o, max(o, c) + up, min(o, c) - down, c, volume))
        panel.append(np.array(rows, dtype=np.float64))
    return panel


@st.composite
def scenario(draw):
    n_bars, n_symbols = draw(st.integers(2, 6)), draw(st.integers(1, 3))
    panel = draw(bar_panel(n_bars, n_symbols))
    specs = []
    for _ in range(draw(st.integers(1, 8))):
        otype = draw(st.sampled_from(list(OrderType)))
        bar = draw(st.integers(0, n_bars - 1))
        whole = draw(st.booleans())
        qty = float(draw(st.integers(1, 2000))) if whole else draw(st.floats(0.01, 2000.0))
        specs.append(order(
            side=draw(st.sampled_from(list(Side))), type=otype, qty=qty,
            tif=draw(st.sampled_from(list(TimeInForce))),
            limit=draw(prices) if otype in (OrderType.LIMIT, OrderType.STOP_LIMIT) else np.nan,
            stop=draw(prices) if otype in (OrderType.STOP, OrderType.STOP_LIMIT) else np.nan,
            bar=bar, symbol=draw(st.integers(0, n_symbols - 1)),
            arrival_at=open_ts(bar) + 500 + draw(st.integers(0, 2500)),
        ))
    p = params(
        participation_rate=draw(st.floats(0.01, 1.0)),
        limit_fill_mode=draw(st.integers(0, 1)),
        fixed_bps=draw(st.floats(0, 50)),
        half_spread_bps=draw(st.floats(0, 50)),
        impact_coef=draw(st.floats(0, 2)),
    )
    session_end = [draw(st.booleans()) for _ in range(n_bars)]
    vol = np.full((n_bars, n_symbols), 0.02)
    return specs, panel, p, session_end, vol


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_fills_respect_quantity_cap_limit_and_timing(case) -> None:
    specs, panel, p, session_end, vol = case
    r = run(specs, panel, p, session_end, vol)
    orders, fills = r.orders, r.fills
    original_type = {i + 1: int(s["type"]) for i, s in enumerate(specs)}

    assert (fills["qty"] > 0).all()
    for o in orders:
        mine = fills[fills["order_id"] == o["order_id"]]
        # filled_qty never exceeds qty, and is the sum of the order's fills.
        assert o["filled_qty"] <= o["qty"]
        assert np.isclose(mine["qty"].sum(), o["filled_qty"], rtol=1e-12, atol=1e-9)
        if o["qty"] == np.floor(o["qty"]):
            assert (mine["qty"] == np.floor(mine["qty"])).all()  # whole-share orders fill whole shares
        assert (o["status"] == int(OrderStatus.FILLED)) == (o["filled_qty"] == o["qty"])
        # Never in or before the decision bar, never before arrival.
        for f in mine:
            assert f["bar"] > o["bar"] and open_ts(int(f["bar"])) >= o["arrival_at"]
        # Slippage only ever works against the trader.
        assert (o["side"] * (mine["price"] - mine["reference_price"]) >= 0).all()
        # A limit-priced order never fills beyond its limit, slippage included.
        if original_type[int(o["order_id"])] in (int(OrderType.LIMIT), int(OrderType.STOP_LIMIT)):
            if o["side"] == int(Side.BUY):
                assert (mine["price"] <= o["limit_price"]).all()
            else:
                assert (mine["price"] >= o["limit_price"]).all()

    # All fills in one symbol in one bar stay within the participation cap.
    for t in range(len(panel[0])):
        for s, ohlcv in enumerate(panel):
            here = fills[(fills["bar"] == t) & (fills["symbol"] == s)]
            if len(here):
                cap = p.participation_rate * ohlcv[t, 4]
                assert here["qty"].sum() <= cap * (1 + 1e-12) + 1e-9
                assert np.isfinite(ohlcv[t]).all()  # only tradable bars fill

    # Working orders are exactly the non-terminal ones.
    terminal = {int(x) for x in (OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED, OrderStatus.REJECTED)}
    still = set(r.working_after[-1])
    assert still == {int(o["order_id"]) for o in orders if int(o["status"]) not in terminal}
