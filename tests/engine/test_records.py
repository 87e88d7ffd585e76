"""RunRecords names each order by the client id the venue saw."""

from __future__ import annotations

import numpy as np
import pytest

from parity.engine.records import RunRecords, client_order_id
from parity.engine.types import EQUITY_DTYPE, FILL_DTYPE, ORDER_DTYPE, RISK_EVENT_DTYPE


def _records(order_ids: list[int], sent: tuple[str, ...] = ()) -> RunRecords:
    orders = np.zeros(len(order_ids), ORDER_DTYPE)
    orders["order_id"] = order_ids
    return RunRecords(("AAA",), ("Energy",), "k1", orders, np.zeros(0, FILL_DTYPE), np.zeros(1, EQUITY_DTYPE),
                      np.zeros((1, 1)), np.ones((1, 1)), np.zeros(0, RISK_EVENT_DTYPE), sent)


def test_backtest_ids_are_derived_from_the_run_key() -> None:
    assert list(_records([1, 12]).orders_frame()["client_order_id"]) == ["prt-k1-00000001", "prt-k1-00000012"]
    assert client_order_id("k1", 12) == "prt-k1-00000012"


def test_sent_ids_win_over_derived_ones() -> None:
    sent = ("prt-k1e0-00000001", "prt-k1e2-00000001")  # two runner starts, each numbering from 1
    assert tuple(_records([1, 2], sent).orders_frame()["client_order_id"]) == sent


def test_one_sent_id_per_order() -> None:
    with pytest.raises(ValueError, match="1 ids for 2 orders"):
        _records([1, 2], ("only-one",))
