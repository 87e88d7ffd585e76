"""Market data: calendar-aligned `Bars` from the embedded dataset, a user's file or a generator."""

from engine.data.bars import Bars
from engine.data.synthetic import synthetic_bars

__all__ = ["Bars", "synthetic_bars"]
