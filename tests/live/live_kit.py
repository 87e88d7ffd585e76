"""Shared pieces of the live-runner tests: small synthetic markets and paper configs."""

from __future__ import annotations

from pathlib import Path

from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.data.synthetic import synthetic_bars

NO_FEES = {"commission_per_share": 0.0, "commission_min": 0.0, "sec_fee_rate": 0.0, "taf_per_share": 0.0,
           "taf_max_per_trade": 0.0}


def market(n_bars: int = 30, n_symbols: int = 6, seed: int = 7) -> Bars:
    return synthetic_bars(n_bars, n_symbols, seed=seed)


def write_universe(bars: Bars, folder: Path) -> Path:
    path = folder / "universe.csv"
    path.write_text("symbol,sector\n" + "".join(f"{s},{x}\n" for s, x in zip(bars.symbols, bars.sectors)))
    return path


def paper_config(folder: Path, bars: Bars, **extra) -> ParityConfig:  # noqa: ANN003
    """Paper mode, short momentum, and a frictionless simulation (the fake fills market orders at
    the open with no costs; the SimBroker then does the same)."""
    raw = {
        "execution": {"mode": "paper"},
        "position_sizing": {"max_position_size": 0.15, "min_trade_size": 100.0, "signal_threshold": 0.05},
        "data": {"universe": str(write_universe(bars, folder))},
        "strategy": {"use": "momentum", "params": {"lookback": 5, "skip": 1, "vol_lookback": 3}},
        "simulation": {"initial_cash": 100_000.0, "fill": {"participation_rate": 1.0},
                       "slippage": {"fixed_bps": 0.0, "half_spread_bps": 0.0, "impact_coef": 0.0},
                       "latency": {"submit_ms": 0, "ack_ms": 0, "fill_ms": 0}, "fees": NO_FEES},
        "alpaca": {"journal_path": str(folder / "journal.sqlite")},
        "reporting": {"output_dir": str(folder / "reports"), "html": False},
    }
    for section, values in extra.items():
        raw.setdefault(section, {}).update(values)
    return ParityConfig.model_validate(raw)
