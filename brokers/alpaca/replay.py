"""Replaying a Bars history through the fake Alpaca server, as the market would deliver it.

`ReplayVenue.play_bar(t)` feeds bar t to a FakeAlpaca (working orders trade at it), moves the fake's
clock to the bar's close and, at a session's last bar, expires day orders. `ReplayBroker` is an
AlpacaBroker that is also `BarDriven` (engine/stepper.py): the stepped loop calls `on_bar(t)`, the
venue plays the bar and the broker waits until it has heard every resulting event, so the engine's
next step sees a settled account, exactly as with the SimBroker. Used by the parity tests and by
`parity paper --replay`.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from parity.brokers.alpaca.broker import AlpacaBroker
from parity.brokers.alpaca.mapping import WORKING_STATUSES
from parity.engine.data.bars import Bars

if TYPE_CHECKING:  # the fake server (aiohttp) is imported by whoever starts one
    from parity.brokers.alpaca.fake import FakeAlpaca

FillPrices = Callable[[str, int], "tuple[float, float] | None"]  # (client_order_id, bar) -> (price, qty)


class ReplayVenue:
    def __init__(self, fake: FakeAlpaca, bars: Bars, fill_prices: FillPrices | None = None) -> None:
        self.fake, self.bars = fake, bars
        self._t = -1
        ends = np.ones(bars.n_bars, dtype=bool)
        ends[:-1] = bars.session[1:] != bars.session[:-1]
        self._ends = ends
        if fill_prices is not None:
            fake.fill_price_fn = lambda order, bar: fill_prices(order.client_order_id, self._t)

    def play_bar(self, t: int) -> None:
        b = self.bars
        self._t = t
        prints = {}
        for i, sym in enumerate(b.symbols):
            o, h, l, c, v = b.open[t, i], b.high[t, i], b.low[t, i], b.close[t, i], b.volume[t, i]  # noqa: E741
            if all(math.isfinite(x) for x in (o, h, l, c)):
                prints[sym] = (float(o), float(h), float(l), float(c), float(v) if math.isfinite(v) else 0.0)
        self.fake.feed_bar(pd.Timestamp(int(b.open_ts[t]), tz="UTC"), prints)
        self.fake.set_time(pd.Timestamp(int(b.close_ts[t]), tz="UTC"))
        if self._ends[t]:
            self.fake.end_session()


class ReplayBroker(AlpacaBroker):
    """An AlpacaBroker whose venue is a FakeAlpaca replaying bars (see the module docstring)."""

    def __init__(self, venue: ReplayVenue, *args: Any, settle_timeout_s: float = 20.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.venue = venue
        self._settle_timeout = settle_timeout_s

    def on_bar(self, t: int) -> None:
        self.venue.play_bar(t)
        self.settle()

    def settle(self) -> None:
        """Block until every order of ours shows the fake's filled quantity and end state."""
        deadline = time.monotonic() + self._settle_timeout
        while True:
            self.sync()
            if self._agrees():
                return
            if time.monotonic() > deadline:
                self.sync(force_poll=True)
                if self._agrees():
                    return
                raise TimeoutError("the replay venue's events did not reach the broker in time")
            time.sleep(0.002)

    def _agrees(self) -> bool:
        for order in self.venue.fake.orders():
            t = self._tracker.get(order["client_order_id"])
            if t is None:
                continue
            if abs(t.filled_qty - float(order["filled_qty"] or 0.0)) > 1e-9:
                return False
            if (order["status"] not in WORKING_STATUSES) != t.done:
                return False
        return True
