"""Live decision time, scores in to orders out, for three strategies on Parity's embedded dataset.

    .venv/bin/python -m benchmarks.live_decision [--decisions 20] [--json FILE]

(OMP_WAIT_POLICY=PASSIVE keeps XGBoost's OpenMP threads from spinning on a busy machine.)

Data and config: `parity.api.load_bars()` (53 symbols x ~245 daily bars) and `parity.api.load_config()`
(config/default.yaml). The strategies:
- sma: the example strategy, examples/sma_crossover/strategies/sma.py, SMACrossover with its
  default params (no live path of its own: the TrailingWindowScorer default);
- signals: SignalsFileStrategy on the scores.parquet that examples/signals_file/make_signals.py
  writes (into a temporary folder), rank: true as examples/signals_file/config.yaml has it;
- xgboost: the built-in XGBoostStrategy with the default config's strategy.params (XGBoostLive).

Each strategy is measured in its own fresh interpreter, so the imports and caches of one do not
flatter another. With t0 = n_bars - decisions:
1. warm-up (reported apart): `live_scorer(strategy, bars.slice(0, t0))`; then, as the live runner
   does after its start-up and after a warm-up, `gc.collect()` + `gc.freeze()`;
2. the SimBroker stands in for the venue: it is stepped through the history bars [0, t0) with no
   orders, and a new Stepper over it starts flat at t0 with the config's cash, like a first runner start;
3. for each of the last `decisions` bars t: `broker.on_bar(t)` (the venue trades bar t; not timed),
   then one decision, timed in two parts:
   scoring = `scorer.update(bars.slice(t, t + 1))` (scores in),
   engine  = `stepper.step(...)` as parity/live.py's cycle calls it (orders out, submitted to the broker).
The first decision of a process is included in the figures (it loads the engine's compiled kernels
and sends the opening orders) and is also shown on its own. XGBoost retrains every
`retrain_every` bars inside `update`, so its max is a retraining bar when one falls in the window.
For the signals file, the user's job rewrites the file before each bar: its mtime is bumped before
each decision (not timed), so every `update` re-reads and re-parses it as it would live.

Prints the date, the machine, p50 / p95 / max of scoring, engine and the whole decision per
strategy, and whether max < 5 s (the target). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.measure import REPO, RESULT_PREFIX, emit

TARGET_S = 5.0
STRATEGIES = {  # key -> label in the table
    "sma": "SMA crossover (example)",
    "signals": "signals file (example)",
    "xgboost": "XGBoost (built-in)",
}


# --- child: one strategy in a fresh interpreter --------------------------------------------------------

def _load_module(name: str, path: Path) -> ModuleType:
    """Import the file at `path` as module `name` (the examples' packages would clash with the repo's)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _build_strategy(key: str, config: Any, workdir: Path) -> tuple[Any, Path | None]:
    """The strategy to measure, and the signals file it reads (None for the others)."""
    if key == "sma":
        sma = _load_module("parity_example_sma", REPO / "examples" / "sma_crossover" / "strategies" / "sma.py")
        return sma.SMACrossover(), None
    if key == "signals":
        from parity.strategies.signals_file import SignalsFileStrategy

        make_signals = _load_module("parity_example_make_signals",
                                    REPO / "examples" / "signals_file" / "make_signals.py")
        path = workdir / "scores.parquet"
        make_signals.main(path)
        return SignalsFileStrategy(SignalsFileStrategy.Params(path=path, rank=True)), path
    if key == "xgboost":
        from parity.strategies.xgboost_strategy import XGBoostStrategy

        return XGBoostStrategy(XGBoostStrategy.Params(**config.strategy.params)), None
    raise ValueError(f"unknown strategy {key!r}; choose from {', '.join(STRATEGIES)}")


def _figures(ms: np.ndarray) -> dict[str, float]:
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max())}


