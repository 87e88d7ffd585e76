"""Invariants of the fake's accounting under random order flow (the ledger alone, no HTTP)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parity.brokers.alpaca.fake.ledger import Ledger
from parity.brokers.alpaca.fake.market_time import to_utc
from parity.brokers.alpaca.fake.model import ApiError, Bar

START_CASH = 1_000_000.0
trades = st.lists(
    st.tuples(st.sampled_from(["buy", "sell"]), st.integers(1, 50), st.integers(100, 20_000).map(lambda c: c / 100)),
    min_size=1, max_size=30,
)


def fresh_ledger() -> Ledger:
    return Ledger(cash=START_CASH, now=to_utc("2024-01-02T15:00:00Z"), multiplier=2.0, enforce_buying_power=False)


@settings(max_examples=60, deadline=None)
@given(trades)
def test_cash_and_positions_add_up_and_longs_never_flip(flow):
    ledger = fresh_ledger()
    expected_cash, expected_qty = START_CASH, 0
    for i, (side, qty, price) in enumerate(flow):
        before = ledger.positions.get("AAPL")
        before_qty = before.qty if before else 0.0
        try:
            order = ledger.submit({"symbol": "AAPL", "side": side, "qty": qty, "type": "market",
                                   "time_in_force": "day", "client_order_id": f"o{i}"})
        except ApiError as e:
            # the only refusal: selling more than a long position holds
            assert e.status == 403 and side == "sell" and 0 < before_qty < qty
            continue
        ledger.after_ack(order)
        ledger.apply_fill(order, qty, price)
        sign = 1 if side == "buy" else -1
        expected_cash -= sign * qty * price
        expected_qty += sign * qty
        after = ledger.positions.get("AAPL")
        assert not (before_qty > 0 and after is not None and after.qty < 0)  # a sell never flips a long
    held = ledger.positions.get("AAPL")
    assert abs(ledger.cash - expected_cash) < 1e-6
    assert (held.qty if held else 0) == expected_qty
    fills = [m for m in ledger.events if m["data"]["event"] == "fill"]
    assert len({m["data"]["execution_id"] for m in fills}) == len(fills)  # execution ids are unique


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50), st.integers(100, 20_000).map(lambda c: c / 100)), min_size=1, max_size=20))
def test_average_entry_is_the_volume_weighted_price_of_adds(adds):
    ledger = fresh_ledger()
    for i, (qty, price) in enumerate(adds):
        order = ledger.submit({"symbol": "AAPL", "side": "buy", "qty": qty, "type": "market", "time_in_force": "day",
                               "client_order_id": f"a{i}"})
        ledger.apply_fill(order, qty, price)
    total_qty = sum(q for q, _ in adds)
    vwap = sum(q * p for q, p in adds) / total_qty
    assert abs(ledger.positions["AAPL"].avg_entry_price - vwap) < 1e-9
    # marked at the average entry, equity is unchanged: the fake neither creates nor loses money
    ledger.match_bars({"AAPL": Bar(ledger.now, vwap, vwap, vwap, vwap, 0.0)}, None, lambda o, q: q)
    assert abs(ledger.equity() - START_CASH) < 1e-6
