"""Injected clocks: the engine core never reads the wall clock itself.

A backtest steps a SimClock with the bar feed; paper mode uses a clock backed by the wall clock and
the broker's market calendar (brokers/alpaca). Times are int64 ns UTC.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now_ns(self) -> int: ...


class SimClock:
    """Simulated time, moved forward only by whoever drives the bar feed."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now = int(start_ns)

    def now_ns(self) -> int:
        return self._now

    def advance_to(self, ts_ns: int) -> None:
        if ts_ns < self._now:
            raise ValueError(f"SimClock cannot go back in time: {ts_ns} < {self._now}")
        self._now = int(ts_ns)


class WallClock:
    """Real time; used only by the live runner's wiring, never inside the engine core."""

    def now_ns(self) -> int:
        return time.time_ns()
