"""Signal-generation figures (printed, not asserted): `.venv/bin/python benchmarks/bench_signals.py`.

1. The 45 features, batch, for 53 symbols x 2,520 bars (ten years of daily bars, synthetic).
2. One live feature row (IncrementalFeatures.update) on the same universe.
3. The whole walk-forward XGBoost run on the embedded dataset (53 S&P 500 stocks, one year), with
   the default xgboost params: features, labels, every retrain, scores, diagnostics.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from parity.engine.config.schema import DataConfig  # noqa: E402
from parity.strategies.params import MomentumParams, XGBoostParams  # noqa: E402
from parity.engine.data import load_bars, synthetic_bars  # noqa: E402
from parity.strategies.features import IncrementalFeatures, compute_features  # noqa: E402
from parity.strategies.momentum import MomentumStrategy  # noqa: E402
from parity.strategies.walkforward import plan_walk_forward  # noqa: E402
from parity.strategies.xgboost_strategy import XGBoostStrategy  # noqa: E402


def _timed(fn, repeat: int) -> tuple[float, float]:
    """(first call, median of the next `repeat` calls) in seconds."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return first, statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    # XGBoost's OpenMP threads spin while waiting: on a busy machine n_jobs=2 can be far slower
    # than 1, so the load is printed beside the figures (OMP_WAIT_POLICY=PASSIVE avoids the spin).
    print(f"cpus available: {len(os.sched_getaffinity(0))}, load average (1 min): {os.getloadavg()[0]:.1f}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}")

    bars = synthetic_bars(2520, 53, seed=0)
    first, median = _timed(lambda: compute_features(bars), args.repeat)
    print(f"features, batch, 53 symbols x 2,520 bars: {median * 1e3:.0f} ms median of {args.repeat} "
          f"(first call {first * 1e3:.0f} ms, includes loading the numba kernels)")

    live = IncrementalFeatures.from_bars(bars.slice(0, 2400))
    steps = [time.perf_counter()]
    for t in range(2400, 2450):
        live.update_bar(bars, t)
        steps.append(time.perf_counter())
    per_bar = statistics.median(b - a for a, b in zip(steps, steps[1:]))
    print(f"features, live, one new bar of 53 symbols: {per_bar * 1e3:.1f} ms median")

    embedded = load_bars(DataConfig(), base_dir=REPO)
    for n_jobs in (2, 1):
        cfg = XGBoostParams(n_jobs=n_jobs)
        n_models = len(plan_walk_forward(embedded.n_bars, cfg))
        t0 = time.perf_counter()
        signals = XGBoostStrategy(cfg).generate(embedded)
        elapsed = time.perf_counter() - t0
        print(f"walk-forward XGBoost, embedded data ({embedded.n_symbols} symbols x {embedded.n_bars} bars, "
              f"{n_models} models of {cfg.n_estimators} trees, n_jobs={n_jobs}): {elapsed:.2f} s")
    summary = signals.diagnostics["signal_summary"].iloc[0]
    print(f"  out-of-sample: mean IC {summary['mean_ic']:.4f}, t-stat {summary['ic_tstat']:.2f} "
          f"(Newey-West, {summary['tstat_lags']} lags), hit rate {summary['hit_rate']:.3f}, "
          f"{summary['n_bars']} bars scored")

    t0 = time.perf_counter()
    MomentumStrategy(MomentumParams()).generate(embedded)
    print(f"momentum baseline, embedded data: {(time.perf_counter() - t0) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
