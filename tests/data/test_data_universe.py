"""Universe selection: the committed config/universe.csv is exactly what the rule produces."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parity.engine.data.universe import DEFAULT_INCLUDE, embedded_universe, read_universe, select_universe, universe_csv

REPO = Path(__file__).resolve().parents[2]


def test_committed_universe_regenerates_exactly() -> None:
    committed = (REPO / "config" / "universe.csv").read_text()
    assert universe_csv(embedded_universe()) == committed
    universe = read_universe(REPO / "config" / "universe.csv")
    assert len(universe) == 53 and set(DEFAULT_INCLUDE) <= set(universe)


def _long(rows: dict[str, tuple[float, int]]) -> pd.DataFrame:
    """symbol -> (close, n_days): constant close and volume 1, for n_days of 3 dates."""
    dates = pd.to_datetime(["2024-07-01", "2024-07-02", "2024-07-03"])
    return pd.DataFrame([{"symbol": s, "ts": d, "close": c, "volume": 1.0}
                         for s, (c, n) in rows.items() for d in dates[:n]])


def test_round_robin_by_liquidity_with_ties_by_symbol() -> None:
    prices = _long({"A1": (50, 3), "A2": (40, 3), "A3": (30, 3), "B1": (45, 3), "B2": (45, 3),
                    "C1": (99, 2),  # incomplete history: out
                    "D1": (99, 3)})  # no sector: out
    sectors = {"A1": "A", "A2": "A", "A3": "A", "B1": "B", "B2": "B", "C1": "C"}
    # round 0: A1 (50), B1 (45; ties with B2, B1 first by name); round 1: B2 (45), A2 (40)
    assert list(select_universe(prices, sectors, n=3)["symbol"]) == ["A1", "B1", "B2"]
    assert list(select_universe(prices, sectors, n=4)["symbol"]) == ["A1", "A2", "B1", "B2"]
    # an included name comes first, whatever its liquidity
    assert list(select_universe(prices, sectors, n=3, include=("A3",))["symbol"]) == ["A1", "A3", "B1"]
