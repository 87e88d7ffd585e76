"""Parity's engine core: sizing, risk, order management and accounting, written once for every broker.

The engine imports neither `brokers` nor `strategies` nor alpaca-py; wiring happens in `parity.app`.
"""
