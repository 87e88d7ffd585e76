"""brokers/alpaca/tracker.py: a fill counts once, whichever of stream and REST reports it first."""

from __future__ import annotations

from alpaca.trading.models import Order, TradeUpdate

from parity.brokers.alpaca.tracker import OrderTracker
from parity.engine.journal import Journal
from parity.engine.types import OrderStatus

BASE = {"id": "61e69015-8549-4bfd-b9c3-01e75843f47d", "client_order_id": "c1", "created_at": "2024-01-02T15:00:00Z",
        "updated_at": "2024-01-02T15:00:01Z", "submitted_at": "2024-01-02T15:00:00Z", "symbol": "AAPL", "qty": "10",
        "type": "market", "side": "buy", "time_in_force": "day", "extended_hours": False}


def order(status: str, filled: str, avg: str | None) -> Order:
    return Order(**BASE, status=status, filled_qty=filled, filled_avg_price=avg)


def update(event: str, o: Order, qty: str, price: str, execution: str) -> TradeUpdate:
    return TradeUpdate(event=event, order=o, execution_id=execution, qty=qty, price=price,
                       timestamp="2024-01-02T15:00:01Z")


E1, E2 = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"


def test_replayed_stream_fill_is_counted_once(tmp_path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    t = OrderTracker(journal)
    t.track("c1", "AAPL", BASE["id"], 0)
    first = update("partial_fill", order("partially_filled", "4", "100"), "4", "100", E1)
    assert [e.status for e in t.on_update(first)] == [OrderStatus.PARTIALLY_FILLED]
    assert t.on_update(first) == []  # the same execution again (a replay after a reconnect)
    last = update("fill", order("filled", "10", "100.6"), "6", "101", E2)
    (event,) = t.on_update(last)
    assert (event.status, event.filled_qty, event.fill.qty) == (OrderStatus.FILLED, 10.0, 6.0)
    assert [f.qty for f in journal.fills()] == [4.0, 6.0]


def test_rest_recovery_then_late_stream_fill_does_not_double_count(tmp_path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    t = OrderTracker(journal)
    t.track("c1", "AAPL", BASE["id"], 0)
    # REST shows the whole order filled at 100.6 before the stream said anything
    (event,) = t.on_snapshot(order("filled", "10", "100.6"))
    assert (event.status, event.fill.qty, event.fill.price) == (OrderStatus.FILLED, 10.0, 100.6)
    assert t.on_snapshot(order("filled", "10", "100.6")) == []  # polled again: nothing new
    # the stream's own fills arrive late: both already booked by REST
    assert t.on_update(update("partial_fill", order("partially_filled", "4", "100"), "4", "100", E1)) == []
    assert t.on_update(update("fill", order("filled", "10", "100.6"), "6", "101", E2)) == []
    assert journal.net_positions() == {"AAPL": 10.0}


def test_a_restarted_tracker_resumes_from_the_journal(tmp_path) -> None:
    from parity.engine.broker import OrderRequest
    from parity.engine.types import OrderType, Side, TimeInForce

    journal = Journal(tmp_path / "j.sqlite")
    journal.record_intent(OrderRequest("c1", "AAPL", Side.BUY, 10, OrderType.MARKET, TimeInForce.DAY), "k", 0)
    journal.mark("c1", "acked", 0, BASE["id"])
    first = OrderTracker(journal)
    first.on_update(update("partial_fill", order("partially_filled", "4", "100"), "4", "100", E1))
    restarted = OrderTracker(journal)  # knows 4 shares for 400 already
    (event,) = restarted.on_snapshot(order("filled", "10", "100.6"))
    # the gap: 6 shares at (10 * 100.6 - 400) / 6 = 101
    assert event.fill.qty == 6.0 and abs(event.fill.price - 101.0) < 1e-9
