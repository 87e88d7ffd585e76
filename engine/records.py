"""A run's records: the structured arrays the kernels fill, and their DataFrame form at the edge.

Reports, statistics and cost analysis are pure functions of these records, whether they came from a
backtest or a paper run. Column names here are the public schema of `reports/<run-id>/*.parquet`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from parity.engine.types import (
    EQUITY_DTYPE,
    FILL_DTYPE,
    ORDER_DTYPE,
    RISK_EVENT_DTYPE,
    OrderReason,
    OrderStatus,
    OrderType,
    RiskAction,
    RiskRule,
    TimeInForce,
)


def client_order_id(run_key: str, order_id: int) -> str:
    """Deterministic client order id: the same run key and order number always give the same id,
    so a restarted live run can find (and never resend) an order it already sent."""
    return f"prt-{run_key}-{order_id:08d}"


@dataclass(frozen=True)
class RunRecords:
    symbols: tuple[str, ...]
    sectors: tuple[str, ...]
    run_key: str  # short id used in client order ids (the config hash for backtests)
    orders: np.ndarray  # ORDER_DTYPE
    fills: np.ndarray  # FILL_DTYPE
    equity: np.ndarray  # EQUITY_DTYPE, one row per bar
    positions: np.ndarray  # float64 (T, N) shares held at each bar's close
    close: np.ndarray  # float64 (T, N) marks used for `positions` values
    risk_events: np.ndarray  # RISK_EVENT_DTYPE
    # The ids actually sent, one per row of `orders`, when they are not client_order_id(run_key, order_id):
    # a live run spans restarts that each send under their own key, and the audit trail must name the
    # id the broker saw. Empty: derive them.
    sent_client_order_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name, dtype in (("orders", ORDER_DTYPE), ("fills", FILL_DTYPE), ("equity", EQUITY_DTYPE),
                            ("risk_events", RISK_EVENT_DTYPE)):
            if getattr(self, name).dtype != dtype:
                raise TypeError(f"RunRecords.{name} must have dtype {name.upper()}_DTYPE")
        if self.sent_client_order_ids and len(self.sent_client_order_ids) != len(self.orders):
            raise ValueError(f"RunRecords.sent_client_order_ids: {len(self.sent_client_order_ids)} ids "
                             f"for {len(self.orders)} orders")

    def orders_frame(self) -> pd.DataFrame:
        o = self.orders
        return pd.DataFrame({
            "order_id": o["order_id"],
            "client_order_id": list(self.sent_client_order_ids)
            or [client_order_id(self.run_key, int(i)) for i in o["order_id"]],
            "bar": o["bar"],
            "symbol": self._names(o["symbol"]),
            "sector": self._sectors(o["symbol"]),
            "side": o["side"].astype(np.int8),
            "type": _labels(OrderType, o["type"]),  # as submitted, also for a stop that triggered
            "executed_as": executed_as(o),
            "qty": o["qty"],
            "filled_qty": o["filled_qty"],
            "limit_price": o["limit_price"],
            "stop_price": o["stop_price"],
            "time_in_force": _labels(TimeInForce, o["tif"]),
            "reason": _labels(OrderReason, o["reason"]),
            "created_at": _ts(o["created_at"]),
            "arrival_at": _ts(o["arrival_at"]),
            "status": _labels(OrderStatus, o["status"]),
            "decision_price": o["decision_price"],
            "arrival_price": o["arrival_price"],
        })

    def fills_frame(self) -> pd.DataFrame:
        f = self.fills
        return pd.DataFrame({
            "order_id": f["order_id"],
            "bar": f["bar"],
            "symbol": self._names(f["symbol"]),
            "side": f["side"].astype(np.int8),
            "qty": f["qty"],
            "price": f["price"],
            "reference_price": f["reference_price"],
            "commission": f["commission"],
            "sec_fee": f["sec_fee"],
            "taf_fee": f["taf_fee"],
            "participation": f["participation"],
            "ts": _ts(f["ts"]),
            "reported_at": _ts(f["reported_at"]),
        })

    def equity_frame(self) -> pd.DataFrame:
        e = self.equity
        return pd.DataFrame({
            "ts": _ts(e["ts"]),
            "cash": e["cash"],
            "equity": e["equity"],
            "gross_exposure": e["gross_exposure"],
            "net_exposure": e["net_exposure"],
        })

    def positions_frame(self) -> pd.DataFrame:
        """Long format: one row per (bar, symbol) with a non-zero position."""
        rows, cols = np.nonzero(np.nan_to_num(self.positions) != 0.0)
        qty = self.positions[rows, cols]
        price = self.close[rows, cols]
        return pd.DataFrame({
            "ts": _ts(self.equity["ts"][rows]),
            "symbol": self._names(cols),
            "sector": self._sectors(cols),
            "qty": qty,
            "price": price,
            "market_value": qty * price,
        })

    def risk_events_frame(self) -> pd.DataFrame:
        r = self.risk_events
        sym = r["symbol"]
        return pd.DataFrame({
            "bar": r["bar"],
            "ts": _ts(r["ts"]),
            "symbol": [self.symbols[i] if i >= 0 else "*" for i in sym],
            "rule": _labels(RiskRule, r["rule"]),
            "action": _labels(RiskAction, r["action"]),
            "requested": r["requested"],
            "allowed": r["allowed"],
        })

    def _names(self, idx: np.ndarray) -> list[str]:
        return [self.symbols[i] for i in idx]

    def _sectors(self, idx: np.ndarray) -> list[str]:
        return [self.sectors[i] for i in idx]


def executed_as(orders: np.ndarray) -> list[str]:
    """How each order executed, where that differs from its type: "market" for a STOP whose stop was
    reached, "limit" for a STOP_LIMIT's; "" otherwise. A stop with a fill has triggered, so records
    that carry no trigger flag (a paper run's, read back from its journal) are shown the same way."""
    triggered = orders["triggered"] | (orders["filled_qty"] > 0.0)
    return [_EXECUTED_AS.get(int(t), "") if hit else "" for t, hit in zip(orders["type"], triggered)]


_EXECUTED_AS = {int(OrderType.STOP): "market", int(OrderType.STOP_LIMIT): "limit"}


def _ts(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(ns, dtype=np.int64), utc=True))


def _labels(enum: type, codes: np.ndarray) -> list[str]:
    return [enum(int(c)).name.lower() for c in codes]
