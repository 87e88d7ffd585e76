"""The default fill model: how a working order fills against one bar.

A fill model is any callable `(order, bar) -> (price, qty) | None`; the server takes the remaining
qty when `qty` is larger. Tests and the parity harness replace it (FakeAlpaca.fill_price_fn) to fill
at exactly the simulated broker's prices.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

from parity.brokers.alpaca.fake.model import Bar, FakeOrder

FillFn = Callable[[FakeOrder, Bar], Optional[Tuple[float, float]]]


def _limit_price(order: FakeOrder, bar: Bar, limit: float) -> float | None:
    """Buy: the open if it is at or below the limit, else the limit if the low reaches it."""
    if order.side == "buy":
        if bar.open <= limit:
            return bar.open
        return limit if bar.low <= limit else None
    if bar.open >= limit:
        return bar.open
    return limit if bar.high >= limit else None


def _stop_triggered_at(order: FakeOrder, bar: Bar, stop: float) -> float | None:
    """Buy stop triggers at the open if it gapped above the stop, else at the stop if the high reaches it."""
    if order.side == "buy":
        if bar.open >= stop:
            return bar.open
        return stop if bar.high >= stop else None
    if bar.open <= stop:
        return bar.open
    return stop if bar.low <= stop else None


def default_fill(order: FakeOrder, bar: Bar) -> tuple[float, float] | None:
    """Market at the open; limit when marketable; stop on trigger; stop-limit as a limit once triggered."""
    qty = order.remaining
    if order.type == "market":
        return bar.open, qty
    if order.type == "limit":
        price = _limit_price(order, bar, float(order.limit_price))
        return None if price is None else (price, qty)
    if order.type == "stop":
        price = _stop_triggered_at(order, bar, float(order.stop_price))
        return None if price is None else (price, qty)
    if order.type == "stop_limit":
        limit = float(order.limit_price)
        if not order.stop_triggered:
            trigger = _stop_triggered_at(order, bar, float(order.stop_price))
            if trigger is None:
                return None
            order.stop_triggered = True
            marketable = trigger <= limit if order.side == "buy" else trigger >= limit
            if marketable:
                return trigger, qty
        price = _limit_price(order, bar, limit)
        return None if price is None else (price, qty)
    return None
