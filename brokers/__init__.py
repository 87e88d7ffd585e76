"""Venues behind the engine's Broker protocol: the numba SimBroker and the Alpaca paper adapter."""

import engine  # noqa: F401  (sets the numba cache folder before brokers.sim compiles its kernels)
