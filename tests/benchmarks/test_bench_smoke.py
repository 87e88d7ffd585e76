"""The benchmark harness on a tiny workload, so it cannot rot: the three engines agree on final
equity, and the pieces the comparison rests on (dense orders, the floor loop) are checked by hand.
No timing is asserted: speed figures are printed by `python -m benchmarks`, never tested."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console

from benchmarks import report
from benchmarks.child import task_workload
from benchmarks.engines import DenseOrders, floor_loop
from benchmarks.workloads import _rolling_mean


def test_floor_loop_by_hand():
    # bar 0: buy 10 of A at 100 (fee 1) -> cash 1000 - 1000 - 1 = -1; marked at close 101: -1 + 1010 = 1009
    # bar 1: sell 4 of A at 102 (fee 0.5) -> cash -1 + 408 - 0.5 = 406.5; 6 A at close 103 = 618 -> 1024.5
    size = np.array([[10.0, np.nan], [-4.0, np.nan]])
    price = np.array([[100.0, np.nan], [102.0, np.nan]])
    fees = np.array([[1.0, 0.0], [0.5, 0.0]])
    close = np.array([[101.0, 50.0], [103.0, 51.0]])
    np.testing.assert_allclose(floor_loop(size, price, fees, close, 1000.0), [1009.0, 1024.5])


def test_rolling_mean_uses_only_the_past():
    x = np.arange(1.0, 6.0).reshape(-1, 1)  # 1..5
    # window 2: NaN, (1+2)/2, (2+3)/2, (3+4)/2, (4+5)/2
    np.testing.assert_allclose(_rolling_mean(x, 2)[:, 0], [np.nan, 1.5, 2.5, 3.5, 4.5])


@pytest.fixture(scope="module")
def tiny_result():
    return task_workload("tiny", repeat=1, with_vectorbt=True)


def test_engines_agree_on_final_equity(tiny_result):
    r = tiny_result
    assert r["fills"] > 50 and r["cell_orders"] > 50  # the comparison is not vacuous
    assert r["netted"] == 0 and r["unmatched_cash"] == 0.0
    # same orders, same prices: only float summation order may differ (~1e-15 relative)
    assert r["floor_equity"] == pytest.approx(r["parity_equity"], rel=1e-11)
    assert r["vbt_equity"] == pytest.approx(r["parity_equity"], rel=1e-11)
    assert r["parity_equity"] != 1_000_000.0  # trading moved the book


def test_report_prints_every_figure(tiny_result):
    r = dict(tiny_result, parity_first_cold_s=1.0)
    results = {"date": "today", "machine": "test", "engine": {"M": r},
               "live": {"symbols": 6, "steps": 10, "p50_ms": 0.1, "p99_ms": 6.0, "max_ms": 7.0, "mean_ms": 0.2}}
    rows = report.targets(results)
    names = [name for name, _, _ in rows]
    assert names[:2] == ["M: Parity <= 0.5 x vectorbt", "M: Parity within 10 x the floor"]
    assert rows[-1][2] is False  # 6 ms p99 misses the 5 ms target
    console = Console(record=True, width=200)
    report.print_report(results, console)
    text = console.export_text()
    assert "Parity/vbt" in text and "p99 6.000 ms" in text


def test_dense_orders_carry_the_fills_cash_exactly():
    from benchmarks.engines import _densify

    # two buys of symbol 1 in bar 0: 3 @ 10 and 1 @ 14 -> net 4 shares at (30 + 14) / 4 = 11, fees 0.25 + 0.5
    size, price, fees, n, netted, unmatched = _densify(
        np.array([0, 0]), np.array([1, 1]), np.array([1.0, 1.0]), np.array([3.0, 1.0]), np.array([10.0, 14.0]),
        np.array([0.25, 0.5]), 1, 2)
    d = DenseOrders(size, price, fees, n, netted, unmatched)
    assert d.n_orders == 1 and np.isnan(d.size[0, 0])
    assert (d.size[0, 1], d.price[0, 1], d.fees[0, 1]) == (4.0, 11.0, 0.75)
