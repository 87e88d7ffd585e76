"""The engine's parameters as small NamedTuples of plain numbers, built once from the config.

numba kernels receive these (never the pydantic config). Enum-valued settings become the ints of
parity.engine.types, so a kernel compares `params.orders.order_type == MARKET` without strings.
"""

from __future__ import annotations

from typing import NamedTuple

from parity.engine.config.schema import ParityConfig
from parity.engine.types import OrderType, TimeInForce


class SizingParams(NamedTuple):
    signal_threshold: float  # |score| below this -> target 0
    max_position_size: float  # weight of a score of +-1, fraction of equity
    max_total_exposure: float  # gross cap, fraction of equity (enforced by the risk review)
    min_trade_size: float  # USD
    allow_short: bool
    fractional: bool  # False -> whole shares, rounded toward zero


class RiskParams(NamedTuple):
    max_position_size: float  # |position value| cap per symbol, fraction of equity
    max_total_exposure: float  # sum |position value| cap, fraction of equity
    max_daily_loss: float
    max_position_risk: float
    max_sector_exposure: float
    stop_loss_pct: float
    trailing_stop: bool
    flatten_on_emergency_stop: bool
    fractional: bool  # how a scaled target is rounded (same rule as sizing)
    stop_orders: bool  # rest a protective stop per open position (engine/kernels/stops.py)
    # Buying power an order that adds exposure reserves, per USD at the decision price (the venue's
    # rule, engine/kernels/risk.py: cap_buying_power): a buy at its limit, or 1 + buying_power_buffer
    # at market; an opening short at the higher of its limit and 1 + buffer.
    buy_reserve: float
    short_reserve: float


class OrderParams(NamedTuple):
    order_type: int  # OrderType.MARKET or LIMIT
    limit_offset: float  # fraction of the decision price in the trader's favour; < 0 = marketable
    tif: int  # TimeInForce
    max_orders_per_bar: int
    min_trade_size: float  # USD; smaller rebalances are skipped


class EngineParams(NamedTuple):
    sizing: SizingParams
    risk: RiskParams
    orders: OrderParams


_ORDER_TYPES = {"market": OrderType.MARKET, "limit": OrderType.LIMIT}
_TIFS = {"day": TimeInForce.DAY, "gtc": TimeInForce.GTC, "ioc": TimeInForce.IOC}


def reserve_factors(order_type: str, limit_offset: float, buffer: float) -> tuple[float, float]:
    """(buy, opening short) buying power reserved per USD of decision-price notional, as Alpaca counts
    it: a limit order at its limit price (offset in the trader's favour), a market order `buffer`
    above the price; an opening short at the higher of its limit and the buffered price."""
    if order_type == "limit":
        return 1.0 - limit_offset, max(1.0 + limit_offset, 1.0 + buffer)
    return 1.0 + buffer, 1.0 + buffer


def engine_params(config: ParityConfig) -> EngineParams:
    """The kernels' view of `position_sizing`, `risk_management` and `order_management`."""
    ps, rm, om = config.position_sizing, config.risk_management, config.order_management
    sizing = SizingParams(
        signal_threshold=float(ps.signal_threshold),
        max_position_size=float(ps.max_position_size),
        max_total_exposure=float(ps.max_total_exposure),
        min_trade_size=float(ps.min_trade_size),
        allow_short=bool(ps.allow_short),
        fractional=bool(ps.fractional_shares),
    )
    buy_reserve, short_reserve = reserve_factors(om.default_order_type, float(om.limit_price_offset),
                                                 float(rm.buying_power_buffer))
    risk = RiskParams(
        max_position_size=float(ps.max_position_size),
        max_total_exposure=float(ps.max_total_exposure),
        max_daily_loss=float(rm.max_daily_loss),
        max_position_risk=float(rm.max_position_risk),
        max_sector_exposure=float(rm.max_sector_exposure),
        stop_loss_pct=float(rm.stop_loss_pct),
        trailing_stop=bool(rm.trailing_stop),
        flatten_on_emergency_stop=bool(rm.flatten_on_emergency_stop),
        fractional=bool(ps.fractional_shares),
        stop_orders=bool(rm.stop_orders),
        buy_reserve=buy_reserve,
        short_reserve=short_reserve,
    )
    orders = OrderParams(
        order_type=int(_ORDER_TYPES[om.default_order_type]),
        limit_offset=float(om.limit_price_offset),
        tif=int(_TIFS[om.time_in_force]),
        max_orders_per_bar=int(om.max_orders_per_bar),
        min_trade_size=float(ps.min_trade_size),
    )
    return EngineParams(sizing=sizing, risk=risk, orders=orders)
