"""The live runner's signals, computed in a worker process (`python -m parity.live_scoring`).

Scoring needs polars (features), scipy.stats (ranks), numba feature kernels and XGBoost: ~200 MB
resident that a runner idling between bar closes would otherwise hold all day. The worker runs the
very same `parity.strategies.LiveScorer` (warm-up on the history, then one bar per `update`), so its scores
are the batch run's to the bit, as in-process scoring was; `RemoteScorer.close()` ends it, and the
runner starts a new one, warmed up on the history again, at its next decision.

The request/reply pipe is parity.live_child's `Worker` / `serve`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from parity.engine.config import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet, StaleSignals
from parity.live_child import Worker, serve

MODULE = "parity.live_scoring"


@dataclass(frozen=True)
class StrategyInfo:
    """What the runner needs to know of the configured strategy, found without importing it here."""

    name: str
    lookback: int
    record: dict[str, Any]  # parity.strategy_registry.StrategySpec.record()


def describe_strategy(config: ParityConfig, source: str = "<config>") -> StrategyInfo:
    """Resolve and check `config.strategy` in a worker (a ConfigError there comes back as one line)."""
    from parity.engine.config import ConfigError

    worker = Worker(MODULE, "scoring worker")
    try:
        ok, value = worker.call("describe", config, source)
    finally:
        worker.close()
    if not ok:
        raise ConfigError(value)
    return value


class RemoteScorer:
    """The strategy's live scorer (`parity.engine.signals.live_scorer`) living in a worker process:
    same `update` and `model_version`, plus `close()`. A StaleSignals in the worker is raised here."""

    def __init__(self, config: ParityConfig, history: Bars) -> None:
        self._worker = Worker(MODULE, "scoring worker")
        try:
            self.model_version: str = self._worker.call("warm", config, history)
        except BaseException:
            self._worker.close()
            raise

    def update(self, bar: Bars) -> np.ndarray:
        scores, self.model_version, stale = self._worker.call("update", bar)
        if stale is not None:
            raise StaleSignals(stale)
        return scores

    def close(self) -> float:
        return self._worker.close()


class RemoteStrategy:
    """The configured strategy's batch `generate`, run in a worker started for the call (the runner
    needs it only when no bar of history precedes its first decision)."""

    def __init__(self, config: ParityConfig, info: StrategyInfo) -> None:
        self.config = config
        self.name, self.lookback = info.name, info.lookback
        self.peak_rss_mb = float("nan")

    def generate(self, bars: Bars) -> SignalSet:
        worker = Worker(MODULE, "scoring worker")
        try:
            scores, versions = worker.call("generate", self.config, bars)
        finally:
            self.peak_rss_mb = worker.close()
        return SignalSet(scores=scores, model_version=versions)


# --- the worker ------------------------------------------------------------------------------------
def _build(config: ParityConfig) -> Any:
    from parity.strategy_registry import resolve_strategy

    return resolve_strategy(config).build()


def _handle(request: tuple, state: dict[str, Any]) -> Any:
    op = request[0]
    if op == "describe":
        from parity.engine.config import ConfigError
        from parity.strategy_registry import resolve_strategy

        try:
            spec = resolve_strategy(request[1], request[2])
        except ConfigError as exc:
            return False, str(exc)
        strategy = spec.build()
        return True, StrategyInfo(str(strategy.name), int(strategy.lookback), spec.record())
    if op == "warm":
        from parity.engine.signals import live_scorer

        state["scorer"] = live_scorer(_build(request[1]), request[2])
        return str(state["scorer"].model_version)
    if op == "update":
        scorer = state["scorer"]
        try:
            scores, stale = scorer.update(request[1]), None
        except StaleSignals as exc:
            scores, stale = np.full(request[1].n_symbols, np.nan), str(exc)
        return np.ascontiguousarray(scores, dtype=np.float64), str(scorer.model_version), stale
    if op == "generate":
        signals = _build(request[1]).generate(request[2])
        return np.ascontiguousarray(signals.scores, dtype=np.float64), signals.model_version
    raise ValueError(f"unknown request '{op}'")


def main() -> int:
    state: dict[str, Any] = {}
    serve(lambda request: _handle(request, state))
    return 0


if __name__ == "__main__":
    # requests carry parity/engine classes; unpickle them with this module imported under its own name
    from parity.live_scoring import main as _main

    sys.exit(_main())
