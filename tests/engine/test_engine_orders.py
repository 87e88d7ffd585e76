import numpy as np
import pytest

from parity.engine.kernels.orders import (cancel_working, generate_orders, limit_price_for, pending_by_symbol,
                                   prioritise)
from parity.engine.types import ORDER_DTYPE, OrderReason, OrderStatus, OrderType, RiskAction, RiskRule, TimeInForce

from engine_kit import book, buffers, params


def _generate(adjusted, prices, b, p, n_existing=0):
    orders, events = buffers()
    cancel = np.zeros(len(adjusted), dtype=bool)
    orders, n, events, m = generate_orders(5, 1_000, np.asarray(adjusted, float), np.asarray(prices, float), b,
                                           p.orders, orders, n_existing, cancel, events, 0)
    return orders[n_existing:n], cancel, events[:m]


def test_orders_are_target_minus_position_with_decision_fields():
    p = params(position_sizing={"min_trade_size": 100})
    b = book([100, 50, 0], prices=[10, 20, 40])
    orders, cancel, events = _generate([300, 0, -10], [10, 20, 40], b, p)
    # symbol 1 reduces (|0| < |50|) so it ranks first; then notional 200 * 10 = 2,000 > 10 * 40 = 400
    assert orders["symbol"].tolist() == [1, 0, 2]
    by_symbol = {int(o["symbol"]): o for o in orders}
    assert (by_symbol[0]["side"], by_symbol[0]["qty"]) == (1, 200.0)
    assert (by_symbol[1]["side"], by_symbol[1]["qty"]) == (-1, 50.0)
    assert (by_symbol[2]["side"], by_symbol[2]["qty"]) == (-1, 10.0)
    o = by_symbol[0]
    assert o["type"] == OrderType.MARKET and o["tif"] == TimeInForce.DAY and o["reason"] == OrderReason.REBALANCE
    assert o["status"] == OrderStatus.NEW and o["filled_qty"] == 0.0 and np.isnan(o["limit_price"])
    assert (o["bar"], o["created_at"], o["arrival_at"], o["decision_price"]) == (5, 1_000, 1_000, 10.0)
    assert np.isnan(o["arrival_price"])
    assert orders["order_id"].tolist() == [1, 2, 3]  # ids follow the ranking
    assert not cancel.any() and len(events) == 0


def test_order_ids_continue_from_the_buffer_count():
    p = params()
    orders, events = buffers(4)
    cancel = np.zeros(1, dtype=bool)
    orders, n, _, _ = generate_orders(0, 0, np.array([500.0]), np.array([10.0]), book([0]), p.orders, orders, 3,
                                      cancel, events, 0)
    assert n == 4 and orders[3]["order_id"] == 4


def test_ranking_puts_risk_reducing_first_then_notional_then_symbol():
    p = params(position_sizing={"min_trade_size": 0})
    # symbol: position -> target at price 10
    # 0: 0 -> 100 (buy 1,000 USD)      1: 0 -> 300 (buy 3,000)    2: 500 -> 400 (reduce 1,000)
    # 3: 0 -> 100 (buy 1,000, tie with 0)   4: -50 -> 0 (reduce 500)
    b = book([0, 0, 500, 0, -50], prices=[10] * 5)
    orders, _, _ = _generate([100, 300, 400, 100, 0], [10] * 5, b, p)
    assert orders["symbol"].tolist() == [2, 4, 1, 0, 3]
    assert orders["order_id"].tolist() == [1, 2, 3, 4, 5]


def test_max_orders_per_bar_refuses_the_lowest_ranked_symbols_whole():
    p = params(position_sizing={"min_trade_size": 0}, order_management={"max_orders_per_bar": 2})
    # symbol 0 has a working buy of 40 that must survive: its replacement was refused
    b = book([0, 0, 500], prices=[10] * 3, pending=[40, 0, 0])
    orders, cancel, events = _generate([100, 300, 400], [10] * 3, b, p)
    assert orders["symbol"].tolist() == [2, 1]  # reduce first, then the larger buy
    assert not cancel[0]
    assert len(events) == 1
    e = events[0]
    assert (e["symbol"], e["rule"], e["action"]) == (0, RiskRule.MAX_ORDERS_PER_BAR, RiskAction.REFUSED)
    assert (e["requested"], e["allowed"]) == (100.0, 40.0)  # target vs position + pending


def test_small_rebalances_are_skipped_with_an_event():
    p = params(position_sizing={"min_trade_size": 500})
    b = book([100, 100], prices=[10, 10])
    orders, cancel, events = _generate([140, 150], [10, 10], b, p)
    # 40 * 10 = 400 < 500 -> skipped; 50 * 10 = 500 -> traded
    assert orders["symbol"].tolist() == [1] and orders[0]["qty"] == 50.0
    assert len(events) == 1 and events[0]["rule"] == RiskRule.MIN_TRADE_SIZE and events[0]["symbol"] == 0
    assert (events[0]["requested"], events[0]["allowed"]) == (140.0, 100.0)


