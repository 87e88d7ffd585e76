"""Fakes for the CLI tests: a 30-bar synthetic universe, a toy strategy and a toy simulator.

The toy strategy is named in the test configs by import path (`use: cli_kit:ToyStrategy`), the way
a user names their own.

The toy simulator holds no positions and lets equity grow 0.1% a bar, so the wiring (config ->
data -> signals -> simulation -> run folder -> summary) is tested apart from the real engine.
"""

from __future__ import annotations


import numpy as np

from parity.engine.data import synthetic_bars
from parity.engine.data.bars import Bars
from parity.engine.records import RunRecords
from parity.engine.signals import SignalSet
from parity.engine.types import EQUITY_DTYPE, FILL_DTYPE, ORDER_DTYPE, RISK_EVENT_DTYPE
from parity.app import BacktestParts

N_BARS, N_SYMBOLS = 30, 4


class ToyStrategy:
    name = "toy"
    lookback = 1

    def generate(self, bars: Bars) -> SignalSet:
        scores = np.tanh(np.nan_to_num(np.log(bars.close / bars.open)) * 10.0)
        # like the XGBoost strategy's models: files for the run folder, handed over as bytes
        return SignalSet(scores=scores, model_version=np.full(bars.n_bars, "toy-1"),
                         artifacts={"models/toy-model.json": b'{"weights": [1, 2]}'})


def toy_backtest(bars: Bars, signals: SignalSet, config, run_key: str) -> RunRecords:
    equity = np.zeros(bars.n_bars, dtype=EQUITY_DTYPE)
    equity["ts"] = bars.close_ts
    equity["equity"] = equity["cash"] = config.simulation.initial_cash * 1.001 ** np.arange(bars.n_bars)
    return RunRecords(
        symbols=bars.symbols, sectors=bars.sectors, run_key=run_key,
        orders=np.zeros(0, ORDER_DTYPE), fills=np.zeros(0, FILL_DTYPE), equity=equity,
        positions=np.zeros((bars.n_bars, bars.n_symbols)), close=bars.close,
        risk_events=np.zeros(0, RISK_EVENT_DTYPE),
    )


def toy_parts(load_error: Exception | None = None) -> BacktestParts:
    def load(cfg, base_dir):
        if load_error is not None:
            raise load_error
        return synthetic_bars(N_BARS, N_SYMBOLS, seed=7)

    return BacktestParts(load_bars=load, run_backtest=toy_backtest)
