"""One benchmark task per fresh interpreter: `python -m benchmarks.child TASK [ARGS]` (used by
benchmarks/__main__.py; prints one BENCH-RESULT JSON line). A fresh process per task keeps peak RSS
and first-call (compilation) figures honest."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.measure import REPO, best_of, emit, peak_rss_mb, timed

POSITION_SIZE: float | None = None  # --position-size (None: 1 / symbols)


def _workload(name: str):
    from benchmarks.workloads import WORKLOADS, tiny

    return WORKLOADS[name] if name in WORKLOADS else tiny()


def task_first(name: str) -> dict:
    """Only the first Parity call of a fresh process: compilation (or cache load) + one run."""
    from benchmarks.workloads import bench_config, ma_crossover, make_bars

    w = _workload(name)
    bars = make_bars(w)
    signals = ma_crossover(bars, w.fast, w.slow)
    config = bench_config(bars.n_symbols, POSITION_SIZE)
    import_s, _ = timed(lambda: __import__("parity.brokers.sim.backtest"))
    from benchmarks.engines import run_parity

    first_s, _ = timed(lambda: run_parity(bars, signals, config))
    return {"first_s": first_s, "import_s": import_s, "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR", "")}


def task_workload(name: str, repeat: int, with_vectorbt: bool) -> dict:
    """Parity (first call, then best of `repeat`), the floor and vectorbt on Parity's own fills."""
    from benchmarks.workloads import bench_config, ma_crossover, make_bars

    w = _workload(name)
    bars_s, bars = timed(lambda: make_bars(w))
    signals = ma_crossover(bars, w.fast, w.slow)
    config = bench_config(bars.n_symbols, POSITION_SIZE)
    cash = float(config.simulation.initial_cash)
    from benchmarks.engines import dense_orders, run_floor, run_parity

    first_s, records = timed(lambda: run_parity(bars, signals, config))
    parity_s, records = best_of(lambda: run_parity(bars, signals, config), repeat)
    rss_parity = peak_rss_mb()
    orders = dense_orders(records, bars.n_bars, bars.n_symbols)
    run_floor(orders, bars, cash)  # compile / load
    floor_s, floor_equity = best_of(lambda: run_floor(orders, bars, cash), max(repeat, 5))
    out = {
        "workload": w.label(), "cells": w.cells, "bars_s": bars_s, "parity_first_s": first_s, "parity_s": parity_s,
        "floor_s": floor_s, "parity_equity": float(records.equity["equity"][-1]),
        "floor_equity": float(floor_equity[-1]), "orders": int(len(records.orders)), "fills": int(len(records.fills)),
        "risk_events": int(len(records.risk_events)), "cell_orders": orders.n_orders, "netted": orders.n_netted,
        "unmatched_cash": orders.unmatched_cash, "rss_parity_mb": rss_parity,
    }
    if with_vectorbt:
        from benchmarks.engines import run_vectorbt, vectorbt_final_equity

        out["vbt_import_s"], _ = timed(lambda: __import__("vectorbt"))
        out["vbt_first_s"], pf = timed(lambda: run_vectorbt(orders, bars, cash))
        out["vbt_s"], pf = best_of(lambda: run_vectorbt(orders, bars, cash), repeat)
        out["vbt_equity"] = vectorbt_final_equity(pf, cash)
    out["rss_peak_mb"] = peak_rss_mb()
    return out


def task_live(name: str, n_steps: int) -> dict:
    """Per-step engine time of the stepped loop with a SimBroker behind the Broker protocol."""
    from parity.brokers.sim.broker import SimBroker
    from benchmarks.workloads import bench_config, ma_crossover, make_bars
    from parity.engine.stepper import Stepper

    # The paper runner's modules (alpaca-py, xgboost, polars, reports): a heap as large as the runner's,
    # which is what makes a full garbage collection slow.
    import parity.live_app  # noqa: F401

    w = _workload(name)
    bars = make_bars(w)
    signals = ma_crossover(bars, w.fast, w.slow)
    config = bench_config(bars.n_symbols, POSITION_SIZE)
    n = min(n_steps, bars.n_bars)
    scores = np.ascontiguousarray(signals.scores)
    passes: list[list[int]] = []
    # Pass 1 compiles and warms every path; pass 2 is timed as is; pass 3 after gc.collect() +
    # gc.freeze(), as parity.live.LiveRunner does once start-up is over (the runner's own setting).
    for i in range(3):
        if i == 2:
            full_gc_ms = {"full_gc_ms_no_freeze": _full_gc_ms()}
            gc.collect()
            gc.freeze()
            full_gc_ms["full_gc_ms"] = _full_gc_ms()
        broker = SimBroker(bars, config)
        stepper = Stepper(bars.symbols, bars.sectors, config, broker, "live-bench")
        for t in range(n):
            broker.on_bar(t)
            stepper.step(t, int(bars.close_ts[t]), int(bars.session[t]), bars.close[t], scores[t])
        passes.append(list(stepper.step_ns))
    gc.unfreeze()
    # after the signal warm-up: every step can trade
    unfrozen, ms = (np.asarray(p[w.slow:], dtype=np.float64) / 1e6 for p in passes[1:])
    return {"symbols": bars.n_symbols, "steps": int(ms.size), "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)), "max_ms": float(ms.max()), "mean_ms": float(ms.mean()),
            "p99_ms_no_freeze": float(np.percentile(unfrozen, 99)), "max_ms_no_freeze": float(unfrozen.max()),
            "orders": int(stepper._n_orders), **full_gc_ms}


