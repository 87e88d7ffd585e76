"""`parity validate` runs every check `parity backtest` runs before its first bar, with the same words.

Each bad config is given to both commands (in process, from a temporary working folder): both exit 2
with the same single error line, and neither leaves anything under reports/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parity.cli import main
from parity.commands.console import STAGE_LABELS

CONFIG = "strategy:\n  use: momentum\n"


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.yaml").write_text(CONFIG)
    (tmp_path / "unknown.csv").write_text("symbol,sector\nDHR,Health Care\nZZZZ,Industrials\n")
    (tmp_path / "twice.csv").write_text("symbol,sector\nDHR,Health Care\nGIS,Staples\nDHR,Health Care\n")
    (tmp_path / "nosector.csv").write_text("symbol\nDHR\nGIS\n")
    (tmp_path / "a_file").write_text("not a folder\n")
    (tmp_path / "a_folder").mkdir()
    return tmp_path


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    """Exit code, the stderr lines other than the backtest's stage spinner, stdout."""
    code = main(argv)
    captured = capsys.readouterr()
    spinner = tuple(STAGE_LABELS.values())
    lines = [line for line in captured.err.splitlines() if line.strip() and not any(s in line for s in spinner)]
    return code, lines, captured.out


def nothing_under_reports(folder: Path) -> bool:
    reports = folder / "reports"
    return not reports.exists() or not any(reports.iterdir())


CASES = {
    "missing universe": (["data.universe=missing.csv"], "data.universe"),
    "unknown symbol": (["data.universe=unknown.csv"], "ZZZZ"),
    "duplicate symbol": (["data.universe=twice.csv"], "DHR is listed twice"),
    "no sector column": (["data.universe=nosector.csv"], "'sector'"),
    "start yesterday": (["data.start=yesterday"], "data.start"),
    "quoted start after end": (["data.start='2010-08-01'", "data.end='2010-06-01'"], "data.end"),
    "execution disabled": (["execution.enabled=false"], "execution.enabled"),
    "1Min on daily data": (["data.timeframe=1Min"], "data.timeframe"),
    "output_dir is a file": (["reporting.output_dir=a_file"], "reporting.output_dir"),
    "folder as data.path": (["data.source=csv", "data.path=a_folder"], "data.path"),
    "train_bars beyond the data": (["strategy.use=xgboost", "data.start=2010-07-01"], "strategy.params.train_bars"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_refuses_what_backtest_refuses(workdir: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    overrides, named = CASES[case]
    sets = [arg for o in overrides for arg in ("--set", o)]
    v_code, v_err, _ = run_cli(["validate", "run.yaml", *sets], capsys)
    b_code, b_err, _ = run_cli(["backtest", "--config", "run.yaml", *sets], capsys)
    assert (v_code, b_code) == (2, 2)
    assert len(v_err) == 1 and v_err == b_err, (v_err, b_err)
    assert v_err[0].startswith("error: ") and named in v_err[0]
    assert nothing_under_reports(workdir)


def test_output_dir_under_a_file_is_named(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err, _ = run_cli(["validate", "run.yaml", "--set", "reporting.output_dir=a_file/runs"], capsys)
    assert code == 2
    assert err == [f"error: run.yaml: reporting.output_dir: '{workdir / 'a_file'}' is a file, not a folder; "
                   "point reporting.output_dir at a folder (it is created if missing)"]


def test_train_bars_error_names_the_bar_count(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err, _ = run_cli(["validate", "run.yaml", "--set", "strategy.use=xgboost", "--set",
                            "strategy.params.train_bars=240"], capsys)
    assert code == 2
    (line,) = err
    assert line.startswith("error: run.yaml: strategy.params.train_bars: 240 (+ horizon 5) bars come before the "
                           "first model, but the data has 245 bars")


def test_validate_says_what_it_checked(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, out = run_cli(["validate", "run.yaml"], capsys)
    assert code == 0
    assert re.fullmatch(r"run\.yaml: OK \(mode backtest, strategy momentum, 245 bars x 53 symbols checked, "
                        r"config hash [0-9a-f]{12}\)", out.splitlines()[0])
    assert not (workdir / "reports").exists()


def test_a_limit_offset_the_bars_almost_never_reach_gets_a_note(workdir: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # No offset inside the allowed range (-0.2, 0.2) can never fill (a bar may always move that far), so
    # it is a note, not an error, with how often these bars would have filled such a limit.
    sets = ["--set", "order_management.default_order_type=limit", "--set", "order_management.limit_price_offset=0.15"]
    code, err, out = run_cli(["validate", "run.yaml", *sets], capsys)
    assert code == 0 and not err
    (note,) = [line for line in out.splitlines() if "limit_price_offset" in line]
    assert re.match(r"note: run\.yaml: order_management\.limit_price_offset 0\.15 with default_order_type limit: "
                    r"on these bars the next bar reached such a limit 0\.\d% of the time", note)


def test_limit_offset_note_counts_touches_by_hand() -> None:
    """11 bars x 2 symbols: 20 (bar, next bar) pairs, each a buy and a sell chance; a buy limit at
    close x 0.96 is reached when the next low is <= 96, a sell limit at close x 1.04 when the high >= 104."""
    from dataclasses import replace

    import numpy as np

    from parity.app import limit_offset_note
    from parity.engine.config import validate_config
    from parity.engine.data import synthetic_bars

    config = validate_config({"order_management": {"default_order_type": "limit", "limit_price_offset": 0.04}})
    flat = {"close": np.full((11, 2), 100.0), "low": np.full((11, 2), 99.0), "high": np.full((11, 2), 101.0)}
    bars = replace(synthetic_bars(11, 2, seed=0), **flat)
    assert "reached such a limit 0.0% of the time" in limit_offset_note(config, bars, "x.yaml")
    low = flat["low"].copy()
    low[5, 1] = 96.0  # one touch of 40 chances
    assert "reached such a limit 2.5% of the time" in limit_offset_note(config, replace(bars, low=low), "x.yaml")
    low[1:3, :] = 90.0  # 1 + 4 of 40 = 12.5%: often enough, no note
    assert limit_offset_note(config, replace(bars, low=low), "x.yaml") is None
    market = validate_config({"order_management": {"limit_price_offset": 0.04}})
    assert limit_offset_note(market, bars, "x.yaml") is None
