"""A live run's records, rebuilt from its journal in the same RunRecords shape a backtest returns,
so the same report writer, statistics and cost analysis serve both.

Rows: one equity/positions row per decision bar (the book at that bar's close, after its fills);
an order's `bar` is its decision bar; a fill's `bar` is the first decision bar at or after it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from parity.engine.journal import Journal
from parity.engine.records import RunRecords
from parity.engine.types import (
    EQUITY_DTYPE,
    FILL_DTYPE,
    ORDER_DTYPE,
    RISK_EVENT_DTYPE,
    OrderReason,
    OrderStatus,
    RiskAction,
    RiskRule,
)


def records_from_journal(journal: Journal, run_key: str, symbols: Sequence[str], sectors: Sequence[str]) -> RunRecords:
    col = {s: i for i, s in enumerate(symbols)}
    snaps = journal.snapshots(run_key)
    ts = np.array([s.ts for s in snaps], dtype=np.int64)
    equity = np.zeros(len(snaps), dtype=EQUITY_DTYPE)
    positions = np.zeros((len(snaps), len(symbols)))
    close = np.full((len(snaps), len(symbols)), np.nan)
    for t, s in enumerate(snaps):
        equity[t] = (s.ts, s.cash, s.equity, s.gross / s.equity if s.equity else np.nan,
                     s.net / s.equity if s.equity else np.nan)
        for sym, qty in s.positions.items():
            positions[t, col[sym]] = qty
        for sym, mark in s.marks.items():
            if sym in col:
                close[t, col[sym]] = mark

    def bar_at_or_after(when: int) -> int:
        return int(min(np.searchsorted(ts, when, side="left"), max(len(ts) - 1, 0)))

    # Orders of every runner start of this run, numbered 1.. in the order they were journaled (the
    # client ids carry a per-start key, so their own numbers restart).
    intents = [i for i in journal.intents() if i.run_key == run_key]
    number = {it.request.client_order_id: k + 1 for k, it in enumerate(intents)}
    reasons: dict[str, str] = {}
    for _, payload in journal.decisions(run_key):
        reasons.update(payload.get("reasons", {}))
    filled = journal.filled()
    last = journal.last_statuses()
    orders = np.zeros(len(intents), dtype=ORDER_DTYPE)
    for k, it in enumerate(intents):
        r = it.request
        cid = r.client_order_id
        status = last.get(cid, OrderStatus.REJECTED if it.state in ("rejected", "dropped") else OrderStatus.NEW)
        orders[k] = (number[cid], int(np.searchsorted(ts, r.decision_ts)), col[r.symbol], int(r.side),
                     int(r.type), int(r.time_in_force), int(OrderReason[reasons.get(cid, "REBALANCE")]), int(status), r.qty,
                     filled.get(cid, (0.0, 0.0))[0], np.nan if r.limit_price is None else r.limit_price,
                     np.nan if r.stop_price is None else r.stop_price, r.decision_ts, it.created_ns,
                     r.decision_price, np.nan, False)  # triggered: not journaled (executed_as reads the fill)
    fill_list = [f for f in journal.fills() if f.client_order_id in number]
    fills = np.zeros(len(fill_list), dtype=FILL_DTYPE)
    for k, f in enumerate(fill_list):
        fills[k] = (number[f.client_order_id], bar_at_or_after(f.ts), col[f.symbol], int(f.side), f.qty, f.price,
                    f.price, f.commission, f.sec_fee, f.taf_fee, f.ts, f.ts, np.nan)
    raw_events = journal.risk_events(run_key)
    events = np.zeros(len(raw_events), dtype=RISK_EVENT_DTYPE)
    for k, (when, sym, rule, action, requested, allowed) in enumerate(raw_events):
        events[k] = (int(np.searchsorted(ts, when)), when, col.get(sym, -1), int(RiskRule[rule.upper()]),
                     int(RiskAction[action.upper()]), requested, allowed)
    return RunRecords(symbols=tuple(symbols), sectors=tuple(sectors), run_key=run_key, orders=orders, fills=fills,
                      equity=equity, positions=positions, close=close, risk_events=events,
                      sent_client_order_ids=tuple(it.request.client_order_id for it in intents))
