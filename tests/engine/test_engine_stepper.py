"""The stepped loop against fakes: it goes through the protocol only and never imports a broker."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from parity.engine.broker import AccountState, OrderAck
from parity.engine.signals import SignalSet
from parity.engine.stepper import run_stepped
from parity.engine.types import OrderStatus

from test_engine_backtest import CFG, hand_bars


class RefusingBroker:
    """Accepts nothing; holds 100,000 cash and nothing else."""

    def __init__(self):
        self.submitted = []

    def account(self):
        return AccountState(cash=100_000.0, equity=100_000.0)

    def positions(self):
        return {"XYZ": 5.0}  # outside the universe: ignored

    def submit(self, orders):
        self.submitted.extend(orders)
        return [OrderAck(o.client_order_id, accepted=False, reason="no") for o in orders]

    def cancel(self, ids):
        raise AssertionError("nothing works, so nothing is cancelled")

    def open_orders(self):
        return []

    def events_since(self, cursor):
        return [], cursor


def test_rejected_orders_are_recorded_as_rejected_and_retried_next_bar():
    bars = hand_bars([10, 11, 12], [10.5, 11.5, 12.5])
    signals = SignalSet(np.array([[1.0], [1.0], [np.nan]]), np.array(["", "", ""]))
    broker = RefusingBroker()
    r = run_stepped(bars, signals, CFG, broker, "rej")
    # bar 0: 1.0 * 10,000 / 10.5 -> 952; bar 1: nothing held or working, 10,000 / 11.5 -> 869
    assert [(o.qty, o.client_order_id) for o in broker.submitted] == [(952.0, "prt-rej-00000001"),
                                                                    (869.0, "prt-rej-00000002")]
    assert r.orders["status"].tolist() == [OrderStatus.REJECTED] * 2
    assert r.positions.tolist() == [[0.0], [0.0], [0.0]] and len(r.fills) == 0
    assert r.equity["equity"].tolist() == [100_000.0] * 3


def test_the_engine_loop_imports_no_broker():
    code = "import sys, parity.engine.stepper; bad = [m for m in sys.modules if m.startswith(('parity.brokers', 'parity.strategies', 'alpaca'))]; print(bad); sys.exit(bool(bad))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