def test_a_run_of_skipped_rebalances_records_one_event_until_the_symbol_trades_or_wants_nothing():
    p = params(position_sizing={"min_trade_size": 500})
    b = book([100, 100], prices=[10, 10])  # the same Book across bars: it carries skip_noted

    def decide(targets):
        return _generate(targets, [10, 10], b, p)

    # bar 1: both want 30-40 more shares (300-400 USD < 500): both skipped, both recorded
    orders, _, events = decide([140, 130])
    assert len(orders) == 0 and events["symbol"].tolist() == [0, 1]
    # bar 2: the targets drift (as a held position's does with its price): still skipped, nothing recorded
    orders, _, events = decide([141, 120])
    assert len(orders) == 0 and len(events) == 0
    # bar 3: symbol 0 wants exactly its holding (the run ends), symbol 1 wants 60 more (600 USD): it trades
    orders, _, events = decide([100, 160])
    assert orders["symbol"].tolist() == [1] and len(events) == 0
    # bar 4: both skip again: a new run each, recorded again (requested = target, allowed = the holding)
    orders, _, events = decide([120, 130])
    assert len(orders) == 0 and events["symbol"].tolist() == [0, 1]
    assert (events[0]["requested"], events[0]["allowed"]) == (120.0, 100.0)


def test_a_changed_intent_cancels_the_working_order_and_replaces_it():
    p = params(position_sizing={"min_trade_size": 100})
    # symbol 0 holds 100 with a working buy of 50 (intent 150); the target is now 300
    b = book([100], prices=[10], pending=[50])
    orders, cancel, _ = _generate([300], [10], b, p)
    assert cancel.tolist() == [True]
    assert orders["qty"].tolist() == [200.0] and orders["side"].tolist() == [1]  # 300 - 100, not 300 - 150


def test_a_reversed_intent_only_cancels_when_the_position_is_already_right():
    p = params(position_sizing={"min_trade_size": 100})
    # holding 100 + working buy 50; target back to 100: cancel the buy, nothing new
    b = book([100, 100], prices=[10, 10], pending=[50, 50])
    orders, cancel, events = _generate([100, 103], [10, 10], b, p)
    assert cancel.tolist() == [True, True] and len(orders) == 0
    # symbol 1: the 3-share replacement (30 USD) is below min_trade_size -> event, still cancelled
    assert len(events) == 1 and events[0]["symbol"] == 1 and events[0]["rule"] == RiskRule.MIN_TRADE_SIZE


def test_unchanged_intent_leaves_working_orders_alone():
    p = params()
    b = book([0], prices=[10], pending=[500])
    orders, cancel, events = _generate([500], [10], b, p)
    assert len(orders) == 0 and not cancel.any() and len(events) == 0


def test_untradable_symbols_get_no_orders():
    p = params()
    orders, cancel, events = _generate([500], [np.nan], book([0]), p)
    assert len(orders) == 0 and len(events) == 0


def test_limit_orders_sit_in_the_traders_favour_on_the_tick_grid():
    p = params(order_management={"default_order_type": "limit", "limit_price_offset": 0.01})
    b = book([100, 0], prices=[100.0, 0.5])
    orders, _, _ = _generate([0, 10000], [99.99, 0.55555], b, p)
    by_symbol = {int(o["symbol"]): o for o in orders}
    assert by_symbol[0]["type"] == OrderType.LIMIT
    assert by_symbol[0]["limit_price"] == pytest.approx(100.99)  # sell: 99.99 * 1.01 = 100.9899 -> up to 100.99
    # buy below $1: 0.55555 * 0.99 = 0.5499945 -> down to 0.5499 on the 1/100-cent grid
    assert by_symbol[1]["limit_price"] == pytest.approx(0.5499, abs=1e-12)


@pytest.mark.parametrize("side,price,offset,expected", [
    (1, 100.0, 0.001, 99.90),  # 99.9 * 100 = 9989.999...; the slack keeps 99.90
    (-1, 100.0, 0.001, 100.10),
    (1, 100.0, -0.002, 100.20),  # negative offset: a marketable buy above the decision price
    (1, 0.5, 0.01, 0.495),
])
def test_limit_price_for(side, price, offset, expected):
    assert limit_price_for(side, price, offset) == pytest.approx(expected, abs=1e-12)


def test_prioritise_is_a_total_order():
    reducing = np.array([False, True, False, False])
    notional = np.array([5.0, 1.0, 5.0, 9.0])
    assert prioritise(np.array([0, 1, 2, 3]), reducing, notional).tolist() == [1, 3, 0, 2]


def _working_book():
    orders = np.zeros(4, ORDER_DTYPE)
    orders["symbol"] = [0, 1, 0, 1]
    orders["side"] = [1, -1, 1, 1]
    orders["qty"] = [100, 30, 10, 5]
    orders["filled_qty"] = [40, 0, 0, 0]
    orders["reason"] = [OrderReason.REBALANCE, OrderReason.REBALANCE, OrderReason.STOP_LOSS, OrderReason.REBALANCE]
    return orders, np.array([0, 1, 2, 3], dtype=np.int64)


def test_pending_is_the_signed_unfilled_remainder_per_symbol():
    orders, working = _working_book()
    pending = np.full(2, 7.0)
    pending_by_symbol(orders, working, 4, pending)
    assert pending.tolist() == [60.0 + 10.0, -30.0 + 5.0]


def test_cancel_working_drops_only_rebalance_orders_of_flagged_symbols_in_order():
    orders, working = _working_book()
    n = cancel_working(orders, working, 4, np.array([True, False]))
    assert n == 3 and working[:n].tolist() == [1, 2, 3]  # the stop-loss order of symbol 0 survives
    assert orders["status"].tolist() == [OrderStatus.CANCELED, 0, 0, 0]
