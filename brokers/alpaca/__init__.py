"""Alpaca paper (and, with an explicit opt-in, live) broker. The only package that imports alpaca-py."""

from parity.brokers.alpaca.broker import AlpacaBroker, BrokerUnavailable, MarketClock, Session
from parity.brokers.alpaca.credentials import Credentials, MissingCredentials, credentials_from_env

__all__ = ["AlpacaBroker", "BrokerUnavailable", "Credentials", "MarketClock", "MissingCredentials", "Session",
           "credentials_from_env"]
