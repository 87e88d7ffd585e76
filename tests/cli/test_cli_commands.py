"""`parity validate` and `parity backtest`: exit codes, one-line errors, overrides, the run folder.

The backtest tests wire toy parts (cli_kit) in place of the real data/strategy/simulator, so they
check the CLI and parity.app only; test_cli_end_to_end runs the real pieces.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import parity.app
from cli_kit import N_BARS, toy_parts
from parity.engine.data.errors import DataError
from parity.cli import main

CONFIG = """\
execution:
  mode: backtest
position_sizing:
  max_position_size: 0.05
risk_management:
  max_daily_loss: 0.02
simulation:
  initial_cash: 100000
strategy:
  use: cli_kit:ToyStrategy
"""


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.yaml").write_text(CONFIG)
    return tmp_path


@pytest.fixture()
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parity.app, "default_parts", toy_parts)


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_validate_ok(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "run.yaml"]) == 0
    assert capsys.readouterr().out.startswith("run.yaml: OK")


def test_validate_misspelt_key_names_file_and_key(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "bad.yaml").write_text(CONFIG.replace("max_daily_loss", "max_daly_loss"))
    assert main(["validate", "bad.yaml"]) == 2
    assert stderr_lines(capsys) == [
        "error: bad.yaml: risk_management.max_daly_loss: unknown key; did you mean 'max_daily_loss'?"]


def test_validate_out_of_range_value_names_file_and_key(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "bad.yaml").write_text(CONFIG.replace("max_position_size: 0.05", "max_position_size: 1.5"))
    assert main(["validate", "bad.yaml"]) == 2
    (line,) = stderr_lines(capsys)
    assert line.startswith("error: bad.yaml: position_sizing.max_position_size:") and "1.5" in line


def test_validate_missing_config_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "nope.yaml"]) == 2
    (line,) = stderr_lines(capsys)
    assert line.startswith("error: nope.yaml: config file not found")


def test_validate_missing_data_file_names_the_key(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "run.yaml", "--set", "data.source=csv", "--set", "data.path=bars.csv"]) == 2
    (line,) = stderr_lines(capsys)
    assert line.startswith("error: run.yaml: data.path:") and "bars.csv" in line


def test_validate_overrides_are_checked_like_the_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "run.yaml", "--set", "risk_management.max_daily_loss=0.03"]) == 0
    assert main(["validate", "run.yaml", "--set", "risk_management.max_daily_loss=7"]) == 2
    (line,) = stderr_lines(capsys)
    assert "risk_management.max_daily_loss" in line


def test_several_problems_give_one_line_each(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "run.yaml", "--set", "risk_management.max_daly_loss=0.1",
                 "--set", "simulation.initial_cash=-5"]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 2 and all(line.startswith("error: run.yaml: ") for line in lines)


def test_backtest_writes_run_folder_and_prints_summary(workdir: Path, toy: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--config", "run.yaml", "--set", "risk_management.max_daily_loss=0.03",
                 "--run-id", "first"]) == 0
    run_dir = workdir / "reports" / "first"
    out = capsys.readouterr().out
    assert f"Report: {run_dir / 'report.html'}" in out.replace("\n", "")
    assert "Total return" in out and "Sharpe" in out and "Max drawdown" in out
    # the override reached the resolved config written beside the records
    assert yaml.safe_load((run_dir / "config.yaml").read_text())["risk_management"]["max_daily_loss"] == 0.03
    stats = json.loads((run_dir / "stats.json").read_text())
    assert stats["total_return"] == pytest.approx(1.001 ** (N_BARS - 1) - 1)  # toy equity grows 0.1% a bar
    assert stats["orders"] == 0
    assert (run_dir / "models" / "toy-model.json").is_file()  # the strategy's artifacts are kept
    assert sorted(p.name for p in (workdir / "reports").iterdir()) == ["first"]


def test_backtest_default_run_id_is_time_strategy_hash(workdir: Path, toy: None) -> None:
    assert main(["backtest", "--config", "run.yaml"]) == 0
    (run_dir,) = (workdir / "reports").iterdir()
    stamp, strategy, digest = run_dir.name.split("-")
    assert len(stamp) == 16 and stamp.endswith("Z") and strategy == "toy" and len(digest) == 12


def test_data_error_is_one_line_and_leaves_no_run_folder(workdir: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(parity.app, "default_parts",
                        lambda: toy_parts(DataError("data.path: file not found: x.csv (set data.path ...)")))
    assert main(["backtest", "--config", "run.yaml"]) == 2
    assert stderr_lines(capsys)[-1] == "error: run.yaml: data.path: file not found: x.csv (set data.path ...)"
    assert list((workdir / "reports").iterdir()) == []  # neither a run folder nor a staging folder


def test_crash_mid_run_leaves_no_run_folder(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crashing_parts():
        parts = toy_parts()

        def crash(*args, **kwargs):
            raise RuntimeError("simulator bug")

        return parity.app.BacktestParts(parts.load_bars, crash)

    monkeypatch.setattr(parity.app, "default_parts", crashing_parts)
    with pytest.raises(RuntimeError, match="simulator bug"):  # a bug keeps its traceback
        main(["backtest", "--config", "run.yaml"])
    assert list((workdir / "reports").iterdir()) == []


def test_paper_mode_points_to_parity_run(workdir: Path, toy: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--config", "run.yaml", "--set", "execution.mode=paper"]) == 2
    (line,) = stderr_lines(capsys)
    assert line.startswith("error: run.yaml: execution.mode:") and "parity run" in line
    assert not (workdir / "reports").exists()


def test_disabled_execution_is_refused(workdir: Path, toy: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--config", "run.yaml", "--set", "execution.enabled=false"]) == 2
    (line,) = stderr_lines(capsys)
    assert line.startswith("error: run.yaml: execution.enabled:")


def test_existing_run_id_is_refused(workdir: Path, toy: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--config", "run.yaml", "--run-id", "same"]) == 0
    assert main(["backtest", "--config", "run.yaml", "--run-id", "same"]) == 2
    assert "already exists" in stderr_lines(capsys)[-1]


def test_bad_run_id_is_refused_before_running(workdir: Path, toy: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--config", "run.yaml", "--run-id", "../escape"]) == 2
    (line,) = stderr_lines(capsys)
    assert line.startswith("error: --run-id: reporting.run_id:")
    assert not (workdir / "reports").exists()


def test_run_as_the_program_the_heap_is_frozen_before_exit() -> None:
    # main() without argv (the `parity` command, `python -m parity`) freezes the heap, so the
    # interpreter's collections at exit skip it; with argv (tests, embedding) it leaves gc alone
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    code = ("import gc, sys; from parity import cli; sys.argv = ['parity', 'validate', 'config/momentum.yaml']; "
            "assert cli.main(['validate', 'config/momentum.yaml']) == 0 and gc.get_freeze_count() == 0; "
            "assert cli.main() == 0; print('frozen', gc.get_freeze_count() > 0)")
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("frozen True")
