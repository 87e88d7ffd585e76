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
from typing import Any

import numpy as np

from parity.engine.config.schema import StrategyConfig
from parity.engine.data.bars import Bars
from parity.engine.signals import SignalSet
from parity.live_child import Worker, serve

MODULE = "parity.live_scoring"


class RemoteScorer:
    """`parity.strategies.LiveScorer(cfg, history)` living in a worker process: same `update` and
    `model_version`, plus `close()`."""

    def __init__(self, cfg: StrategyConfig, history: Bars) -> None:
        self._worker = Worker(MODULE, "scoring worker")
        try:
            self.model_version: str = self._worker.call("warm", cfg, history)
        except BaseException:
            self._worker.close()
            raise

    def update(self, bar: Bars) -> np.ndarray:
        scores, self.model_version = self._worker.call("update", bar)
        return scores

    def close(self) -> float:
        return self._worker.close()


class RemoteStrategy:
    """The configured strategy's batch `generate`, run in a worker started for the call (the runner
    needs it only when no bar of history precedes its first decision)."""

    def __init__(self, cfg: StrategyConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.peak_rss_mb = float("nan")

    def generate(self, bars: Bars, artifacts_dir: Any = None) -> SignalSet:
        worker = Worker(MODULE, "scoring worker")
        try:
            scores, versions = worker.call("generate", self.cfg, bars)
        finally:
            self.peak_rss_mb = worker.close()
        return SignalSet(scores=scores, model_version=versions)


# --- the worker ------------------------------------------------------------------------------------
def _handle(request: tuple, state: dict[str, Any]) -> Any:
    op = request[0]
    if op == "warm":
        from parity.strategies import LiveScorer

        state["scorer"] = LiveScorer(request[1], request[2])
        return state["scorer"].model_version
    if op == "update":
        scorer = state["scorer"]
        scores = scorer.update(request[1])
        return np.ascontiguousarray(scores, dtype=np.float64), str(scorer.model_version)
    if op == "generate":
        from parity.strategies import build_strategy

        signals = build_strategy(request[1]).generate(request[2], None)
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
