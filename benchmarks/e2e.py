"""`parity backtest` end to end, process start included, in a fresh copy of the repository.

The copy holds only the tracked files (as a fresh clone would: no __pycache__, no numba cache, no
cached bars), so its first run pays for bytecode, numba compilation and checking the embedded data;
later runs find all three on disk. Warm figures are the best of WARM_RUNS runs (other processes on
a 2-core machine add seconds to single runs); every run is kept in `warm_runs_s`. The installed
environment (.venv) is shared, as it would be after `make setup`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import REPO, run_child


def fresh_copy() -> Path:
    """The tracked files of the working tree (uncommitted edits included) in a new temp folder."""
    dest = Path(tempfile.mkdtemp(prefix="parity-bench-clone-"))
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in files.decode().split("\0"):
        src = REPO / name
        if name and src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    for extra in Path(__file__).resolve().parent.glob("*.py"):  # the harness itself, committed or not
        shutil.copy2(extra, dest / "benchmarks" / extra.name)
    return dest


def parity_backtest(clone: Path, config: str, overrides: list[str]) -> float:
    """Wall time of `python -m parity backtest` in `clone` (process start included)."""
    out = Path(tempfile.mkdtemp(prefix="parity-bench-runs-"))
    args = [sys.executable, "-m", "parity", "backtest", "--config", config,
            "--set", f"reporting.output_dir={out}"]
    for o in overrides:
        args += ["--set", o]
    start = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "PYTHONPATH")}
    proc = subprocess.run(args, cwd=clone, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"parity backtest failed in {clone}: {proc.stderr.strip().splitlines()[-3:]}")
    shutil.rmtree(out, ignore_errors=True)
    return seconds


WARM_RUNS = 3
BASELINE = "config/momentum.yaml"  # the momentum baseline (config/default.yaml runs walk-forward XGBoost)
DEFAULT = "config/default.yaml"


def end_to_end(baseline: str = BASELINE, default: str = DEFAULT, with_default: bool = True) -> dict:
    """Cold then warm `parity backtest` of the baseline with the report as configured and without its
    HTML page, a warm per-stage breakdown of each, and (with_default) the default config's run, whose
    "signals" stage is the model training."""
    clone = fresh_copy()
    try:
        out: dict = {"config": baseline, "cold_s": parity_backtest(clone, baseline, [])}
        out["warm_runs_s"] = [parity_backtest(clone, baseline, []) for _ in range(WARM_RUNS)]
        out["warm_no_html_runs_s"] = [parity_backtest(clone, baseline, ["reporting.html=false"]) for _ in range(WARM_RUNS)]
        out["warm_s"], out["warm_no_html_s"] = min(out["warm_runs_s"]), min(out["warm_no_html_runs_s"])
        out["stages"] = run_child(["stages", "--config", baseline], cwd=clone)
        out["stages_no_html"] = run_child(["stages", "--config", baseline, "--set", "reporting.html=false"], cwd=clone)
        if with_default:
            out["default_config"] = default
            out["default_warm_s"] = parity_backtest(clone, default, [])
            out["default_stages"] = run_child(["stages", "--config", default], cwd=clone)
        out["python_start_s"] = _python_start()
        return out
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def _python_start() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start
