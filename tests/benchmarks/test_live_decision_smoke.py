"""The live-decision benchmark (benchmarks/live_decision.py) runs end to end, so it cannot rot: two
decisions per strategy, in its own subprocesses. No timing is asserted: the figures are printed by
`python -m benchmarks.live_decision`, never tested."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.live_decision import STRATEGIES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_live_decision_benchmark_prints_a_figure_per_strategy(tmp_path):
    out = tmp_path / "live_decision.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.live_decision", "--decisions", "2", "--json", str(out)],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:] or proc.stdout[-2000:]
    figures = re.compile(r"\d[\d,]*\.\d+ / \d[\d,]*\.\d+ / \d[\d,]*\.\d+")  # p50 / p95 / max
    for label in STRATEGIES.values():
        rows = [line for line in proc.stdout.splitlines() if label in line]
        assert rows and figures.search(rows[0]), f"no figures for {label!r} in:\n{proc.stdout}"
    results = json.loads(out.read_text())
    assert set(results["strategies"]) == set(STRATEGIES)
    for r in results["strategies"].values():
        assert r["decisions"] == 2
        assert math.isfinite(r["decision"]["max_ms"]) and r["decision"]["max_ms"] > 0
        assert r["orders"] > 0  # the engine sent orders: the decisions are not vacuous
