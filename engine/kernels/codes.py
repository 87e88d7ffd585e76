"""The enum codes the kernels pass and compare, as np.int64.

np.int64, not int: numba types a global Python int as a literal, and a kernel called with literal
arguments (push_risk_event, append_order) would be compiled again for every distinct value; a
global np.int64 is typed int64, so each of those kernels compiles once.
"""

from __future__ import annotations

import numpy as np

from parity.engine.types import OrderReason, OrderStatus, OrderType, RiskAction, RiskRule, TimeInForce

REBALANCE = np.int64(OrderReason.REBALANCE)
STOP_LOSS_REASON = np.int64(OrderReason.STOP_LOSS)
EMERGENCY_FLATTEN = np.int64(OrderReason.EMERGENCY_FLATTEN)
NEW = np.int64(OrderStatus.NEW)
CANCELED = np.int64(OrderStatus.CANCELED)
MARKET = np.int64(OrderType.MARKET)
LIMIT = np.int64(OrderType.LIMIT)
STOP = np.int64(OrderType.STOP)
SCALED = np.int64(RiskAction.SCALED)
REFUSED = np.int64(RiskAction.REFUSED)
EXIT = np.int64(RiskAction.EXIT)
SHORT_NOT_ALLOWED = np.int64(RiskRule.SHORT_NOT_ALLOWED)
POSITION_SIZE = np.int64(RiskRule.POSITION_SIZE)
TOTAL_EXPOSURE = np.int64(RiskRule.TOTAL_EXPOSURE)
DAILY_LOSS = np.int64(RiskRule.DAILY_LOSS)
POSITION_RISK = np.int64(RiskRule.POSITION_RISK)
SECTOR_EXPOSURE = np.int64(RiskRule.SECTOR_EXPOSURE)
MIN_TRADE_SIZE = np.int64(RiskRule.MIN_TRADE_SIZE)
MAX_ORDERS_PER_BAR = np.int64(RiskRule.MAX_ORDERS_PER_BAR)
STOP_LOSS_RULE = np.int64(RiskRule.STOP_LOSS)
EMERGENCY_STOP = np.int64(RiskRule.EMERGENCY_STOP)
BUYING_POWER = np.int64(RiskRule.BUYING_POWER)
GTC = np.int64(TimeInForce.GTC)
DAY = np.int64(TimeInForce.DAY)
