"""engine/journal.py: WAL mode, intents before sends, fills unique by execution_id."""

from __future__ import annotations

import sqlite3

from parity.engine.broker import Fill, OrderEvent, OrderRequest
from parity.engine.journal import Journal
from parity.engine.types import OrderStatus, OrderType, Side, TimeInForce


def _req(cid: str, side: Side = Side.BUY, qty: float = 10.0) -> OrderRequest:
    return OrderRequest(cid, "AAPL", side, qty, OrderType.LIMIT, TimeInForce.DAY, limit_price=100.5,
                        decision_ts=5, decision_price=101.0)


def test_journal_uses_wal_and_round_trips_intents(tmp_path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        assert j.record_intent(_req("prt-k-00000000"), "k", now_ns=7)
        assert not j.record_intent(_req("prt-k-00000000"), "k", now_ns=8)  # same id: not written twice
        j.mark("prt-k-00000000", "acked", 9, broker_order_id="b-1")
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Journal(path) as j:  # reopened: what a restarted runner sees
        (intent,) = j.intents()
        assert intent.request == _req("prt-k-00000000")
        assert (intent.state, intent.broker_order_id, intent.created_ns) == ("acked", "b-1", 7)
        assert j.intents(("intent",)) == []


def test_fills_are_unique_by_execution_id_and_add_up_to_positions(tmp_path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        buy = Fill("c1", "AAPL", Side.BUY, 10.0, 100.0, 1, execution_id="e1")
        assert j.record_fill(buy)
        assert not j.record_fill(buy)  # the same fill replayed after a reconnect
        assert j.record_fill(Fill("c1", "AAPL", Side.BUY, 5.0, 102.0, 2, execution_id="e2"))
        assert j.record_fill(Fill("c2", "AAPL", Side.SELL, 3.0, 103.0, 3, execution_id="e3"))
        # c1: 15 shares for 10*100 + 5*102 = 1510; AAPL net 15 - 3 = 12
        assert j.filled() == {"c1": (15.0, 1510.0), "c2": (3.0, 309.0)}
        assert j.net_positions() == {"AAPL": 12.0}
        assert [f.execution_id for f in j.fills("c1")] == ["e1", "e2"]


def test_status_changes_signals_decisions_and_notes_are_kept_in_order(tmp_path) -> None:
    with Journal(tmp_path / "j.sqlite") as j:
        j.record_status(OrderEvent("c1", "AAPL", OrderStatus.NEW, 0.0, 1))
        j.record_status(OrderEvent("c1", "AAPL", OrderStatus.FILLED, 10.0, 2))
        assert j.statuses("c1") == [OrderStatus.NEW, OrderStatus.FILLED]
        j.record_signals("k", 1, ["AAPL", "MSFT"], [0.5, float("nan")], "v1")
        j.record_decision("k", 1, {"AAPL": 10})
        j.record_risk_event("k", 1, "AAPL", "position_size", "scaled", 20.0, 10.0)
        j.note(1, "reconcile", "nothing to do")
        assert (j.count("signals"), j.count("decisions"), j.count("risk_events")) == (2, 1, 1)
        assert j.notes("reconcile") == ["nothing to do"]
