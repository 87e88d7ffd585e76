"""The one error type the data layer raises for bad input."""

from __future__ import annotations


class DataError(ValueError):
    """Bad data or data settings, in one line: the file and row or key, what is wrong, how to fix it."""
