"""Timing, memory and child-process helpers shared by the benchmark tasks."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
RESULT_PREFIX = "BENCH-RESULT "


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """(fastest wall time in s over `repeat` calls, the last call's result)."""
    best, out = float("inf"), None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    return best_of(fn, 1)


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident set size of this process (or its waited-for children), MB (Linux: ru_maxrss is KB)."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024.0


def emit(result: dict) -> None:
    """A child's answer: one JSON line the parent picks out of its stdout."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def run_child(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
              timeout: float = 3600) -> dict:
    """Run `python -m benchmarks.child ARGS` in a fresh interpreter; returns its emitted result plus
    `wall_s` (process start included)."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(cwd or REPO)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.child", *args], cwd=cwd or REPO, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"benchmark child {' '.join(args)} failed (exit {proc.returncode}): " + " | ".join(tail))
    result = json.loads(lines[-1][len(RESULT_PREFIX):])
    result["wall_s"] = wall
    return result
