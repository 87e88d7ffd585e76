"""The examples run as a user runs them: copied to a folder outside the repository, unchanged, with
Parity's installed `parity` command and Python API, in a backtest and in the paper replay.

Each runs in a subprocess from the copy (no repository folder on its import path): the SMA example's
own package is named `strategies`, like Parity's folder, and must be the one that gets imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PARITY = Path(sys.executable).with_name("parity")

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",) and not k.startswith("APCA_")}
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    env["PARITY_NUMBA_CACHE"] = str(REPO / ".numba_cache")  # the checkout's compiled kernels
    return env


def run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def copy_example(name: str, tmp_path: Path) -> Path:
    work = tmp_path / name
    shutil.copytree(EXAMPLES / name, work, ignore=shutil.ignore_patterns("__pycache__", "scores.parquet"))
    return work


def only_run_folder(work: Path) -> Path:
    (run_dir,) = [p for p in (work / "reports").iterdir() if p.is_dir()]
    return run_dir


def test_sma_example_backtests_and_paper_replays_from_outside_the_repository(tmp_path: Path) -> None:
    work = copy_example("sma_crossover", tmp_path)
    out = run([str(PARITY), "backtest", "--config", "config.yaml", "--run-id", "sma"], work).stdout
    assert "Report:" in out and "Sharpe" in out
    run_dir = work / "reports" / "sma"
    record = json.loads((run_dir / "strategy.json").read_text())
    assert record["import_path"] == "strategies.sma:SMACrossover"
    assert record["params"] == {"fast": 10, "slow": 40}
    assert record["source_files"] == ["__init__.py", "sma.py"] and len(record["source_sha256"]) == 64
    assert "strategies.sma:SMACrossover" in (run_dir / "config.yaml").read_text()
    orders = pd.read_parquet(run_dir / "orders.parquet")
    assert len(orders) > 100 and (run_dir / "report.html").is_file()

    replay = run([str(PARITY), "paper", "--replay", "--config", "config.yaml", "--sessions", "3",
                  "--out", str(tmp_path / "paper")], work).stdout
    decided = [line for line in replay.splitlines() if line.startswith("bar ") and "order(s) sent" in line]
    assert len(decided) == 4  # the last history bar and the 3 replayed sessions


def test_signals_example_backtests_and_paper_replays_from_outside_the_repository(tmp_path: Path) -> None:
    work = copy_example("signals_file", tmp_path)
    assert "wrote" in run([sys.executable, "make_signals.py"], work).stdout
    assert (work / "scores.parquet").is_file()
    run([str(PARITY), "backtest", "--config", "config.yaml", "--run-id", "sig"], work)
    run_dir = work / "reports" / "sig"
    record = json.loads((run_dir / "strategy.json").read_text())
    assert record["import_path"] == "parity.strategies.signals_file:SignalsFileStrategy"
    assert record["params"]["rank"] is True
    signals = pd.read_parquet(run_dir / "signals.parquet")
    assert set(signals["model_version"].dropna()) - {""} == {"reversal-v1"}
    assert signals["score"].dropna().between(-1, 1).all()
    assert len(pd.read_parquet(run_dir / "orders.parquet")) > 100

    # history: the file's first rows are for the 6th bar (a 5-session return needs 5 before it)
    done = run([str(PARITY), "paper", "--replay", "--config", "config.yaml", "--history", "20", "--sessions", "3",
                "--out", str(tmp_path / "paper")], work)
    decided = [line for line in done.stdout.splitlines() if line.startswith("bar ") and "order(s) sent" in line]
    assert len(decided) == 4 and int(decided[0].split("; ")[1].split()[0]) > 0  # the first decision trades
    assert "ALERT" not in done.stderr


def test_python_api_runs_both_examples_and_writes_nothing(tmp_path: Path) -> None:
    work = copy_example("sma_crossover", tmp_path)
    signals_work = copy_example("signals_file", tmp_path)
    run([sys.executable, "make_signals.py"], signals_work)
    code = textwrap.dedent(f"""
        import numpy as np
        import parity
        from parity.engine.signals import live_scorer
        from strategies.sma import SMACrossover

        result = parity.backtest(strategy=SMACrossover(SMACrossover.Params(fast=5, slow=20)))
        assert len(result.orders) > 100 and len(result.fills) > 50, (len(result.orders), len(result.fills))
        assert result.strategy["import_path"] == "strategies.sma:SMACrossover"
        assert result.strategy["params"] == {{"fast": 5, "slow": 20}}
        assert np.isfinite(result.stats["sharpe"])

        by_file = parity.backtest(signals={str(signals_work / 'scores.parquet')!r})
        assert len(by_file.orders) > 100

        # batch == live, bar for bar, for the example strategy and the signals file
        bars = result.bars
        for strategy in (SMACrossover(SMACrossover.Params(fast=5, slow=20)),
                         parity.api._signals_strategy({str(signals_work / 'scores.parquet')!r})):
            batch = strategy.generate(bars).scores
            live = live_scorer(strategy, bars.slice(0, 30))
            rows = np.array([live.update(bars.slice(t, t + 1)) for t in range(30, bars.n_bars)])
            assert np.array_equal(rows, batch[30:], equal_nan=True), strategy.name
        print("api ok")
    """)
    before = sorted(p.name for p in work.iterdir())
    assert "api ok" in run([sys.executable, "-c", code], work).stdout
    written = sorted(set(p.name for p in work.iterdir()) - set(before))
    assert written in ([], ["data_cache"])  # at most the checked-bars cache; no run folder, no report
