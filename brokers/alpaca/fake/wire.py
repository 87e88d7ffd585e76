"""JSON bodies in the exact shapes the real API sends (numbers as strings where Alpaca does)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from parity.brokers.alpaca.fake.market_time import rfc3339
from parity.brokers.alpaca.fake.model import Asset, FakeOrder, PositionState, stable_uuid


def num(x: float | None) -> str | None:
    """A decimal string without exponent or float noise: 100.5 -> "100.5", 3.0 -> "3"."""
    if x is None:
        return None
    d = Decimal(repr(float(x))).normalize()
    text = format(d, "f")
    return "0" if text in ("-0", "") else text


def order_json(o: FakeOrder) -> dict[str, Any]:
    return {
        "id": o.id,
        "client_order_id": o.client_order_id,
        "created_at": rfc3339(o.created_at),
        "updated_at": rfc3339(o.updated_at or o.created_at),
        "submitted_at": rfc3339(o.created_at),
        "filled_at": rfc3339(o.filled_at),
        "expired_at": rfc3339(o.expired_at),
        "canceled_at": rfc3339(o.canceled_at),
        "failed_at": rfc3339(o.failed_at),
        "replaced_at": rfc3339(o.replaced_at),
        "replaced_by": o.replaced_by,
        "replaces": o.replaces,
        "asset_id": stable_uuid("asset", o.symbol),
        "symbol": o.symbol,
        "asset_class": "us_equity",
        "notional": None,
        "qty": num(o.qty),
        "filled_qty": num(o.filled_qty),
        "filled_avg_price": num(o.filled_avg_price),
        "order_class": "",
        "order_type": o.type,
        "type": o.type,
        "side": o.side,
        "position_intent": o.position_intent,
        "time_in_force": o.time_in_force,
        "limit_price": num(o.limit_price),
        "stop_price": num(o.stop_price),
        "status": o.status,
        "extended_hours": o.extended_hours,
        "legs": None,
        "trail_percent": None,
        "trail_price": None,
        "hwm": None,
        "source": "access_key",
        "subtag": None,
    }


def position_json(p: PositionState, asset: Asset, price: float, lastday: float, available: float) -> dict[str, Any]:
    qty = p.qty
    market_value = qty * price
    cost_basis = qty * p.avg_entry_price  # signed, like the real API for shorts
    unrealized = market_value - cost_basis
    intraday = qty * (price - lastday)
    return {
        "asset_id": asset.id,
        "symbol": p.symbol,
        "exchange": asset.exchange,
        "asset_class": "us_equity",
        "asset_marginable": asset.marginable,
        "qty": num(qty),
        "qty_available": num(available),
        "avg_entry_price": num(round(p.avg_entry_price, 10)),
        "side": "long" if qty > 0 else "short",
        "market_value": num(round(market_value, 6)),
        "cost_basis": num(round(cost_basis, 6)),
        "unrealized_pl": num(round(unrealized, 6)),
        "unrealized_plpc": num(round(unrealized / abs(cost_basis), 10) if cost_basis else 0.0),
        "unrealized_intraday_pl": num(round(intraday, 6)),
        "unrealized_intraday_plpc": num(round(intraday / abs(qty * lastday), 10) if lastday else 0.0),
        "current_price": num(price),
        "lastday_price": num(lastday),
        "change_today": num(round(price / lastday - 1.0, 10) if lastday else 0.0),
    }


def account_json(
    *,
    key: str,
    cash: float,
    long_mv: float,
    short_mv: float,
    last_equity: float,
    buying_power: float,
    multiplier: float,
    created_at: pd.Timestamp,
) -> dict[str, Any]:
    equity = cash + long_mv + short_mv
    money = lambda x: num(round(x, 6))  # noqa: E731 - local formatter
    margin = abs(long_mv) * 0.5 + abs(short_mv) * 0.5 if multiplier > 1 else 0.0
    return {
        "id": stable_uuid("account", key),
        "account_number": "PA" + str(int(stable_uuid("acct-no", key).replace("-", ""), 16) % 10**10).zfill(10),
        "status": "ACTIVE",
        "crypto_status": "ACTIVE",
        "currency": "USD",
        "cash": money(cash),
        "portfolio_value": money(equity),
        "equity": money(equity),
        "last_equity": money(last_equity),
        "long_market_value": money(long_mv),
        "short_market_value": money(short_mv),
        "buying_power": money(buying_power),
        "regt_buying_power": money(buying_power),
        "non_marginable_buying_power": money(max(cash, 0.0)),
        "options_buying_power": money(max(cash, 0.0)),
        "multiplier": num(multiplier),
        "initial_margin": money(margin),
        "maintenance_margin": money(margin * 0.6),
        "last_maintenance_margin": "0",
        "sma": money(max(equity, 0.0)),
        "accrued_fees": "0",
        "pending_transfer_in": "0",
        "pending_transfer_out": "0",
        "trading_blocked": False,
        "transfers_blocked": False,
        "account_blocked": False,
        "trade_suspended_by_user": False,
        "shorting_enabled": multiplier > 1,
        "options_approved_level": 0,
        "options_trading_level": 0,
        "created_at": rfc3339(created_at),
    }


def asset_json(a: Asset) -> dict[str, Any]:
    return {
        "id": a.id,
        "class": "us_equity",
        "exchange": a.exchange,
        "symbol": a.symbol,
        "name": a.name or f"{a.symbol} Common Stock",
        "status": "active" if a.tradable else "inactive",
        "tradable": a.tradable,
        "marginable": a.marginable,
        "shortable": a.shortable,
        "easy_to_borrow": a.easy_to_borrow,
        "fractionable": a.fractionable,
        "maintenance_margin_requirement": 30,
        "margin_requirement_long": "30",
        "margin_requirement_short": "100",
        "min_order_size": "0.000000001",
        "min_trade_increment": "0.000000001",
        "price_increment": "0.01",
        "attributes": ["fractional_eh_enabled"] if a.fractionable else [],
    }
