"""The live runner's signals, computed in a worker process (`python -m parity.live_scoring`).

Scoring needs polars (features), scipy.stats (ranks), numba feature kernels and XGBoost: ~200 MB
resident that a runner idling between bar closes would otherwise hold all day. The worker runs the
very same `strategies.LiveScorer` (warm-up on the history, then one bar per `update`), so its scores
are the batch run's to the bit, as in-process scoring was; `RemoteScorer.close()` ends it, and the
runner starts a new one, warmed up on the history again, at its next decision.

Protocol: pickled tuples on the worker's stdin, pickled replies ("ok", value) or ("error", message,
traceback) on its stdout (the worker's own fd 1 is pointed at stderr, so a library's stray print
cannot corrupt it). Both ends are this module, started by this process: nothing else speaks it.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import traceback
from typing import IO, Any

import numpy as np

from engine.config.schema import StrategyConfig
from engine.data.bars import Bars
from engine.signals import SignalSet
from parity.live_child import ChildError, own_peak_rss_mb, spawn

log = logging.getLogger(__name__)
MODULE = "parity.live_scoring"


class _Worker:
    """One worker process and its request/reply pipe."""

    def __init__(self) -> None:
        self._proc = spawn(MODULE, capture_stderr=False)

    def call(self, *request: Any) -> Any:
        proc = self._proc
        try:
            pickle.dump(request, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[arg-type]
            proc.stdin.flush()  # type: ignore[union-attr]
            reply = pickle.load(proc.stdout)  # type: ignore[arg-type]
        except (BrokenPipeError, EOFError, pickle.UnpicklingError) as exc:
            code = proc.wait()
            raise ChildError(f"scoring worker (python -m {MODULE}) died during '{request[0]}' (exit status {code}, "
                             f"{type(exc).__name__}); its error is on stderr above") from None
        if reply[0] == "error":
            log.error("scoring worker traceback:\n%s", reply[2])
            raise ChildError(f"scoring worker: '{request[0]}' failed: {reply[1]}")
        return reply[1]

    def close(self) -> float:
        """End the worker; returns its peak RSS in MB (NaN if it had already died)."""
        try:
            peak = float(self.call("peak"))
        except ChildError:
            peak = float("nan")
        if self._proc.stdin is not None:
            try:
                self._proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        return peak


class RemoteScorer:
    """`strategies.LiveScorer(cfg, history)` living in a worker process: same `update` and
    `model_version`, plus `close()`."""

    def __init__(self, cfg: StrategyConfig, history: Bars) -> None:
        self._worker = _Worker()
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
        worker = _Worker()
        try:
            scores, versions = worker.call("generate", self.cfg, bars)
        finally:
            self.peak_rss_mb = worker.close()
        return SignalSet(scores=scores, model_version=versions)


# --- the worker ------------------------------------------------------------------------------------
def _handle(request: tuple, state: dict[str, Any]) -> Any:
    op = request[0]
    if op == "warm":
        from strategies import LiveScorer

        state["scorer"] = LiveScorer(request[1], request[2])
        return state["scorer"].model_version
    if op == "update":
        scorer = state["scorer"]
        scores = scorer.update(request[1])
        return np.ascontiguousarray(scores, dtype=np.float64), str(scorer.model_version)
    if op == "generate":
        from strategies import build_strategy

        signals = build_strategy(request[1]).generate(request[2], None)
        return np.ascontiguousarray(signals.scores, dtype=np.float64), signals.model_version
    if op == "peak":
        return own_peak_rss_mb()
    raise ValueError(f"unknown request '{op}'")


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer requests until the runner closes the pipe."""
    state: dict[str, Any] = {}
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return
        try:
            reply: tuple = ("ok", _handle(request, state))
        except Exception as exc:  # noqa: BLE001 - sent back to the runner, which raises it
            reply = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


def main() -> int:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to stderr, never into the replies
    serve(sys.stdin.buffer, replies)
    return 0


if __name__ == "__main__":
    # requests carry parity/engine classes; unpickle them with this module imported under its own name
    from parity.live_scoring import main as _main

    sys.exit(_main())
