import numpy as np
import pytest

from parity.engine.monitoring import (drawdown, drawdown_alerts, exposure_alerts, fill_ratio, order_status_counts,
                               rejection_alerts)
from parity.engine.types import EQUITY_DTYPE, ORDER_DTYPE, OrderStatus


def _equity(values, gross=None):
    e = np.zeros(len(values), EQUITY_DTYPE)
    e["ts"] = np.arange(len(values)) * 10
    e["equity"] = values
    e["gross_exposure"] = 0.0 if gross is None else gross
    return e


def _orders(statuses, qty, filled, bars):
    o = np.zeros(len(statuses), ORDER_DTYPE)
    o["status"], o["qty"], o["filled_qty"], o["bar"] = statuses, qty, filled, bars
    return o


def test_order_status_counts_and_fill_ratio():
    o = _orders([OrderStatus.FILLED, OrderStatus.FILLED, OrderStatus.CANCELED], [100, 50, 50], [100, 50, 10],
                [0, 0, 1])
    counts = order_status_counts(o)
    assert counts["filled"] == 2 and counts["canceled"] == 1 and counts["rejected"] == 0
    assert set(counts) == {"new", "partially_filled", "filled", "canceled", "expired", "rejected"}
    assert fill_ratio(o) == pytest.approx(160 / 200)


def test_drawdown_from_the_running_peak():
    assert drawdown(np.array([100.0, 110.0, 99.0, 121.0])).tolist() == pytest.approx([0, 0, 0.1, 0])


def test_alerts_fire_when_a_breach_begins_not_on_every_bar():
    e = _equity([100, 90, 85, 100, 80, 79], gross=[0.5, 1.2, 1.3, 0.9, 1.001, 1.5])
    dd = drawdown_alerts(e, 0.05)  # peak stays 100: drawdowns 0, .10, .15, 0, .20, .21 -> episodes at bars 1, 4
    assert [a.ts for a in dd] == [10, 40]
    ex = exposure_alerts(e, 1.0)  # 1.001 is within the 1% tolerance
    assert [(a.ts, a.value) for a in ex] == [(10, 1.2), (50, 1.5)]


def test_rejection_alerts_by_bar():
    o = _orders([OrderStatus.REJECTED, OrderStatus.FILLED, OrderStatus.FILLED], [1, 1, 1], [0, 1, 1], [0, 0, 1])
    alerts = rejection_alerts(o, np.array([100, 200]), max_share=0.25)
    assert [(a.ts, a.value) for a in alerts] == [(100, 0.5)]