def _full_gc_ms() -> float:
    """Milliseconds of one full collection: the pause a bar can hit when the collector runs mid-step."""
    start = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - start) * 1e3


def task_paper(sessions: int) -> dict:
    """Peak RSS of the paper runner (the same LiveRunner as `parity run`) replaying sessions against
    the fake Alpaca, which runs in its own process (parity/live_venue.py) as the real Alpaca is
    remote: `rss_peak_mb` is the runner's process alone. The fake holds every bar before the replayed
    sessions (a year of the embedded data), so each decision downloads a year of bars, as in
    production (the live feed asks for 300 sessions). Its child processes measure themselves:
    the scoring worker (parity.strategies.LiveScorer) and the report writer (run folder, stats,
    report.html), each alive only while it works (in service mode, not while idle overnight)."""
    from parity.engine.config import load_config
    from parity.engine.data import load_bars
    from parity.replay import replay_config, run_replay

    out = Path(tempfile.mkdtemp(prefix="parity-bench-paper-"))
    path = REPO / "config" / ("paper.yaml" if (REPO / "config" / "paper.yaml").is_file() else "default.yaml")
    config = replay_config(load_config(path), out)
    config = config.model_copy(update={"alpaca": config.alpaca.model_copy(
        update={"journal_path": out / "journal.sqlite"})})
    start = time.perf_counter()
    bars = load_bars(config.data, REPO)
    result = run_replay(config, REPO, sessions=sessions, bars=bars, venue_process=True,
                        history=bars.n_bars - sessions)
    children = result.child_peak_rss_mb
    return {"sessions": sessions, "history_bars": bars.n_bars - sessions,
            "seconds": time.perf_counter() - start, "posted": result.posted,
            "strategy": config.strategy.use, "rss_peak_mb": peak_rss_mb(),
            "rss_measured": "runner process alone (fake Alpaca in its own process)",
            "rss_scoring_child_mb": children.get("scoring", float("nan")),
            "rss_report_child_mb": children.get("report", float("nan"))}


class _StageClock:
    """A parity.progress.Progress that records each stage's wall time."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def stage(self, name: str):
        from contextlib import contextmanager

        @contextmanager
        def _timed():
            start = time.perf_counter()
            yield None
            self.seconds[name] = time.perf_counter() - start
        return _timed()


def task_stages(config_path: str, overrides: list[str]) -> dict:
    """`parity backtest`'s job in-process, per stage, wired as the CLI wires it: the report worker is
    started first, then parity.app and the stage parts are imported (timed apart)."""
    from datetime import datetime, timezone

    from parity.reports.worker import ReportWorker

    start = time.perf_counter()
    with ReportWorker() as worker:
        from parity.engine.config import load_config

        out = tempfile.mkdtemp(prefix="parity-bench-e2e-")
        config = load_config(config_path, [*overrides, f"reporting.output_dir={out}"])
        import_s, _ = timed(lambda: __import__("parity.app"))
        from parity.app import default_parts, run_backtest_job

        parts_s, parts = timed(default_parts)
        clock = _StageClock()
        helper = worker if config.reporting.html else None
        run_backtest_job(config, config_path=config_path, started_at=datetime.now(timezone.utc),
                         base_dir=Path.cwd(), progress=clock, parts=parts, report_worker=helper)
        warm_s = worker.warm_seconds()
    out_fields = {"import_app_s": import_s, "import_parts_s": parts_s,
                  **{f"{k}_s": v for k, v in clock.seconds.items()}, "strategy": config.strategy.use,
                  "total_s": time.perf_counter() - start}
    if helper is not None:  # seconds from the job's start until the report worker was warm
        out_fields["worker_warm_after_s"] = warm_s
    return out_fields


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.child")
    p.add_argument("task", choices=["first", "workload", "live", "paper", "stages"])
    p.add_argument("--workload", default="D")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-vectorbt", action="store_true")
    p.add_argument("--steps", type=int, default=2520)
    p.add_argument("--sessions", type=int, default=40)
    p.add_argument("--config", default="config/default.yaml")
    p.add_argument("--set", dest="overrides", action="append", default=[])
    p.add_argument("--position-size", type=float, default=None)
    a = p.parse_args(argv)
    global POSITION_SIZE
    POSITION_SIZE = a.position_size
    if a.task == "first":
        emit(task_first(a.workload))
    elif a.task == "workload":
        emit(task_workload(a.workload, a.repeat, not a.no_vectorbt))
    elif a.task == "live":
        emit(task_live(a.workload, a.steps))
    elif a.task == "paper":
        emit(task_paper(a.sessions))
    else:
        emit(task_stages(a.config, a.overrides))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
