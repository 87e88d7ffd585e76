"""Venues behind the engine's Broker protocol: the numba SimBroker and the Alpaca paper adapter."""

import parity.engine  # noqa: F401  (sets the numba cache folder before parity.brokers.sim compiles its kernels)
