"""`python -m benchmarks [--only D,M,L] [--parts engine,live,paper,e2e] [--repeat 3] [--json FILE]`

Prints the engine table (Parity vs vectorbt vs the floor per workload), the live step, the paper
runner's memory, `parity backtest` end to end, and each issue-7 target as met or missed. Every task
runs in a fresh interpreter (benchmarks/child.py), so peak RSS and first-call times are its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
from datetime import datetime, timezone

from benchmarks.measure import run_child
from benchmarks.report import print_report

PARTS = ("engine", "live", "paper", "e2e")


def run_engine(names: list[str], repeat: int, sizing: list[str]) -> dict:
    run_child(["first", "--workload", "tiny"])  # fills the on-disk numba cache if it is stale
    results = {}
    for name in names:
        cold_dir = tempfile.mkdtemp(prefix="parity-bench-numba-")
        try:
            cold = run_child(["first", "--workload", name, *sizing], env={"NUMBA_CACHE_DIR": cold_dir})
        finally:
            shutil.rmtree(cold_dir, ignore_errors=True)
        result = run_child(["workload", "--workload", name, "--repeat", str(repeat), *sizing])
        result["parity_first_cold_s"] = cold["first_s"]
        results[name] = result
        print(f"  {result['workload']}: Parity {result['parity_s']:.3f} s, vectorbt {result['vbt_s']:.3f} s, "
              f"floor {result['floor_s']:.4f} s", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--only", default="D,M,L", help="workloads, comma-separated (default D,M,L; L needs ~10 GB)")
    p.add_argument("--parts", default=",".join(PARTS), help=f"sections to run (default {','.join(PARTS)})")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per engine after warm-up (best is kept)")
    p.add_argument("--steps", type=int, default=2520, help="live steps to time (53 symbols, daily bars)")
    p.add_argument("--sessions", type=int, default=40, help="sessions of the paper replay")
    p.add_argument("--position-size", type=float, default=None,
                   help="max_position_size of the engine runs (default 1 / symbols; 0.05 = the risk-cap stress case)")
    p.add_argument("--json", metavar="FILE", help="also write every figure to FILE")
    a = p.parse_args(argv)
    parts = [x.strip() for x in a.parts.split(",") if x.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        p.error(f"--parts: unknown {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    names = [x.strip().upper() for x in a.only.split(",") if x.strip()]
    sizing = ["--position-size", repr(a.position_size)] if a.position_size else []
    results: dict = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                     "machine": f"{os.cpu_count()} cores, {_memory_gb():.0f} GB RAM, {platform.machine()}, "
                                f"Python {platform.python_version()}",
                     "position_size": a.position_size or "1 / symbols"}
    tasks = {
        "engine": lambda: run_engine(names, a.repeat, sizing),
        "live": lambda: run_child(["live", "--workload", "D", "--steps", str(a.steps), *sizing]),
        "paper": lambda: run_child(["paper", "--sessions", str(a.sessions)]),
        "e2e": _end_to_end,
    }
    for part in parts:
        print(f"{part} ...", flush=True)
        try:
            results[part] = tasks[part]()
        except Exception as exc:  # one failing section must not lose the others' figures
            results.setdefault("errors", {})[part] = str(exc)
            print(f"  {part} failed: {exc}", flush=True)
    print_report(results)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


def _end_to_end() -> dict:
    from benchmarks.e2e import end_to_end

    return end_to_end()


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        return float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
