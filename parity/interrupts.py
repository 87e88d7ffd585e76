"""Ctrl-C and SIGTERM as one kind of interruption, raised where the program is.

The handler raises `Interrupted` (a KeyboardInterrupt) and also remembers the signal: an exception
raised while C code calls back into Python (numba compiling through llvmlite, for one) is printed and
dropped by the interpreter, so the run would go on as if nothing happened. `raise_if_pending()`,
called before anything is committed (a run folder moved into place), raises it again there.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

_pending: int | None = None


class Interrupted(KeyboardInterrupt):
    """A termination signal, raised where the program is, like Ctrl-C's KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _handler(signum: int, _frame: object) -> None:
    global _pending
    _pending = signum
    raise Interrupted(signum)


def raise_if_pending() -> None:
    """Raise the interruption again if a signal arrived (and its exception may have been dropped)."""
    if _pending is not None:
        raise Interrupted(_pending)


def install() -> Callable[[], None]:
    """Handle SIGINT and SIGTERM in this (main) thread; returns a function that puts the previous
    handlers back. In another thread (an in-process caller) nothing is installed."""
    global _pending
    _pending = None
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: dict[int, Any] = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for s, handler in previous.items():
            signal.signal(s, handler)

    return restore