def measure(key: str, decisions: int) -> dict[str, Any]:
    """Warm-up time and per-decision scoring / engine times of strategy `key` (see the module docstring)."""
    from parity.api import load_bars, load_config
    from parity.brokers.sim.broker import SimBroker
    from parity.engine.signals import StaleSignals, live_scorer
    from parity.engine.stepper import Stepper

    config = load_config()
    bars = load_bars(config)
    if not 1 <= decisions < bars.n_bars:
        raise ValueError(f"--decisions must be in 1 .. {bars.n_bars - 1} (the data has {bars.n_bars} bars)")
    t0 = bars.n_bars - decisions
    with tempfile.TemporaryDirectory(prefix="parity-live-decision-") as tmp:
        strategy, signals_file = _build_strategy(key, config, Path(tmp))

        start = time.perf_counter()
        scorer = live_scorer(strategy, bars.slice(0, t0))
        warmup_s = time.perf_counter() - start
        gc.collect()
        gc.freeze()  # as parity.live.LiveRunner does once start-up and warm-up are over

        broker = SimBroker(bars, config)
        for t in range(t0):
            broker.on_bar(t)
        stepper = Stepper(bars.symbols, bars.sectors, config, broker, "live-decision")
        scoring_ns: list[int] = []
        engine_ns: list[int] = []
        stale = 0
        for k, t in enumerate(range(t0, bars.n_bars)):
            broker.on_bar(t)
            if signals_file is not None:  # the user's job wrote the file for this bar
                now = time.time_ns()
                os.utime(signals_file, ns=(now, now))
            start_ns = time.perf_counter_ns()
            try:
                scores = np.ascontiguousarray(scorer.update(bars.slice(t, t + 1)), dtype=np.float64)
            except StaleSignals:  # as the runner: no view on any symbol, positions held
                scores = np.full(bars.n_symbols, np.nan)
                stale += 1
            scored_ns = time.perf_counter_ns()
            stepper.step(k, int(bars.close_ts[t]), int(bars.session[t]), bars.close[t], scores)
            done_ns = time.perf_counter_ns()
            scoring_ns.append(scored_ns - start_ns)
            engine_ns.append(done_ns - scored_ns)
        gc.unfreeze()
    scoring = np.asarray(scoring_ns, dtype=np.float64) / 1e6
    engine = np.asarray(engine_ns, dtype=np.float64) / 1e6
    total = scoring + engine
    return {"strategy": key, "label": STRATEGIES[key], "symbols": bars.n_symbols, "history_bars": t0,
            "decisions": decisions, "warmup_s": warmup_s, "scoring": _figures(scoring), "engine": _figures(engine),
            "decision": _figures(total), "first_decision_ms": float(total[0]),
            "orders": int(len(stepper.records().orders)), "stale_bars": stale,
            "meets_target": bool(total.max() < TARGET_S * 1e3)}


# --- parent: one child per strategy, then the table ----------------------------------------------------

def run_child(key: str, decisions: int, timeout: float = 1800) -> dict[str, Any]:
    """Measure strategy `key` in a fresh interpreter; its emitted result."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.live_decision", "--child", key,
                           "--decisions", str(decisions)], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{key}: measuring child failed (exit {proc.returncode}): " + " | ".join(tail))
    return json.loads(lines[-1][len(RESULT_PREFIX):])


def machine() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{os.cpu_count()} cores ({usable} usable), {platform.machine()}, Python {platform.python_version()}, "
            f"load average (1 min) {os.getloadavg()[0]:.1f}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}")


def _ms(x: float) -> str:
    return f"{x:,.1f}" if x >= 10 else f"{x:.2f}"


def print_table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 160))
    console.print(f"date: {results['date']}")
    console.print(f"machine: {results['machine']}")
    rows = list(results["strategies"].values())
    if rows:
        r = rows[0]
        console.print(f"data: embedded, {r['symbols']} symbols, daily bars; config/default.yaml; SimBroker as the "
                      f"venue; warm-up on {r['history_bars']} bars, then {r['decisions']} timed decisions")
    table = Table(title=f"Live decision time (scores in, orders out), ms; target: max < {TARGET_S:g} s")
    for col in ("strategy", "warm-up", "scoring p50 / p95 / max", "engine p50 / p95 / max",
                "decision p50 / p95 / max", "first decision", "orders", f"max < {TARGET_S:g} s"):
        table.add_column(col, justify="left" if col == "strategy" else "right", no_wrap=True)
    for r in rows:
        cells = [" / ".join(_ms(r[part][f]) for f in ("p50_ms", "p95_ms", "max_ms"))
                 for part in ("scoring", "engine", "decision")]
        warmup = f"{r['warmup_s']:.3f} s" if r["warmup_s"] < 1 else f"{r['warmup_s']:.2f} s"
        table.add_row(r["label"], warmup, *cells, _ms(r["first_decision_ms"]), str(r["orders"]),
                      "yes" if r["meets_target"] else "NO")
    console.print(table)
    for key, error in results.get("errors", {}).items():
        console.print(f"{STRATEGIES[key]}: FAILED: {error}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.live_decision", description=__doc__.splitlines()[0])
    p.add_argument("--decisions", type=int, default=20, help="timed decisions: the last N bars (default 20)")
    p.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    p.add_argument("--child", choices=list(STRATEGIES), help=argparse.SUPPRESS)  # internal: one strategy
    a = p.parse_args(argv)
    if a.child:
        emit(measure(a.child, a.decisions))
        return 0
    results: dict[str, Any] = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                               "machine": machine(), "target_s": TARGET_S, "decisions": a.decisions,
                               "strategies": {}}
    for key in STRATEGIES:
        print(f"{key} ...", flush=True)
        try:
            results["strategies"][key] = run_child(key, a.decisions)
        except Exception as exc:  # one failing strategy must not lose the others' figures
            results.setdefault("errors", {})[key] = str(exc)
    print_table(results)
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2))
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
