"""Parity's engine core: sizing, risk, order management and accounting, written once for every broker.

The engine imports neither `brokers` nor `strategies` nor alpaca-py; wiring happens in `parity.app`.
"""

from parity.engine.numba_cache import configure_numba_cache

# Before any kernel compiles: a cache folder keyed by the kernels' source, so an edit never runs stale code.
configure_numba_cache()
