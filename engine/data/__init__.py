"""Market data: calendar-aligned `Bars` from the embedded dataset, a user's file or a generator."""

from parity.engine.data.bars import Bars
from parity.engine.data.errors import DataError
from parity.engine.data.loader import load_bars, load_bars_with_report
from parity.engine.data.report import BarIssue, DataReport, Split
from parity.engine.data.synthetic import synthetic_bars

__all__ = ["BarIssue", "Bars", "DataError", "DataReport", "Split", "load_bars", "load_bars_with_report",
           "synthetic_bars"]
